//! This run's activity list: what happened, when, and the Feishu code of a failure. No secrets:
//! details come from the core's errors, whose messages never quote one.

use tauri::{AppHandle, Manager, Runtime};

use crate::{
    events::{self, Activity},
    state::AppState,
};

/// Records an entry and tells the window (`activity://added`).
pub fn record<R: Runtime>(app: &AppHandle<R>, activity: Activity, code: Option<u32>) {
    tracing::info!(?activity, code, "activity");
    if let Some(state) = app.try_state::<AppState>() {
        state.activity.push(activity, code);
        events::ring(app, events::ACTIVITY_ADDED);
    }
}
