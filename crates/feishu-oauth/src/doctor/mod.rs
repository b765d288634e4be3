//! The doctor: what a person (or a helpdesk) runs when signing in does not work. Each check looks
//! at one thing the sign-in depends on (the settings, the network path to Feishu, the callback's
//! way back, the desktop's keyring, the session's files and locks) and says what it found and, for
//! a problem, what to do.
//!
//! The checks are data ([`Report`], [`Check`]): the CLI prints them (`feishu-auth doctor`), the
//! window can show the same. They only look: nothing here writes a file, takes the session's
//! locks (their holders are read from `/proc/locks`) or sets a corrupt session file aside (the
//! session store would); the redirect port is bound for an instant and let go. Running the doctor
//! changes nothing it diagnoses. No check's text holds a secret: the App Secret is only "set", and
//! tokens are never read out.

mod clock;
mod configuration;
mod deep_link;
mod endpoints;
mod keyring;
mod locks;
mod procfs;
mod proxy;
mod redirect_port;
mod session_files;

use std::{path::Path, sync::Arc, time::Duration};

use serde::Serialize;

use crate::{account::Account, profiles::Profiles, sandbox::SandboxLauncher, store::FileStore};

pub use clock::{clock_skew, parse_http_date, MAX_CLOCK_SKEW};
pub use proxy::{proxy_for, ProxyChoice};
pub use session_files::private_mode_fault;

/// How a check came out; ordered by severity, so the worst of several is their `max`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// Does not apply (the profile's route does not use it, or the settings could not be read).
    Skipped,
    /// Nothing to do.
    Ok,
    /// Not what it should be, but the sign-in can still work (or works another way).
    Warning,
    /// The sign-in, or keeping the session, cannot work until this is fixed.
    Failed,
}

impl Status {
    /// `ok`, `warning`, `failed`, `skipped`.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Ok => "ok",
            Status::Warning => "warning",
            Status::Failed => "failed",
            Status::Skipped => "skipped",
        }
    }
}

/// One check's result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Check {
    /// A stable name for scripts (`redirect-port`).
    pub id: &'static str,
    /// What was checked, for a person (`Redirect port`).
    pub title: &'static str,
    /// How it came out.
    pub status: Status,
    /// What was found, in one sentence.
    pub finding: String,
    /// What to do, for a warning or a failure.
    pub advice: Option<String>,
    /// The facts behind the finding, one per line (`Session file: /home/…/session.json`).
    pub details: Vec<String>,
}

impl Check {
    pub(crate) fn new(
        id: &'static str,
        title: &'static str,
        status: Status,
        finding: impl Into<String>,
    ) -> Self {
        Self {
            id,
            title,
            status,
            finding: finding.into(),
            advice: None,
            details: Vec::new(),
        }
    }

    #[must_use]
    pub(crate) fn advice(mut self, advice: impl Into<String>) -> Self {
        self.advice = Some(advice.into());
        self
    }

    #[must_use]
    pub(crate) fn details(mut self, details: Vec<String>) -> Self {
        self.details = details;
        self
    }
}

/// Every check, in the order a sign-in meets them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Report {
    /// The profile examined.
    pub profile: String,
    /// The checks.
    pub checks: Vec<Check>,
}

impl Report {
    /// Whether a check failed (the CLI then exits non-zero; warnings alone do not).
    pub fn has_failure(&self) -> bool {
        self.checks.iter().any(|c| c.status == Status::Failed)
    }
}

/// How long a check that asks another process (the session bus) may take.
const BUS_TIMEOUT: Duration = Duration::from_secs(3);
/// How long `xdg-mime` may take to say who handles the scheme.
const XDG_MIME_TIMEOUT: Duration = Duration::from_secs(5);

/// Examines profile `name`. Its sandbox (no App ID) is started through `launcher`, as any command
/// that needs the network would; `app` is the desktop app's executable, which the deep-link scheme
/// must be registered to. Never fails: what cannot be examined is a failed or skipped check.
pub async fn examine(
    profiles: &Profiles,
    name: &str,
    launcher: Arc<dyn SandboxLauncher>,
    app: &Path,
) -> Report {
    let mut checks = Vec::new();
    let (check, layered) = configuration::check(profiles, name);
    checks.push(check);
    let Some(layered) = layered else {
        for (id, title) in [
            endpoints::ACCOUNTS,
            endpoints::OPEN_API,
            clock::CLOCK,
            redirect_port::REDIRECT_PORT,
            deep_link::DEEP_LINK,
        ] {
            checks.push(skipped_for_config(id, title));
        }
        checks.push(keyring_check().await);
        for (id, title) in [session_files::SESSION_FILES, locks::LOCKS] {
            checks.push(skipped_for_config(id, title));
        }
        return report(name, checks);
    };
    let config = layered.config;
    let account = Account::with_file_store(config.clone(), launcher);
    let reached = endpoints::check(&account).await;
    checks.extend(reached.checks);
    checks.push(clock::check(reached.server_date.as_ref()));
    checks.push(redirect_port::check(&config.redirect_uri));
    checks.push(deep_link_check(&config.redirect_uri, app).await);
    checks.push(keyring_check().await);
    checks.push(session_files::check(
        &FileStore::for_config(&config),
        account.issuer(),
    ));
    checks.push(locks::check(&config.session_path()));
    report(name, checks)
}

fn report(name: &str, checks: Vec<Check>) -> Report {
    Report {
        profile: name.to_owned(),
        checks,
    }
}

fn skipped_for_config(id: &'static str, title: &'static str) -> Check {
    Check::new(
        id,
        title,
        Status::Skipped,
        "not checked: the settings could not be read",
    )
}

/// Runs a check that asks another program on a thread of its own, for at most `limit`. Not a
/// tokio blocking task: the runtime waits for those when it shuts down, so a bus or a script that
/// never answers would hang the command at its end; a plain thread is simply left behind.
async fn off_thread(
    (id, title): (&'static str, &'static str),
    limit: Duration,
    (what, advice): (&str, &str),
    check: impl FnOnce() -> Check + Send + 'static,
) -> Check {
    let (sender, answer) = tokio::sync::oneshot::channel();
    let spawned = std::thread::Builder::new()
        .name(format!("doctor-{id}"))
        .spawn(move || {
            let _ = sender.send(check());
        });
    let not_checked = |why: String| {
        Check::new(
            id,
            title,
            Status::Warning,
            format!("could not be checked: {why}"),
        )
        .advice("Try again")
    };
    if let Err(e) = spawned {
        return not_checked(e.to_string());
    }
    match tokio::time::timeout(limit, answer).await {
        Ok(Ok(check)) => check,
        Ok(Err(_)) => not_checked("the check stopped".to_owned()),
        Err(_) => Check::new(
            id,
            title,
            Status::Warning,
            format!("{what} did not answer within {} s", limit.as_secs()),
        )
        .advice(advice),
    }
}

/// `xdg-mime` (a shell script, about 0.1 s) is asked off the async thread.
async fn deep_link_check(redirect: &crate::redirect::RedirectUri, app: &Path) -> Check {
    let redirect = redirect.clone();
    let app = app.to_path_buf();
    let advice = "Try again; if xdg-mime still hangs, a service of the desktop session (on its session bus) is stuck: log out and in again";
    off_thread(
        deep_link::DEEP_LINK,
        XDG_MIME_TIMEOUT,
        ("xdg-mime", advice),
        move || deep_link::check(&redirect, &app),
    )
    .await
}

/// The session bus is asked with zbus's blocking API, for at most [`BUS_TIMEOUT`]: a bus that
/// does not answer is a finding, not a hang.
async fn keyring_check() -> Check {
    off_thread(
        keyring::KEYRING,
        BUS_TIMEOUT,
        ("the session bus", keyring::NO_KEYRING_ADVICE),
        keyring::check,
    )
    .await
}

/// `text` with its first letter in upper case: a clause made a sentence of its own.
pub(crate) fn capitalized(text: &str) -> String {
    let mut chars = text.chars();
    chars.next().map_or_else(String::new, |first| {
        first.to_uppercase().chain(chars).collect()
    })
}

/// A duration as a person reads it: `1 h 59 min`, `6 days`, `42 s`.
pub(crate) fn span(d: time::Duration) -> String {
    let s = d.whole_seconds().unsigned_abs();
    match s {
        0..=119 => format!("{s} s"),
        120..=3599 => format!("{} min", s / 60),
        3600..=172_799 => {
            let (h, m) = (s / 3600, s % 3600 / 60);
            if m == 0 {
                format!("{h} h")
            } else {
                format!("{h} h {m} min")
            }
        }
        _ => format!("{} days", s / 86_400),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spans_read_as_a_person_would_say_them() {
        assert_eq!(span(time::Duration::seconds(42)), "42 s");
        assert_eq!(span(time::Duration::seconds(-300)), "5 min");
        assert_eq!(span(time::Duration::seconds(7140)), "1 h 59 min");
        assert_eq!(span(time::Duration::hours(2)), "2 h");
        assert_eq!(span(time::Duration::days(6)), "6 days");
    }

    #[test]
    fn statuses_serialize_as_the_json_names() {
        for s in [Status::Ok, Status::Warning, Status::Failed, Status::Skipped] {
            assert_eq!(serde_json::to_value(s).unwrap(), s.as_str());
        }
        assert_eq!(
            [Status::Warning, Status::Failed, Status::Ok]
                .into_iter()
                .max(),
            Some(Status::Failed)
        );
    }
}
