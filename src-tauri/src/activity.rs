//! This run's activity list: what happened, when, and the Feishu code of a failure. No secrets:
//! messages come from the core's errors and from fixed text.

use tauri::{AppHandle, Emitter, Manager, Runtime};
use time::OffsetDateTime;

use crate::{
    models::{rfc3339, ActivityEntry},
    state::AppState,
};

/// The most entries kept.
const MAX_ENTRIES: usize = 200;

/// Records an entry and sends it to the UI (`activity://added`).
pub fn record<R: Runtime>(
    app: &AppHandle<R>,
    kind: &'static str,
    message: impl Into<String>,
    code: Option<u32>,
) {
    let entry = ActivityEntry {
        at: rfc3339(OffsetDateTime::now_utc()),
        kind,
        message: message.into(),
        code,
    };
    tracing::info!(kind, message = %entry.message, code, "activity");
    if let Some(state) = app.try_state::<AppState>() {
        let mut log = state
            .activity
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if log.len() == MAX_ENTRIES {
            log.remove(0);
        }
        log.push(entry.clone());
    }
    let _ = app.emit("activity://added", entry);
}
