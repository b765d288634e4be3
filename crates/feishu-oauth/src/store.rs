//! Where the session lives between runs.
//!
//! The file is a JSON object with the session under the key `session`: the layout
//! tauri-plugin-store reads and writes, so the desktop app and the CLI share one file. It is written
//! atomically with mode 0600 in a 0700 folder. A file that does not parse is moved aside (kept for
//! diagnosis) and reported; the user is then signed out, never left with a crash.
//!
//! A refresh rotates the refresh token, so two processes refreshing at once would sign the user out
//! (the loser's token is dead). [`SessionStore::lock`] takes an exclusive cross-process lock on a
//! sibling lock file; the refresher re-reads the store under it before calling Feishu.

use std::{
    fs, io,
    os::unix::fs::{MetadataExt as _, PermissionsExt},
    path::{Path, PathBuf},
};

use serde::Deserialize as _;
use time::OffsetDateTime;
use tracing::warn;

use crate::{
    config::Config,
    error::{Error, Result},
    fsutil,
    lockfile::{self, FileLock, REFRESH_LOCK_WAIT, WRITE_LOCK_WAIT},
    profiles::DEFAULT_PROFILE,
    session::Session,
    storage::{OpenFailure, Sealing, Storage, StoragePolicy},
};

pub use crate::config::SESSION_FILE_NAME;
/// The key of the session in the file's JSON object (the tauri-plugin-store key).
pub const SESSION_KEY: &str = "session";
/// How many unreadable session files are kept for diagnosis; older ones are deleted, since they
/// may hold live tokens.
pub const KEPT_CORRUPT_FILES: usize = 3;

/// Loads, saves and clears the session, and orders refreshes and writes across processes.
pub trait SessionStore: Send + Sync {
    /// The stored session, `None` when signed out.
    fn load(&self) -> Result<Option<Session>>;
    /// Replaces the stored session.
    fn save(&self, session: &Session) -> Result<()>;
    /// Removes the session (sign-out).
    fn clear(&self) -> Result<()>;
    /// Takes the cross-process refresh lock (held across a refresh's HTTP calls, so only one
    /// process spends the refresh token); waits a bounded time; released on drop.
    fn lock_refresh(&self) -> Result<StoreLock>;
    /// Takes the cross-process write lock (held for one read and the write that depends on it,
    /// so a sign-out and a refresh's save are ordered); waits a bounded time; released on drop.
    /// Never taken while waiting for the refresh lock, so a sign-out is not held up by a slow
    /// refresh.
    fn lock_writes(&self) -> Result<StoreLock>;
    /// Where the stored session is kept (sealed by the keyring, or in clear in the file); with
    /// no session, where the next save would keep one.
    fn storage(&self) -> Result<Storage> {
        Ok(Storage::File)
    }
    /// Whether a session stored in clear could be sealed now (a keyring answers and the policy
    /// allows): asked before taking the write lock, so a command pays nothing when not.
    fn needs_sealing(&self) -> bool {
        false
    }
    /// Seals a session stored in clear (by an earlier version, or while no keyring was there)
    /// when the keyring can now seal it, and wipes the plain copy. `true` when it did. Called
    /// under the write lock.
    fn seal_plain(&self) -> Result<bool> {
        Ok(false)
    }
}

/// A held cross-process lock; dropping it releases the lock.
pub type StoreLock = FileLock;

/// The session in a JSON file, its tokens sealed by the desktop keyring when there is one.
#[derive(Debug, Clone)]
pub struct FileStore {
    path: PathBuf,
    sealing: Sealing,
}

impl FileStore {
    /// A store at `path` (usually `<data dir>/session.json`) for the default profile, sealed
    /// when a keyring is there.
    pub fn new(path: impl Into<PathBuf>) -> Self {
        Self::with_sealing(path, Sealing::new(DEFAULT_PROFILE, StoragePolicy::Auto))
    }

    /// The store of `config`'s profile: its session file, sealed as its settings say.
    pub fn for_config(config: &Config) -> Self {
        Self::with_sealing(
            config.session_path(),
            Sealing::new(&config.profile, config.storage),
        )
    }

    /// A store at `path` sealed as `sealing` says (its profile, its policy).
    pub fn with_sealing(path: impl Into<PathBuf>, sealing: Sealing) -> Self {
        Self {
            path: path.into(),
            sealing,
        }
    }

    /// The session in a stored `session` value (the plugin store's copy of the file, the
    /// doctor's read), opened when sealed; or why it is not one this store can open, never
    /// quoting it. Changes nothing: [`SessionStore::load`] sets a bad file aside.
    pub fn open_stored(&self, value: &serde_json::Value) -> std::result::Result<Session, String> {
        let mut value = value.clone();
        match self.sealing.open(&mut value) {
            Ok(_) => stored_session(&value),
            Err(OpenFailure::SetAside(reason)) => Err(reason),
            Err(OpenFailure::Keyring(e)) => Err(e.to_string()),
        }
    }

    /// The file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    fn io_error(&self, source: io::Error) -> Error {
        Error::Store {
            path: self.path.clone(),
            source,
        }
    }

    /// Reads the whole JSON object (other keys are preserved on save).
    fn read_object(&self) -> Result<Option<serde_json::Map<String, serde_json::Value>>> {
        let bytes = match fs::read(&self.path) {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(self.io_error(e)),
        };
        match serde_json::from_slice::<serde_json::Value>(&bytes) {
            Ok(serde_json::Value::Object(map)) => Ok(Some(map)),
            Ok(_) => Err(self.set_aside(&bytes, "the file is JSON but not an object")),
            Err(e) => Err(self.set_aside(&bytes, &format!("not JSON ({})", json_fault(&e)))),
        }
    }

    /// Moves an unreadable file aside so the next load starts clean, and says where it went.
    /// It is moved only if it still holds `bytes`: a good session another process wrote since is
    /// never taken for the bad one.
    fn set_aside(&self, bytes: &[u8], reason: &str) -> Error {
        let kept = match self.keep_aside(bytes) {
            Ok(kept) => {
                warn!(path = %self.path.display(), kept = %kept.display(), reason, "session file was unreadable and was set aside");
                kept
            }
            Err(e) => {
                warn!(path = %self.path.display(), error = %e, "session file was unreadable and could not be set aside");
                self.path.clone()
            }
        };
        prune_kept(&self.path);
        Error::CorruptStore {
            path: self.path.clone(),
            kept,
            reason: reason.to_owned(),
        }
    }

    /// Links the file to a new name no earlier kept file has (a link never replaces a file),
    /// makes it 0600 (it may hold live tokens), then removes the original name.
    fn keep_aside(&self, bytes: &[u8]) -> io::Result<PathBuf> {
        if fs::read(&self.path)? != bytes {
            return Err(io::Error::other("the file changed while it was read"));
        }
        let now = OffsetDateTime::now_utc();
        let stamp = format!("{}-{:09}", now.unix_timestamp(), now.nanosecond());
        let mut attempt = 0u32;
        let kept = loop {
            let suffix = if attempt == 0 {
                String::new()
            } else {
                format!("-{attempt}")
            };
            let kept = self
                .path
                .with_extension(format!("corrupt-{stamp}{suffix}.json"));
            match fs::hard_link(&self.path, &kept) {
                Ok(()) => break kept,
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists && attempt < 100 => attempt += 1,
                Err(e) => return Err(e),
            }
        };
        // Another process may have renamed a good session into place since the read: then the
        // link holds that one, and it stays where it is.
        let same_file = |a: &Path, b: &Path| -> io::Result<bool> {
            Ok(fs::metadata(a)?.ino() == fs::metadata(b)?.ino())
        };
        if fs::read(&kept)? != bytes || !same_file(&kept, &self.path)? {
            let _ = fs::remove_file(&kept);
            return Err(io::Error::other("the file changed while it was set aside"));
        }
        fs::set_permissions(&kept, fs::Permissions::from_mode(0o600))?;
        fs::remove_file(&self.path)?;
        Ok(kept)
    }

    fn write_object(&self, map: serde_json::Map<String, serde_json::Value>) -> Result<()> {
        let bytes = serde_json::to_vec_pretty(&serde_json::Value::Object(map))
            .map_err(|e| self.io_error(io::Error::other(e)))?;
        fsutil::write_private_atomic(&self.path, &bytes).map_err(|e| self.io_error(e))
    }

    /// Writes a sealed session over a file that held tokens in clear, wiping the old bytes.
    fn write_object_wiping_old(
        &self,
        map: serde_json::Map<String, serde_json::Value>,
    ) -> Result<()> {
        let bytes = serde_json::to_vec_pretty(&serde_json::Value::Object(map))
            .map_err(|e| self.io_error(io::Error::other(e)))?;
        fsutil::write_private_atomic_wiping_old(&self.path, &bytes).map_err(|e| self.io_error(e))
    }

    /// The stored session when it is in clear and the policy would seal it. Only reads: a file
    /// that is not a session is the next load's to set aside and report.
    fn plain_session(&self) -> Option<Session> {
        if self.sealing.policy() == StoragePolicy::File {
            return None;
        }
        let bytes = fs::read(&self.path).ok()?;
        let map =
            serde_json::from_slice::<serde_json::Map<String, serde_json::Value>>(&bytes).ok()?;
        let value = map.get(SESSION_KEY).filter(|v| !v.is_null())?;
        if Sealing::storage_of(value) == Storage::Keyring {
            return None;
        }
        stored_session(value).ok()
    }

    fn load_once(&self, retry: bool) -> Result<Option<Session>> {
        let bytes = match fs::read(&self.path) {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(self.io_error(e)),
        };
        // A file that changed since it was read (a writer renamed a new one over it, and wiped the
        // old one's clear tokens) is read again before anything is called unreadable.
        let changed = || retry && fs::read(&self.path).ok().as_deref() != Some(bytes.as_slice());
        let map = match serde_json::from_slice::<serde_json::Value>(&bytes) {
            Ok(serde_json::Value::Object(map)) => map,
            _ if changed() => return self.load_once(false),
            Ok(_) => return Err(self.set_aside(&bytes, "the file is JSON but not an object")),
            Err(e) => return Err(self.set_aside(&bytes, &format!("not JSON ({})", json_fault(&e)))),
        };
        let Some(mut value) = map.get(SESSION_KEY).filter(|v| !v.is_null()).cloned() else {
            return Ok(None);
        };
        let storage = match self.sealing.open(&mut value) {
            Ok(storage) => storage,
            Err(OpenFailure::Keyring(e)) => return Err(e),
            // A sign-out in another process deletes the key after it writes the file: a file
            // read just before that write asks for a key that is gone. Read it again first.
            Err(OpenFailure::SetAside(_)) if changed() => return self.load_once(false),
            Err(OpenFailure::SetAside(reason)) => return Err(self.set_aside(&bytes, &reason)),
        };
        let session = stored_session(&value).map_err(|reason| self.set_aside(&bytes, &reason))?;
        if storage == Storage::File && self.sealing.policy() == StoragePolicy::Keyring {
            // Refuse before a refresh spends the refresh token and the save then fails.
            Sealing::require_keyring()?;
        }
        Ok(Some(session))
    }

    fn lock_file(&self, suffix: &str) -> PathBuf {
        self.path.with_extension(suffix)
    }
}

/// Deletes all but the newest [`KEPT_CORRUPT_FILES`] kept copies of the session file `path`.
fn prune_kept(path: &Path) {
    let (Some(dir), Some(stem)) = (path.parent(), path.file_stem()) else {
        return;
    };
    let prefix = format!("{}.corrupt-", stem.to_string_lossy());
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    let mut kept: Vec<PathBuf> = entries
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().starts_with(&prefix))
        .map(|e| e.path())
        .collect();
    // Newest first, by the time in the name (seconds, then nanoseconds): a link keeps the
    // original's modification time, which says when the file was written, not when it was kept.
    kept.sort_by(|a, b| b.cmp(a));
    for old in kept.into_iter().skip(KEPT_CORRUPT_FILES) {
        let _ = fs::remove_file(old);
    }
}

/// What is wrong with a JSON text, by position and kind, never quoting it: a session file holds
/// tokens, and serde's messages quote the value they stumbled on.
pub(crate) fn json_fault(e: &serde_json::Error) -> String {
    let kind = match e.classify() {
        serde_json::error::Category::Io => "unreadable",
        serde_json::error::Category::Syntax => "a syntax error",
        serde_json::error::Category::Data => "a value of the wrong kind",
        serde_json::error::Category::Eof => "cut short",
    };
    let message = e.to_string();
    // serde names a missing or unknown field by its name (not a value): worth keeping.
    let field = ["missing field `", "unknown field `"]
        .iter()
        .find_map(|p| message.split_once(p))
        .and_then(|(_, rest)| rest.split_once('`'))
        .map(|(name, _)| format!(", field `{name}`"))
        .unwrap_or_default();
    if e.line() == 0 {
        format!("{kind}{field}")
    } else {
        format!("{kind}{field} at line {} column {}", e.line(), e.column())
    }
}

/// The session in a session file's `session` value, if it is one: well-formed, with dates a
/// session can hold. The error says what is wrong without quoting a value. Shared by every store
/// over the file (the app's plugin store reads the same value).
pub fn stored_session(value: &serde_json::Value) -> std::result::Result<Session, String> {
    let session = Session::deserialize(value)
        .map_err(|e| format!("`{SESSION_KEY}` is not a session ({})", json_fault(&e)))?;
    match session.implausible_date() {
        Some(field) => Err(format!(
            "`{SESSION_KEY}.{field}` is a date no session can hold"
        )),
        None => Ok(session),
    }
}

impl SessionStore for FileStore {
    fn load(&self) -> Result<Option<Session>> {
        self.load_once(true)
    }

    fn save(&self, session: &Session) -> Result<()> {
        let mut map = match self.read_object() {
            Ok(map) => map.unwrap_or_default(),
            Err(Error::CorruptStore { .. }) => serde_json::Map::new(),
            Err(e) => return Err(e),
        };
        let previous = map.get(SESSION_KEY).filter(|v| !v.is_null()).cloned();
        let mut value =
            serde_json::to_value(session).map_err(|e| self.io_error(io::Error::other(e)))?;
        let (storage, unused_key) = self.sealing.seal(&mut value, previous.as_ref())?;
        map.insert(SESSION_KEY.to_owned(), value);
        let replaces_clear_tokens = previous
            .as_ref()
            .is_some_and(|p| Sealing::storage_of(p) == Storage::File);
        if storage == Storage::Keyring && replaces_clear_tokens {
            self.write_object_wiping_old(map)?;
        } else {
            self.write_object(map)?;
        }
        if let Some(key_id) = unused_key {
            self.sealing.forget(&key_id);
        }
        Ok(())
    }

    fn clear(&self) -> Result<()> {
        match self.read_object() {
            Ok(Some(mut map)) => {
                let Some(removed) = map.remove(SESSION_KEY) else {
                    return Ok(());
                };
                self.write_object(map)?;
                // The file no longer needs the key: deleting it makes every other copy of the
                // sealed session (a backup, a kept corrupt file) unreadable too.
                if let Some(key_id) = Sealing::key_id_of(&removed) {
                    self.sealing.forget(&key_id);
                }
                Ok(())
            }
            Ok(None) | Err(Error::CorruptStore { .. }) => Ok(()),
            Err(e) => Err(e),
        }
    }

    fn lock_refresh(&self) -> Result<StoreLock> {
        lockfile::acquire(&self.lock_file("lock"), REFRESH_LOCK_WAIT)
    }

    fn lock_writes(&self) -> Result<StoreLock> {
        lockfile::acquire(&self.lock_file("write.lock"), WRITE_LOCK_WAIT)
    }

    fn storage(&self) -> Result<Storage> {
        match self.read_object() {
            Ok(Some(map)) => match map.get(SESSION_KEY).filter(|v| !v.is_null()) {
                Some(value) => Ok(Sealing::storage_of(value)),
                None => Ok(self.sealing.next_storage()),
            },
            Ok(None) | Err(Error::CorruptStore { .. }) => Ok(self.sealing.next_storage()),
            Err(e) => Err(e),
        }
    }

    fn needs_sealing(&self) -> bool {
        self.plain_session().is_some() && crate::keyring::can_store_now()
    }

    fn seal_plain(&self) -> Result<bool> {
        let Some(session) = self.plain_session() else {
            return Ok(false);
        };
        self.save(&session)?;
        Ok(self.storage()? == Storage::Keyring)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::session::tests::sample;
    use std::os::unix::fs::PermissionsExt;

    fn store() -> (tempfile::TempDir, FileStore) {
        let dir = tempfile::tempdir().unwrap();
        let store = FileStore::new(dir.path().join("data").join(SESSION_FILE_NAME));
        (dir, store)
    }

    #[test]
    fn save_load_clear() {
        let (_d, store) = store();
        assert_eq!(store.load().unwrap(), None);
        let s = sample(OffsetDateTime::now_utc(), 7200);
        store.save(&s).unwrap();
        assert_eq!(store.load().unwrap(), Some(s));
        assert_eq!(
            fs::metadata(store.path()).unwrap().permissions().mode() & 0o777,
            0o600
        );
        store.clear().unwrap();
        assert_eq!(store.load().unwrap(), None);
        drop(store.lock_refresh().unwrap());
        drop(store.lock_writes().unwrap());
        for lock in ["lock", "write.lock"] {
            let lock = fs::metadata(store.path().with_extension(lock)).unwrap();
            assert_eq!(lock.permissions().mode() & 0o777, 0o600);
        }
    }

    #[test]
    fn keeps_other_keys_of_the_shared_file() {
        let (_d, store) = store();
        fsutil::write_private_atomic(store.path(), br#"{"ui": {"language": "zh"}}"#).unwrap();
        store.save(&sample(OffsetDateTime::now_utc(), 60)).unwrap();
        store.clear().unwrap();
        let v: serde_json::Value =
            serde_json::from_slice(&fs::read(store.path()).unwrap()).unwrap();
        assert_eq!(v, serde_json::json!({"ui": {"language": "zh"}}));
    }

    #[test]
    fn corrupt_file_is_reported_kept_aside_and_then_signed_out() {
        let (_d, store) = store();
        fsutil::write_private_atomic(store.path(), b"{\"session\": {\"access_tok").unwrap();
        let err = store.load().unwrap_err();
        let Error::CorruptStore { kept, .. } = &err else {
            panic!("{err}")
        };
        assert!(kept.exists());
        assert!(err.to_string().contains("session.json"), "{err}");
        assert_eq!(store.load().unwrap(), None);
    }

    #[test]
    fn foreign_json_is_reported_too() {
        let (_d, store) = store();
        fsutil::write_private_atomic(store.path(), br#"{"session": {"hello": 1}}"#).unwrap();
        assert!(matches!(store.load(), Err(Error::CorruptStore { .. })));
        fsutil::write_private_atomic(store.path(), b"[1, 2]").unwrap();
        assert!(matches!(store.load(), Err(Error::CorruptStore { .. })));
    }

    fn kept_files(store: &FileStore) -> Vec<PathBuf> {
        let mut kept: Vec<PathBuf> = fs::read_dir(store.path().parent().unwrap())
            .unwrap()
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.to_string_lossy().contains(".corrupt-"))
            .collect();
        kept.sort();
        kept
    }

    #[test]
    fn corrupt_files_in_the_same_second_are_all_kept_private_and_only_the_newest_few() {
        let (_d, store) = store();
        let mut reasons = Vec::new();
        for n in 0..5 {
            fsutil::write_private_atomic(store.path(), format!("{{\"session\": {n}").as_bytes())
                .unwrap();
            fs::set_permissions(store.path(), fs::Permissions::from_mode(0o644)).unwrap();
            reasons.push(store.load().unwrap_err().to_string());
            let kept = kept_files(&store);
            assert_eq!(kept.len(), (n + 1).min(KEPT_CORRUPT_FILES), "{kept:?}");
            for file in &kept {
                let mode = fs::metadata(file).unwrap().permissions().mode() & 0o777;
                assert_eq!(mode, 0o600, "{}", file.display());
            }
        }
        // The newest survive: the last file written is among them.
        let kept = kept_files(&store);
        assert!(kept
            .iter()
            .any(|k| fs::read_to_string(k).unwrap() == "{\"session\": 4"));
        assert!(reasons.iter().all(|r| r.contains("session.json")));
    }

    #[test]
    fn an_absurd_date_is_a_corrupt_file_not_a_panic() {
        let (_d, store) = store();
        let mut doc = serde_json::json!({"session": sample(OffsetDateTime::now_utc(), 60)});
        doc["session"]["authorized_at"] = "9999-12-31T23:59:59Z".into();
        fsutil::write_private_atomic(store.path(), doc.to_string().as_bytes()).unwrap();
        let err = store.load().unwrap_err();
        assert!(matches!(err, Error::CorruptStore { .. }), "{err}");
        assert!(err.to_string().contains("authorized_at"), "{err}");
        assert_eq!(store.load().unwrap(), None);
    }

    #[test]
    fn a_corrupt_file_s_reason_never_quotes_its_values() {
        let (_d, store) = store();
        let mut doc = serde_json::json!({"session": sample(OffsetDateTime::now_utc(), 60)});
        // A token where a number belongs: serde's own message would quote it.
        doc["session"]["scopes"] = 12345.into();
        doc["session"]["profile"] = "u-secret-looking-value".into();
        fsutil::write_private_atomic(store.path(), doc.to_string().as_bytes()).unwrap();
        let err = store.load().unwrap_err().to_string();
        assert!(!err.contains("u-secret-looking-value"), "{err}");
        assert!(!err.contains("12345"), "{err}");
        let access = "u-tokvalue-8f3a";
        fsutil::write_private_atomic(
            store.path(),
            format!("{{\"session\": {{\"access_token\": \"{access}\", oops}}}}").as_bytes(),
        )
        .unwrap();
        let err = store.load().unwrap_err().to_string();
        assert!(!err.contains(access), "{err}");
        assert!(err.contains("line 1"), "{err}");
    }
}
