//! Keeps the window's session fresh and current: refreshes the access token when it enters its
//! refresh margin, and notices sessions written by the CLI (sign-in, refresh, logout) so the
//! window always shows what the shared store holds.

use std::time::Duration;

use feishu_oauth::{Error, Session, TokenStatus};
use tauri::{AppHandle, Emitter, Manager, Runtime};
use time::OffsetDateTime;
use tracing::warn;

use crate::{activity, models::SessionView, state::AppState};

/// How often the store is looked at: a stat-sized read of a small file.
const TICK: Duration = Duration::from_secs(2);
/// The wait after a failed background refresh, doubled after each further failure...
const FIRST_BACKOFF: Duration = Duration::from_secs(15);
/// ...up to this, so an outage is not met with a request every tick.
const MAX_BACKOFF: Duration = Duration::from_secs(300);

/// Runs until the app exits.
pub async fn run<R: Runtime>(app: AppHandle<R>) {
    // What the window opens on (`window::create` hands it over), so the first look at the store
    // sends no event unless something changed since.
    let mut shown: Option<Session> = app
        .state::<AppState>()
        .backend()
        .sessions
        .current()
        .ok()
        .flatten();
    let mut first = true;
    let mut backoff = FIRST_BACKOFF;
    let mut next_attempt = std::time::Instant::now();
    loop {
        if !first {
            tokio::time::sleep(TICK).await;
        }
        first = false;
        let backend = app.state::<AppState>().backend();
        let mut current = match backend.sessions.current() {
            Ok(session) => session,
            Err(e) => {
                if matches!(e, Error::CorruptStore { .. }) {
                    activity::record(&app, "failed", e.to_string(), None);
                }
                None
            }
        };
        if let Some(session) = &current {
            let now = OffsetDateTime::now_utc();
            let due = std::time::Instant::now() >= next_attempt;
            if due && session.token_status(now) != TokenStatus::Valid && session.can_refresh(now) {
                match backend.sessions.fresh_session(|| backend.client()).await {
                    Ok(fresh) => {
                        if fresh.access_token != session.access_token {
                            activity::record(
                                &app,
                                "refreshed",
                                "Access token refreshed in the background",
                                None,
                            );
                        }
                        current = Some(fresh);
                        backoff = FIRST_BACKOFF;
                        if let Some(e) = backend.sessions.unsaved() {
                            warn!(error = %e, "the refreshed session is not on disk yet");
                            activity::record(&app, "failed", e.to_string(), None);
                        }
                    }
                    Err(e) => {
                        warn!(error = %e, "background refresh failed");
                        activity::record(
                            &app,
                            "failed",
                            format!("Background refresh failed: {e}"),
                            e.feishu_code(),
                        );
                        current = backend.sessions.current().ok().flatten();
                        next_attempt = std::time::Instant::now() + backoff;
                        backoff = (backoff * 2).min(MAX_BACKOFF);
                    }
                }
            }
        }
        if current != shown {
            let view = current
                .as_ref()
                .map(|s| SessionView::new(s, OffsetDateTime::now_utc()));
            let _ = app.emit("session://changed", view);
            shown = current;
        }
    }
}
