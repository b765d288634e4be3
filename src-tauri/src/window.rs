//! The main window, made in `setup` instead of from the config so that it carries the state it
//! opens on.
//!
//! Asking for the session, settings and activity over IPC, and subscribing to the events first,
//! took several round trips before the page could paint anything real. The window's
//! initialization script hands the page the same three answers instead (`window.
//! __FEISHU_SIGNIN_INITIAL__`, read and deleted by `ui/actions.js`), so the first paint is the
//! signed-in or signed-out view; the page subscribes and asks again right after it, so nothing
//! that changes in between is missed (the session's revision says which answer is newer). The
//! answers are views: no token, code or secret is in them.

use serde::Serialize;
use tauri::{AppHandle, Manager, Runtime, WebviewWindowBuilder};

use crate::{error::ShellError, settings, state::AppState};

/// The label of the one window, as in `tauri.conf.json`.
pub const MAIN: &str = "main";

/// One answer in the shape `Promise.allSettled` gives the page.
#[derive(Serialize)]
#[serde(tag = "status", rename_all = "camelCase")]
enum Settled<T> {
    Fulfilled { value: T },
    Rejected { reason: ShellError },
}

impl<T> From<Result<T, ShellError>> for Settled<T> {
    fn from(result: Result<T, ShellError>) -> Self {
        match result {
            Ok(value) => Self::Fulfilled { value },
            Err(reason) => Self::Rejected { reason },
        }
    }
}

/// What the `session`, `settings` and `activity` commands would answer now.
#[derive(Serialize)]
struct Initial<S, T, A> {
    session: Settled<S>,
    settings: Settled<T>,
    activity: Settled<A>,
}

/// The script that puts the initial state on the page before its own scripts run.
pub fn initial_state_script<R: Runtime>(app: &AppHandle<R>) -> String {
    let state = app.state::<AppState>();
    let account = state.account();
    let session = state
        .feed
        .publish_current(app, &account)
        .map_err(ShellError::from);
    let initial = Initial {
        session: Settled::from(session),
        settings: Settled::Fulfilled {
            value: settings::view(&state.profiles, &state.profile(), &account),
        },
        activity: Settled::Fulfilled {
            value: state.activity.entries_after(0),
        },
    };
    // JSON is a JavaScript expression; should it somehow not serialize, the page asks over IPC.
    serde_json::to_string(&initial).map_or_else(
        |_| String::new(),
        |json| format!("window.__FEISHU_SIGNIN_INITIAL__ = {json};"),
    )
}

/// Makes the main window from its configuration, with the initial state.
pub fn create<R: Runtime>(app: &AppHandle<R>) -> tauri::Result<()> {
    let Some(config) = app.config().app.windows.iter().find(|w| w.label == MAIN) else {
        return Ok(());
    };
    WebviewWindowBuilder::from_config(app, config)?
        .initialization_script(initial_state_script(app))
        .build()?;
    Ok(())
}

/// Shows and focuses the main window: the user is coming back from the browser, or launched the
/// app a second time.
pub fn bring_to_front<R: Runtime>(app: &AppHandle<R>) {
    if let Some(window) = app.get_webview_window(MAIN) {
        let _ = window.unminimize();
        let _ = window.show();
        let _ = window.set_focus();
    }
}
