//! Deep links (`dev.feishu-signin.app:/callback?…`): on Linux the OS starts a second process with
//! the URL as its argument, and tauri-plugin-single-instance hands that process's arguments to the
//! running app, which reads them here. Only a link that parses as a callback to the pending
//! sign-in's redirect URI and carries its `state` is acted on; anything else is logged and ignored,
//! never exchanged.
//!
//! The arguments are read here rather than by tauri-plugin-deep-link (single-instance's
//! `deep-link` feature): that plugin broadcasts every link to every page as `deep-link://new-url`,
//! and a callback URL carries the authorization code. A page must never receive it.

use feishu_oauth::Callback;
use tauri::{AppHandle, Manager, Runtime};
use tracing::{info, warn};
use url::Url;

use crate::state::AppState;

/// Reads a second launch's arguments (`[program, url]`, as the OS starts a URL handler) and hands
/// a deep link among them to the pending sign-in. Other arguments are not links and are ignored.
pub fn handle_args<R: Runtime>(app: &AppHandle<R>, args: &[String]) {
    if let [_program, url] = args {
        let is_ours =
            Url::parse(url).is_ok_and(|u| u.scheme() == feishu_oauth::redirect::DEEP_LINK_SCHEME);
        if is_ours {
            handle_url(app, url);
        }
    }
}

/// Hands each URL to the pending sign-in if it is its callback.
pub fn handle_urls<R: Runtime>(app: &AppHandle<R>, urls: &[Url]) {
    for url in urls {
        handle_url(app, url.as_str());
    }
}

/// Hands one URL to the pending sign-in if it is its callback.
pub fn handle_url<R: Runtime>(app: &AppHandle<R>, url: &str) {
    let Some(state) = app.try_state::<AppState>() else {
        return;
    };
    let mut pending = state.pending();
    let Some(flow) = pending.as_mut() else {
        warn!(len = url.len(), "deep link ignored: no sign-in is waiting");
        return;
    };
    let callback = match Callback::parse(url, &flow.redirect_uri) {
        Ok(callback) => callback,
        Err(e) => {
            warn!(error = %e, len = url.len(), "deep link ignored");
            return;
        }
    };
    if !flow.matcher.matches(callback.state()) {
        warn!("deep link ignored: its state matches no pending sign-in");
        return;
    }
    let Some(sender) = flow.deep_link.take() else {
        warn!(
            "deep link ignored: this sign-in already received its callback or listens on loopback"
        );
        return;
    };
    info!("sign-in callback received by deep link");
    let _ = sender.try_send(callback);
}
