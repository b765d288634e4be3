//! This run's activity list: what happened, when, and the Feishu code of a failure. No secrets:
//! details come from the core's errors, whose messages never quote one.

use tauri::{AppHandle, Manager, Runtime};

use crate::{
    events::{self, Activity},
    state::AppState,
};

/// Records an entry and sends it to the window (`activity://added`).
pub fn record<R: Runtime>(app: &AppHandle<R>, activity: Activity, code: Option<u32>) {
    tracing::info!(?activity, code, "activity");
    if let Some(state) = app.try_state::<AppState>() {
        let entry = state.activity.push(activity, code);
        events::emit(app, events::ACTIVITY_ADDED, entry);
    }
}
