//! This run's activity list: what happened, when, and the Feishu code of a failure. No secrets:
//! details come from the core's errors, whose messages never quote one.

use std::sync::{Mutex, PoisonError};

use tauri::{AppHandle, Manager, Runtime};
use time::OffsetDateTime;

use crate::{
    events::{self, Activity, ActivityEntry},
    state::AppState,
    views::rfc3339,
};

/// The most entries kept.
const MAX_ENTRIES: usize = 200;

/// The entries, oldest first, and the next sequence number.
#[derive(Debug, Default)]
pub struct ActivityLog {
    inner: Mutex<(u64, Vec<ActivityEntry>)>,
}

impl ActivityLog {
    /// A copy of the entries.
    pub fn entries(&self) -> Vec<ActivityEntry> {
        self.inner
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .1
            .clone()
    }

    fn push(&self, activity: Activity, code: Option<u32>) -> ActivityEntry {
        let mut inner = self.inner.lock().unwrap_or_else(PoisonError::into_inner);
        inner.0 += 1;
        let entry = ActivityEntry {
            seq: inner.0,
            at: rfc3339(OffsetDateTime::now_utc()),
            activity,
            code,
        };
        if inner.1.len() == MAX_ENTRIES {
            inner.1.remove(0);
        }
        inner.1.push(entry.clone());
        entry
    }
}

/// Records an entry and sends it to the window (`activity://added`).
pub fn record<R: Runtime>(app: &AppHandle<R>, activity: Activity, code: Option<u32>) {
    tracing::info!(?activity, code, "activity");
    if let Some(state) = app.try_state::<AppState>() {
        let entry = state.activity.push(activity, code);
        events::emit(app, events::ACTIVITY_ADDED, entry);
    }
}
