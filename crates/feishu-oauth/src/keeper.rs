//! The background refresh policy: when a long-running adapter (the window) refreshes on its own,
//! and how it backs off when Feishu or the network fails, so an outage is not met with a request
//! every few seconds. The adapter calls [`Keeper::tick`] every [`TICK`] and shows what it reports.

use std::time::{Duration, Instant};

use time::OffsetDateTime;
use tracing::warn;

use crate::{
    account::Account,
    error::Error,
    session::{Session, TokenStatus},
};

/// How often the store is looked at: a stat-sized read of a small file, which also notices
/// sessions written by another process (a CLI sign-in, refresh or logout).
pub const TICK: Duration = Duration::from_secs(2);
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
    next_attempt: Instant,
    /// While the last background refresh failed and none has succeeded since: when the next
    /// one will be tried, by the wall clock.
    retrying_at: Option<OffsetDateTime>,
}

impl Default for Keeper {
    fn default() -> Self {
        Self {
            backoff: FIRST_BACKOFF,
            next_attempt: Instant::now(),
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
            let due = Instant::now() >= self.next_attempt;
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
                        self.next_attempt = Instant::now() + self.backoff;
                        self.retrying_at = Some(OffsetDateTime::now_utc() + self.backoff);
                        self.backoff = (self.backoff * 2).min(MAX_BACKOFF);
                    }
                }
            }
        }
        Tick { session, events }
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
