//! Deep links (`dev.feishu-signin.app:/callback?…`): on Linux the OS starts a second process with
//! the URL as its argument, and tauri-plugin-single-instance hands that process's arguments to the
//! running app, which passes them to the core's sign-in slot. Only a link that parses as a
//! callback to the waiting sign-in's redirect URI and carries its `state` is acted on; anything
//! else is logged and ignored, never exchanged.
//!
//! The arguments are read here rather than by tauri-plugin-deep-link (single-instance's
//! `deep-link` feature): that plugin broadcasts every link to every page as `deep-link://new-url`,
//! and a callback URL carries the authorization code. A page must never receive it.

use tauri::{AppHandle, Manager, Runtime};
use url::Url;

use crate::state::AppState;

/// Reads a second launch's arguments (`[program, url]`, as the OS starts a URL handler) and hands
/// a deep link among them to the waiting sign-in. Other arguments are not links and are ignored.
pub fn handle_args<R: Runtime>(app: &AppHandle<R>, args: &[String]) {
    if let [_program, url] = args {
        if Url::parse(url).is_ok_and(|u| u.scheme() == feishu_oauth::DEEP_LINK_SCHEME) {
            handle_url(app, url);
        }
    }
}

/// Hands each URL to the waiting sign-in if it is its callback.
pub fn handle_urls<R: Runtime>(app: &AppHandle<R>, urls: &[Url]) {
    for url in urls {
        handle_url(app, url.as_str());
    }
}

/// Hands one URL to the waiting sign-in if it is its callback.
pub fn handle_url<R: Runtime>(app: &AppHandle<R>, url: &str) {
    if let Some(state) = app.try_state::<AppState>() {
        state.sign_ins.deliver_deep_link(url);
    }
}
