//! The session the window was last told of, at a rising revision. Every path that learns the
//! session (a command's answer, the keeper's tick, a sign-in) publishes it here; only a change
//! raises the revision and rings `session://changed`, and the window asks `session` then; it
//! applies whichever answer is newest, and never an older one after it.

use std::sync::{Mutex, PoisonError};

use feishu_oauth::{Account, Result, Session, TokenStatus};
use tauri::{AppHandle, Runtime};
use time::OffsetDateTime;

use crate::{
    events::{self, RefreshTrouble, SessionState},
    views::SessionView,
};

/// The published session and its revision.
#[derive(Debug)]
pub struct SessionFeed {
    current: Mutex<Published>,
}

#[derive(Debug)]
struct Published {
    revision: u64,
    session: Option<Session>,
    trouble: Option<RefreshTrouble>,
    /// The last change was a session ending because it could not be renewed.
    ended: bool,
}

impl Published {
    /// Holds `session`; `true` when that is a change (and the revision rose).
    fn hold(&mut self, session: Option<Session>) -> bool {
        if self.session == session {
            return false;
        }
        self.revision += 1;
        self.session = session;
        self.ended = false;
        true
    }

    /// Holds the background refresh's trouble; `true` when that is a change.
    fn hold_trouble(&mut self, trouble: Option<RefreshTrouble>) -> bool {
        if self.trouble == trouble {
            return false;
        }
        self.revision += 1;
        self.trouble = trouble;
        true
    }

    fn state(&self) -> SessionState {
        let now = OffsetDateTime::now_utc();
        let session = self.session.as_ref().map(|s| SessionView::new(s, now));
        // A token that is valid (refreshed by a Refresh now, or by the CLI) has nothing failing,
        // whatever the keeper last said.
        let needs_refresh = session
            .as_ref()
            .is_some_and(|s| s.token_status != TokenStatus::Valid);
        SessionState {
            revision: self.revision,
            session,
            refresh_trouble: self.trouble.clone().filter(|_| needs_refresh),
            ended: self.ended && self.session.is_none(),
        }
    }
}

impl SessionFeed {
    /// A feed that starts at revision 1 with `session` (what the window opens on).
    pub fn new(session: Option<Session>) -> Self {
        Self {
            current: Mutex::new(Published {
                revision: 1,
                session,
                trouble: None,
                ended: false,
            }),
        }
    }

    /// Publishes `session`, which the caller has just made or read (a sign-in's, the keeper's):
    /// a change raises the revision and is sent to the window. Returns the state that holds it.
    pub fn publish<R: Runtime>(
        &self,
        app: &AppHandle<R>,
        session: Option<Session>,
    ) -> SessionState {
        let (changed, state) = {
            let mut current = self.current.lock().unwrap_or_else(PoisonError::into_inner);
            (current.hold(session), current.state())
        };
        if changed {
            events::ring(app, events::SESSION_CHANGED);
        }
        state
    }

    /// Publishes what the keeper found: the session, whether its background refresh is failing,
    /// and whether it just `ended` because it could not be renewed.
    pub fn publish_kept<R: Runtime>(
        &self,
        app: &AppHandle<R>,
        session: Option<Session>,
        trouble: Option<RefreshTrouble>,
        ended: bool,
    ) {
        let changed = {
            let mut current = self.current.lock().unwrap_or_else(PoisonError::into_inner);
            let changed = current.hold(session) | current.hold_trouble(trouble);
            if changed && ended {
                current.ended = true;
            }
            changed
        };
        if changed {
            events::ring(app, events::SESSION_CHANGED);
        }
    }

    /// Forgets the background refresh's trouble: the window is about to show another profile,
    /// whose own the keeper tells at its next tick.
    pub fn forget_trouble(&self) {
        let _ = self
            .current
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .hold_trouble(None);
    }

    /// Reads `account`'s session and publishes it, holding the feed meanwhile: a read that began
    /// before another publish cannot follow it with an older session.
    pub fn publish_current<R: Runtime>(
        &self,
        app: &AppHandle<R>,
        account: &Account,
    ) -> Result<SessionState> {
        let (changed, state) = {
            let mut current = self.current.lock().unwrap_or_else(PoisonError::into_inner);
            let session = account.current()?;
            (current.hold(session), current.state())
        };
        if changed {
            events::ring(app, events::SESSION_CHANGED);
        }
        Ok(state)
    }

    /// The last published state.
    pub fn latest(&self) -> SessionState {
        self.current
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .state()
    }
}
