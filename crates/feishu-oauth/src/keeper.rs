//! The background refresh policy: when a long-running adapter (the window) refreshes on its own,
//! and how it backs off when Feishu or the network fails, so an outage is not met with a request
//! every few seconds. The adapter calls [`Keeper::tick`] when the store changed or when
//! [`Keeper::next_due`] comes, and shows what it reports: nothing runs on a fixed tick.

use std::time::Duration;

use time::OffsetDateTime;
use tracing::warn;

use crate::{
    account::Account,
    error::Error,
    session::{Session, TokenStatus},
};

/// The longest an adapter sleeps without comparing the wall clock with its next deadline. Its
/// sleep runs on the monotonic clock, which stops while the machine is suspended and ignores a
/// clock that is set: so a deadline passed during a suspend, or brought forward by a clock jump,
/// is met at most this late. One wake-up a minute is one context switch against the empty app's
/// ~45 in the idle benchmark's minute (README "Performance").
pub const WALL_CLOCK_CHECK: Duration = Duration::from_secs(60);
/// The wait after a failed background refresh, doubled after each further failure...
const FIRST_BACKOFF: Duration = Duration::from_secs(15);
/// ...up to this.
const MAX_BACKOFF: Duration = Duration::from_secs(300);

/// What happened in one tick, besides the session it found.
#[derive(Debug)]
#[non_exhaustive]
pub enum KeeperEvent {
    /// The access token was refreshed (by this tick; not one another process refreshed).
    Refreshed,
    /// A background refresh failed; the next try waits for the backoff.
    RefreshFailed(Error),
    /// A refreshed session is only in memory: the disk refused it.
    NotSaved(Error),
    /// The session file was unreadable and was moved aside.
    CorruptStore(Error),
}

/// One tick's outcome.
#[derive(Debug)]
pub struct Tick {
    /// The session as it stands now (`None`: signed out).
    pub session: Option<Session>,
    /// What happened, in order.
    pub events: Vec<KeeperEvent>,
}

/// The refresh schedule of one long-running process.
#[derive(Debug)]
pub struct Keeper {
    backoff: Duration,
    /// While the last background refresh failed and none has succeeded since: when the next
    /// one will be tried, by the wall clock (a sleep until it is one of [`Keeper::next_due`]'s
    /// deadlines, met by the wall clock too).
    retrying_at: Option<OffsetDateTime>,
}

impl Default for Keeper {
    fn default() -> Self {
        Self {
            backoff: FIRST_BACKOFF,
            retrying_at: None,
        }
    }
}

impl Keeper {
    /// Reads the session and refreshes it when it is within its refresh margin (or expired but
    /// still refreshable), unless a failure's backoff has not passed.
    pub async fn tick(&mut self, account: &Account) -> Tick {
        let mut events = Vec::new();
        let mut session = match account.current() {
            Ok(session) => session,
            Err(e) => {
                if matches!(e, Error::CorruptStore { .. }) {
                    events.push(KeeperEvent::CorruptStore(e));
                }
                None
            }
        };
        let now = OffsetDateTime::now_utc();
        if session
            .as_ref()
            .is_none_or(|s| s.token_status(now) == TokenStatus::Valid)
        {
            // Signed out, or refreshed by someone else (a Refresh now, the CLI): nothing is
            // failing any more.
            self.recovered();
        }
        if let Some(current) = &session {
            let due = self.retrying_at.is_none_or(|at| {
                // A wall clock set back must not stretch the backoff past its length.
                now >= at || at - now > self.backoff * 2
            });
            if due && current.token_status(now) != TokenStatus::Valid && current.can_refresh(now) {
                match account.fresh_session().await {
                    Ok(fresh) => {
                        if fresh.access_token != current.access_token {
                            events.push(KeeperEvent::Refreshed);
                        }
                        session = Some(fresh);
                        self.recovered();
                        if let Some(e) = account.unsaved() {
                            warn!(error = %e, "the refreshed session is not on disk yet");
                            events.push(KeeperEvent::NotSaved(e));
                        }
                    }
                    Err(e) => {
                        warn!(error = %e, "background refresh failed");
                        events.push(KeeperEvent::RefreshFailed(e));
                        session = account.current().ok().flatten();
                        self.retrying_at = Some(OffsetDateTime::now_utc() + self.backoff);
                        self.backoff = (self.backoff * 2).min(MAX_BACKOFF);
                    }
                }
            }
        }
        Tick { session, events }
    }

    /// The next instant, by the wall clock, at which a tick would find something to do for
    /// `session` (the one the last tick returned): the access token entering its refresh margin,
    /// a failed refresh's retry, a token expiring (the window's state changes). `None`: nothing
    /// is ahead but a change of the store.
    pub fn next_due(
        &self,
        session: Option<&Session>,
        now: OffsetDateTime,
    ) -> Option<OffsetDateTime> {
        let session = session?;
        let margin_entered = session.access_token_expires_at - session.refresh_margin();
        [
            Some(margin_entered),
            Some(session.access_token_expires_at),
            session.refresh_token_expires_at,
            self.retrying_at,
        ]
        .into_iter()
        .flatten()
        .filter(|at| *at > now)
        .min()
    }

    /// When the next background refresh will be tried, while the last one failed (and the
    /// session still needs one): what a window shows as "retrying in 30 s".
    pub fn retrying_at(&self) -> Option<OffsetDateTime> {
        self.retrying_at
    }

    fn recovered(&mut self) {
        self.retrying_at = None;
        self.backoff = FIRST_BACKOFF;
    }
}

#[cfg(test)]
mod tests {
    use time::macros::datetime;

    use super::*;
    use crate::session::tests::sample;

    #[test]
    fn next_due_is_the_refresh_margin_then_each_expiry_and_nothing_when_signed_out() {
        let t0 = datetime!(2026-06-01 0:00 UTC);
        let s = sample(t0, 7200);
        let keeper = Keeper::default();
        let margin = t0 + time::Duration::seconds(7200) - s.refresh_margin();
        assert_eq!(keeper.next_due(Some(&s), t0), Some(margin));
        assert_eq!(
            keeper.next_due(Some(&s), margin),
            Some(s.access_token_expires_at)
        );
        assert_eq!(
            keeper.next_due(Some(&s), s.access_token_expires_at),
            s.refresh_token_expires_at
        );
        assert_eq!(
            keeper.next_due(Some(&s), t0 + time::Duration::days(8)),
            None
        );
        assert_eq!(keeper.next_due(None, t0), None);
    }

    #[test]
    fn a_failed_refresh_s_retry_is_a_deadline() {
        let t0 = datetime!(2026-06-01 0:00 UTC);
        let s = sample(t0, 7200);
        let in_margin = s.access_token_expires_at - time::Duration::minutes(1);
        let retry = in_margin + time::Duration::seconds(15);
        let keeper = Keeper {
            backoff: FIRST_BACKOFF * 2,
            retrying_at: Some(retry),
        };
        assert_eq!(keeper.next_due(Some(&s), in_margin), Some(retry));
    }
}
