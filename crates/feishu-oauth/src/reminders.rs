//! When to tell the desktop that a session is about to end: the refresh token lapsing within a
//! day with nothing set to renew it, and Feishu's forced re-authorization 14 days and 1 day ahead.
//! Each reminder is given once per deadline, remembered in a small file so that an app started
//! every morning does not repeat it.

use std::{
    collections::{BTreeMap, BTreeSet},
    path::{Path, PathBuf},
};

use time::{Duration, OffsetDateTime};

use crate::{fsutil, session::Session};

/// How long before the refresh token lapses a session with nothing to renew it is reminded of.
pub const SESSION_ENDS_WARNING: Duration = Duration::days(1);
/// The first reminder of the forced re-authorization.
pub const REAUTHORIZE_FIRST_WARNING: Duration = Duration::days(14);
/// The last one.
pub const REAUTHORIZE_LAST_WARNING: Duration = Duration::days(1);

/// Something the desktop should be told about a session.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reminder {
    /// The refresh token lapses at `at`, within a day, and nothing will renew it (the keepalive
    /// is off, so once the app closes the session ends).
    SessionEndsSoon {
        /// When it lapses.
        at: OffsetDateTime,
    },
    /// Feishu asks for a new sign-in at `at`, within 14 days.
    ReauthorizeWithinDays {
        /// When.
        at: OffsetDateTime,
    },
    /// Feishu asks for a new sign-in at `at`, within a day.
    ReauthorizeWithinADay {
        /// When.
        at: OffsetDateTime,
    },
}

impl Reminder {
    /// What identifies it while its condition lasts. The session's end has no deadline in its key:
    /// each refresh moves that deadline, and one reminder is enough until the session is safe
    /// again. The re-authorization's deadline is in its key, so a new sign-in is reminded anew.
    fn key(self) -> String {
        match self {
            Reminder::SessionEndsSoon { .. } => "sessionEnds".to_owned(),
            Reminder::ReauthorizeWithinDays { at } => {
                format!("reauthorize14@{}", at.unix_timestamp())
            }
            Reminder::ReauthorizeWithinADay { at } => {
                format!("reauthorize1@{}", at.unix_timestamp())
            }
        }
    }
}

/// The reminders a session calls for at `now`; `keepalive` says whether a keepalive renews it
/// while the app is closed, asked only when that matters (it reads files).
pub fn due(
    session: &Session,
    now: OffsetDateTime,
    keepalive: impl FnOnce() -> bool,
) -> Vec<Reminder> {
    let mut out = Vec::new();
    let reauthorize = session.reauthorization_due_at();
    if now < reauthorize {
        if reauthorize - now <= REAUTHORIZE_LAST_WARNING {
            out.push(Reminder::ReauthorizeWithinADay { at: reauthorize });
        } else if reauthorize - now <= REAUTHORIZE_FIRST_WARNING {
            out.push(Reminder::ReauthorizeWithinDays { at: reauthorize });
        }
    }
    if let (Some(_), Some(at)) = (&session.refresh_token, session.refresh_token_expires_at) {
        // The re-authorization's reminder says it already when it comes first.
        if now < at && at - now <= SESSION_ENDS_WARNING && at < reauthorize && !keepalive() {
            out.push(Reminder::SessionEndsSoon { at });
        }
    }
    out
}

impl Reminder {
    /// The next instant after `now` at which the reminders due for `session` may change: when a
    /// long-running adapter has to look again, with nothing else changing.
    pub fn next_change(session: &Session, now: OffsetDateTime) -> Option<OffsetDateTime> {
        next_change(session, now)
    }
}

fn next_change(session: &Session, now: OffsetDateTime) -> Option<OffsetDateTime> {
    let reauthorize = session.reauthorization_due_at();
    let ends = session.refresh_token_expires_at;
    [
        Some(reauthorize - REAUTHORIZE_FIRST_WARNING),
        Some(reauthorize - REAUTHORIZE_LAST_WARNING),
        Some(reauthorize),
        ends.map(|at| at - SESSION_ENDS_WARNING),
        ends,
    ]
    .into_iter()
    .flatten()
    .filter(|at| *at > now)
    .min()
}

/// The reminders already given, per profile, kept in a private file.
#[derive(Debug)]
pub struct Reminders {
    path: PathBuf,
    given: BTreeMap<String, BTreeSet<String>>,
}

impl Reminders {
    /// The record at `path`; a missing or unreadable one is empty (at worst a reminder repeats).
    pub fn open(path: &Path) -> Self {
        let given = std::fs::read(path)
            .ok()
            .and_then(|bytes| serde_json::from_slice(&bytes).ok())
            .unwrap_or_default();
        Self {
            path: path.to_owned(),
            given,
        }
    }

    /// The reminders `profile`'s session calls for now that were not given yet. What is due is
    /// recorded; a reminder whose condition ended is forgotten, so it is given again if the
    /// condition comes back (a session renewed, then failing to renew again).
    pub fn take(
        &mut self,
        profile: &str,
        session: &Session,
        now: OffsetDateTime,
        keepalive: impl FnOnce() -> bool,
    ) -> Vec<Reminder> {
        let due = due(session, now, keepalive);
        let keys: BTreeSet<String> = due.iter().map(|r| r.key()).collect();
        let given = self.given.entry(profile.to_owned()).or_default();
        let fresh: Vec<Reminder> = due
            .into_iter()
            .filter(|r| !given.contains(&r.key()))
            .collect();
        if *given != keys {
            *given = keys;
            self.save();
        }
        fresh
    }

    fn save(&self) {
        let result = serde_json::to_vec(&self.given)
            .map_err(std::io::Error::from)
            .and_then(|bytes| fsutil::write_private_atomic(&self.path, &bytes));
        if let Err(e) = result {
            tracing::warn!(error = %e, "could not record the reminders given; one may repeat");
        }
    }
}

#[cfg(test)]
mod tests {
    use time::macros::datetime;

    use super::*;
    use crate::session::tests::sample;

    fn session_at(t0: OffsetDateTime) -> Session {
        sample(t0, 7200)
    }

    #[test]
    fn the_refresh_token_s_last_day_is_told_only_when_no_keepalive_renews_it() {
        let t0 = datetime!(2026-06-01 0:00 UTC);
        let s = session_at(t0); // refresh token: 7 days
        assert!(due(&s, t0, || false).is_empty());
        let day6 = t0 + Duration::days(6) + Duration::hours(1);
        let lapses = t0 + Duration::days(7);
        assert_eq!(
            due(&s, day6, || false),
            [Reminder::SessionEndsSoon { at: lapses }]
        );
        assert!(due(&s, day6, || true).is_empty(), "the keepalive renews it");
        assert!(
            due(&s, lapses, || false).is_empty(),
            "gone: nothing to remind of"
        );
        let mut none = s.clone();
        none.refresh_token = None;
        assert!(due(&none, day6, || false).is_empty());
    }

    #[test]
    fn next_change_is_each_instant_at_which_the_reminders_due_change() {
        let t0 = datetime!(2026-06-01 0:00 UTC);
        let s = session_at(t0);
        let reauthorize = s.reauthorization_due_at();
        let mut now = t0;
        let mut seen = Vec::new();
        while let Some(at) = next_change(&s, now) {
            assert!(at > now);
            assert_eq!(
                due(&s, at - Duration::SECOND, || false),
                due(&s, now, || false)
            );
            seen.push(at);
            now = at;
        }
        assert_eq!(
            seen,
            [
                t0 + Duration::days(6),
                t0 + Duration::days(7),
                reauthorize - REAUTHORIZE_FIRST_WARNING,
                reauthorize - REAUTHORIZE_LAST_WARNING,
                reauthorize,
            ]
        );
    }

    #[test]
    fn the_forced_re_authorization_is_told_14_days_and_1_day_ahead() {
        let t0 = datetime!(2026-06-01 0:00 UTC);
        let s = session_at(t0);
        let due_at = s.reauthorization_due_at();
        let mut renewed = s.clone();
        // Renewed the day before, so the refresh token is not the story.
        let mut at = |before: Duration| {
            let now = due_at - before;
            renewed.refresh_token_expires_at = Some(now + Duration::days(7));
            due(&renewed, now, || false)
        };
        assert!(at(Duration::days(15)).is_empty());
        assert_eq!(
            at(Duration::days(14)),
            [Reminder::ReauthorizeWithinDays { at: due_at }]
        );
        assert_eq!(
            at(Duration::hours(23)),
            [Reminder::ReauthorizeWithinADay { at: due_at }]
        );
    }

    #[test]
    fn each_reminder_is_given_once_across_restarts_and_a_broken_record_is_no_failure() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("reminders.json");
        let t0 = datetime!(2026-06-01 0:00 UTC);
        let s = session_at(t0);
        let day6 = t0 + Duration::days(6) + Duration::hours(1);

        let mut r = Reminders::open(&path);
        assert_eq!(r.take("work", &s, day6, || false).len(), 1);
        assert!(r.take("work", &s, day6, || false).is_empty());
        assert_eq!(r.take("home", &s, day6, || false).len(), 1, "per profile");
        let mut again = Reminders::open(&path);
        assert!(
            again.take("work", &s, day6, || false).is_empty(),
            "remembered"
        );

        // Renewed (the keepalive now covers it): forgotten, and told again when it comes back.
        assert!(r.take("work", &s, day6, || true).is_empty());
        assert_eq!(r.take("work", &s, day6, || false).len(), 1);

        std::fs::write(&path, b"{not json").unwrap();
        let mut broken = Reminders::open(&path);
        assert_eq!(broken.take("work", &s, day6, || false).len(), 1);
    }
}
