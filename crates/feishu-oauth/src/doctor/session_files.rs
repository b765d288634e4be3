//! The profile's session file: readable, private (mode 0600, the user's own, in a folder nobody
//! else can write to), a session (not corrupt), and whether it signs anyone in, until when.
//!
//! It is only read: a corrupt file is reported, not set aside as the store would
//! ([`crate::store::FileStore`]), so the doctor changes nothing it looks at.

use std::{
    fs, io,
    os::unix::fs::{MetadataExt as _, PermissionsExt as _},
    path::Path,
};

use time::OffsetDateTime;

use crate::{
    session::{Issuer, Session, TokenStatus},
    storage::{Sealing, Storage},
    store::{json_fault, FileStore, SESSION_KEY},
};

use super::{span, Check, Status};

pub(super) const SESSION_FILES: (&str, &str) = ("session-files", "Session files");

/// What is wrong with a file that holds tokens, from its mode bits and owner: readable or
/// writable by anyone but `me`. `None`: private.
pub fn private_mode_fault(mode: u32, owner: u32, me: u32) -> Option<String> {
    if owner != me {
        return Some(format!("it belongs to user id {owner}, not to you ({me})"));
    }
    let mode = mode & 0o777;
    (mode & 0o077 != 0).then(|| {
        format!(
            "other users can {} it (mode {mode:04o}; it must be 0600)",
            access_words(mode)
        )
    })
}

/// What a folder's mode lets others do that matters: replace the files in it.
fn folder_fault(mode: u32, owner: u32, me: u32) -> Option<String> {
    if owner != me {
        return Some(format!("it belongs to user id {owner}, not to you ({me})"));
    }
    let mode = mode & 0o777;
    (mode & 0o022 != 0).then(|| {
        format!("other users can replace the files in it (mode {mode:04o}; it should be 0700)")
    })
}

fn access_words(mode: u32) -> &'static str {
    match (mode & 0o044 != 0, mode & 0o022 != 0) {
        (true, true) => "read and change",
        (true, false) => "read",
        (false, true) => "change",
        (false, false) => "open",
    }
}

/// This process's user id: the owner of `/proc/self` (no libc call needed).
fn my_uid() -> Option<u32> {
    fs::metadata("/proc/self").ok().map(|m| m.uid())
}

pub(super) fn check(store: &FileStore, issuer: &Issuer) -> Check {
    let path = store.path();
    let (id, title) = SESSION_FILES;
    let mut details = vec![format!("Session file: {}", path.display())];
    let me = my_uid();
    let dir = path.parent().unwrap_or(Path::new("."));
    let signed_out = |details: Vec<String>| {
        Check::new(
            id,
            title,
            Status::Ok,
            "not signed in: there is no session file yet",
        )
        .details(details)
    };
    let mut faults: Vec<(String, String)> = Vec::new();
    match fs::metadata(dir) {
        Ok(meta) => {
            if let Some(fault) = me.and_then(|me| folder_fault(meta.mode(), meta.uid(), me)) {
                faults.push((
                    format!(
                        "the session's folder {} is not private: {fault}",
                        dir.display()
                    ),
                    format!("Run `chmod 700 {}`", dir.display()),
                ));
            }
        }
        Err(e) if e.kind() == io::ErrorKind::NotFound => return signed_out(details),
        Err(e) => faults.push((
            format!("the folder {} cannot be read: {e}", dir.display()),
            "The data folder must be yours: check its owner and mode".to_owned(),
        )),
    }
    let meta = match fs::metadata(path) {
        Ok(meta) => meta,
        Err(e) if e.kind() == io::ErrorKind::NotFound && faults.is_empty() => {
            return signed_out(details)
        }
        Err(e) if e.kind() == io::ErrorKind::NotFound => return failed(details, faults),
        Err(e) => {
            faults.push((
                format!("it cannot be read: {e}"),
                format!("Check the owner and mode of {}", path.display()),
            ));
            return failed(details, faults);
        }
    };
    details.push(format!(
        "Mode: {:04o}, owner: user id {}",
        meta.permissions().mode() & 0o777,
        meta.uid()
    ));
    if let Some(fault) = me.and_then(|me| private_mode_fault(meta.mode(), meta.uid(), me)) {
        faults.push((
            format!("the session file is not private: {fault}"),
            format!(
                "Run `chmod 600 {}` (on a shared computer, sign out and in again too: its tokens may have been read)",
                path.display()
            ),
        ));
    }
    kept_corrupt_files(dir, &mut details);
    let bytes = match fs::read(path) {
        Ok(bytes) => bytes,
        Err(e) => {
            faults.push((
                format!("the session file cannot be read: {e}"),
                format!("The file must be yours: `chown $USER {}`", path.display()),
            ));
            return failed(details, faults);
        }
    };
    let session = match parse(&bytes, store, &mut details) {
        Ok(Some(session)) => session,
        Ok(None) => {
            if faults.is_empty() {
                return Check::new(id, title, Status::Ok, "not signed in").details(details);
            }
            return failed(details, faults);
        }
        Err(reason) => {
            faults.push((
                format!("the session file is corrupt ({reason})"),
                "Sign in again (`feishu-auth login`, or Sign in in the app): the unreadable file is then kept aside for diagnosis (session.corrupt-….json) and replaced".to_owned(),
            ));
            return failed(details, faults);
        }
    };
    if !faults.is_empty() {
        return failed(details, faults);
    }
    signed_in(&session, issuer, details)
}

/// A readable, private session: whose, and until when.
fn signed_in(session: &Session, issuer: &Issuer, mut details: Vec<String>) -> Check {
    let (id, title) = SESSION_FILES;
    if session.issuer != *issuer {
        details.push(format!(
            "Stored session's app: {} {}",
            session.issuer.brand, session.issuer.app_id
        ));
        return Check::new(
            id,
            title,
            Status::Warning,
            format!(
                "the file holds a session of another app ({} {}), so this profile is signed out",
                session.issuer.brand, session.issuer.app_id
            ),
        )
        .advice("Sign in (`feishu-auth login`) to replace it, or use the profile of that app")
        .details(details);
    }
    let now = OffsetDateTime::now_utc();
    let at = |t: OffsetDateTime| {
        t.format(&time::format_description::well_known::Rfc3339)
            .unwrap_or_else(|_| t.to_string())
    };
    details.push(format!(
        "Signed in: {} ({})",
        session.profile.name, session.profile.open_id
    ));
    details.push(format!("Scopes: {}", session.scopes));
    details.push(format!(
        "Access token expires: {}",
        at(session.access_token_expires_at)
    ));
    match session.refresh_token_expires_at {
        Some(t) if session.refresh_token.is_some() => {
            details.push(format!("Refresh token expires: {}", at(t)));
        }
        _ => details.push("Refresh token: none (no offline_access)".to_owned()),
    }
    details.push(format!(
        "Re-authorization due: {}",
        at(session.reauthorization_due_at())
    ));
    let who = &session.profile.name;
    let expired = session.token_status(now) == TokenStatus::Expired;
    let access = if expired {
        format!(
            "the access token expired {} ago",
            span(now - session.access_token_expires_at)
        )
    } else {
        format!(
            "the access token is valid for {}",
            span(session.access_token_expires_at - now)
        )
    };
    if session.can_refresh(now) {
        let renewed = if expired {
            " and is renewed at its next use"
        } else {
            ""
        };
        let refresh = match session.refresh_token_expires_at {
            Some(t) => format!("; the session can be renewed for {}", span(t - now)),
            None => String::new(),
        };
        Check::new(
            id,
            title,
            Status::Ok,
            format!("signed in as {who}: {access}{renewed}{refresh}"),
        )
        .details(details)
    } else if expired {
        Check::new(
            id,
            title,
            Status::Warning,
            format!("{who}'s session has ended: {access} and cannot be renewed"),
        )
        .advice("Sign in again: `feishu-auth login` (or Sign in in the app)")
        .details(details)
    } else {
        Check::new(
            id,
            title,
            Status::Ok,
            format!("signed in as {who}: {access}; it cannot be renewed after that"),
        )
        .details(details)
    }
}

/// The session in a session file's bytes (`None`: signed out), or what is wrong, never quoting
/// the file (it holds tokens). The store's own rules ([`stored_session`]).
fn parse(
    bytes: &[u8],
    store: &FileStore,
    details: &mut Vec<String>,
) -> Result<Option<Session>, String> {
    match serde_json::from_slice::<serde_json::Value>(bytes) {
        Ok(serde_json::Value::Object(map)) => match map.get(SESSION_KEY) {
            None | Some(serde_json::Value::Null) => Ok(None),
            Some(value) => {
                details.push(
                    match Sealing::storage_of(value) {
                        Storage::Keyring => "Tokens: sealed by the desktop keyring (opened with this profile's key to check them)",
                        Storage::File => "Tokens: unsealed, in this file (no keyring sealed them)",
                    }
                    .to_owned(),
                );
                store.open_stored(value).map(Some)
            }
        },
        Ok(_) => Err("the file is JSON but not an object".to_owned()),
        Err(e) => Err(format!("not JSON ({})", json_fault(&e))),
    }
}

/// Unreadable session files the store set aside, which may hold live tokens.
fn kept_corrupt_files(dir: &Path, details: &mut Vec<String>) {
    let count = fs::read_dir(dir).map_or(0, |entries| {
        entries
            .flatten()
            .filter(|e| e.file_name().to_string_lossy().contains(".corrupt-"))
            .count()
    });
    if count > 0 {
        details.push(format!(
            "Unreadable session files kept for diagnosis: {count} in {} (they may hold live tokens: delete them once no longer needed)",
            dir.display()
        ));
    }
}

fn failed(details: Vec<String>, faults: Vec<(String, String)>) -> Check {
    let (id, title) = SESSION_FILES;
    let (findings, advice): (Vec<String>, Vec<String>) = faults.into_iter().unzip();
    Check::new(id, title, Status::Failed, findings.join("; "))
        .advice(advice.join(". "))
        .details(details)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_0600_of_ones_own_is_private() {
        assert_eq!(private_mode_fault(0o100_600, 1000, 1000), None);
        assert_eq!(private_mode_fault(0o400, 1000, 1000), None);
        let fault = private_mode_fault(0o100_644, 1000, 1000).unwrap();
        assert!(fault.contains("read") && fault.contains("0644"), "{fault}");
        let fault = private_mode_fault(0o620, 1000, 1000).unwrap();
        assert!(fault.contains("change"), "{fault}");
        let fault = private_mode_fault(0o601, 1000, 1000).unwrap();
        assert!(fault.contains("open") && fault.contains("0601"), "{fault}");
        assert!(private_mode_fault(0o600, 0, 1000)
            .unwrap()
            .contains("user id 0"));
    }

    #[test]
    fn a_folder_others_can_write_to_is_a_fault_and_a_readable_one_is_not() {
        assert_eq!(folder_fault(0o40_700, 1000, 1000), None);
        assert_eq!(folder_fault(0o755, 1000, 1000), None);
        assert!(folder_fault(0o777, 1000, 1000).is_some());
        assert!(folder_fault(0o770, 1000, 1000).is_some());
    }

    #[test]
    fn a_session_is_told_by_whose_it_is_and_whether_it_can_still_be_renewed() {
        let now = OffsetDateTime::now_utc();
        let fresh = crate::session::tests::sample(now, 7200);
        let issuer = fresh.issuer.clone();
        let check = signed_in(&fresh, &issuer, Vec::new());
        assert_eq!(check.status, Status::Ok);
        assert!(
            check.finding.starts_with("signed in as 张三"),
            "{}",
            check.finding
        );
        // Expired, and its refresh token too: the session has ended.
        let ended = crate::session::tests::sample(now - time::Duration::days(8), 7200);
        let check = signed_in(&ended, &issuer, Vec::new());
        assert_eq!(check.status, Status::Warning);
        assert!(check.finding.contains("has ended"), "{}", check.finding);
        assert!(check.advice.unwrap().contains("feishu-auth login"));
        // Expired, but renewable: fine, the next use refreshes it.
        let stale = crate::session::tests::sample(now - time::Duration::hours(3), 7200);
        assert_eq!(signed_in(&stale, &issuer, Vec::new()).status, Status::Ok);
        // Another app's session: this profile is signed out.
        let other = Issuer {
            app_id: "cli_other".into(),
            ..issuer
        };
        let check = signed_in(&fresh, &other, Vec::new());
        assert_eq!(check.status, Status::Warning);
        assert!(check.finding.contains("another app"), "{}", check.finding);
    }

    #[test]
    fn a_signed_out_file_a_session_and_a_corrupt_file() {
        // A store that never asks a keyring: these files are plain.
        let store = FileStore::with_sealing(
            "session.json",
            Sealing::new("default", crate::storage::StoragePolicy::File),
        );
        let parse = |bytes: &[u8]| parse(bytes, &store, &mut Vec::new());
        assert_eq!(parse(br#"{"ui": {}}"#), Ok(None));
        assert_eq!(parse(br#"{"session": null}"#), Ok(None));
        let corrupt = parse(br#"{"session": {"access_token": "u-secret"#).unwrap_err();
        assert!(
            corrupt.contains("not JSON") && !corrupt.contains("u-secret"),
            "{corrupt}"
        );
        assert!(parse(b"[1]").is_err());
        let sample = crate::session::tests::sample(OffsetDateTime::now_utc(), 7200);
        let file = serde_json::json!({ "session": sample });
        assert_eq!(parse(file.to_string().as_bytes()).unwrap(), Some(sample));
    }
}
