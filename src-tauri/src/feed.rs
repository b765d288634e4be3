//! The session the window was last told of, at a rising revision. Every path that learns the
//! session (a command's answer, the keeper's tick, a sign-in) publishes it here; only a change
//! raises the revision and sends `session://changed`, so the window applies whichever of an
//! event and an answer is newest, and never an older one after it.

use std::sync::{Mutex, PoisonError};

use feishu_oauth::Session;
use tauri::{AppHandle, Runtime};
use time::OffsetDateTime;

use crate::{
    events::{self, SessionState},
    views::SessionView,
};

/// The published session and its revision.
#[derive(Debug)]
pub struct SessionFeed {
    current: Mutex<(u64, Option<Session>)>,
}

impl SessionFeed {
    /// A feed that starts at revision 1 with `session` (what the window opens on).
    pub fn new(session: Option<Session>) -> Self {
        Self {
            current: Mutex::new((1, session)),
        }
    }

    /// Publishes `session`: a change raises the revision and is sent to the window. Returns the
    /// state at the revision that holds it.
    pub fn publish<R: Runtime>(
        &self,
        app: &AppHandle<R>,
        session: Option<Session>,
    ) -> SessionState {
        let state = {
            let mut current = self.current.lock().unwrap_or_else(PoisonError::into_inner);
            if current.1 == session {
                return state_of(current.0, current.1.as_ref());
            }
            current.0 += 1;
            current.1 = session;
            state_of(current.0, current.1.as_ref())
        };
        events::emit(app, events::SESSION_CHANGED, state.clone());
        state
    }

    /// The last published state.
    pub fn latest(&self) -> SessionState {
        let current = self.current.lock().unwrap_or_else(PoisonError::into_inner);
        state_of(current.0, current.1.as_ref())
    }
}

fn state_of(revision: u64, session: Option<&Session>) -> SessionState {
    SessionState {
        revision,
        session: session.map(|s| SessionView::new(s, OffsetDateTime::now_utc())),
    }
}
