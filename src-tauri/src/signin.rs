//! The sign-in from the window: begin, make the callback receiver ready (loopback listener or
//! deep-link slot), open the browser, wait (cancellable, with a deadline), bring the window to the
//! front, exchange, save, and tell the UI at each step.
//!
//! The session is on disk (atomically, under the store's write lock) before the window is told it
//! is signed in: a crash right after never shows a session that does not exist.

use std::time::Duration;

use feishu_oauth::{
    begin, Callback, Error, LoopbackListener, RedirectUri, Responder, Scopes, Session,
    SignInRequest,
};
use tauri::{AppHandle, Emitter, Manager, Runtime};
use tauri_plugin_opener::OpenerExt;
use time::OffsetDateTime;
use tokio::sync::{mpsc, oneshot};

use crate::{
    activity,
    backend::Backend,
    error::{CommandResult, ShellError},
    models::{rfc3339, Progress, Route, SessionView, Stage},
    state::{AppState, PendingFlow},
};

/// How long the browser has to come back.
pub const SIGN_IN_TIMEOUT: Duration = Duration::from_secs(300);
/// How long a new sign-in waits for the one it replaces to release its port.
const RELEASE_WAIT: Duration = Duration::from_secs(5);

/// Sends `sign-in://progress` events for one sign-in.
struct Reporter<'a, R: Runtime> {
    app: &'a AppHandle<R>,
    route: Route,
    deadline: String,
}

impl<R: Runtime> Reporter<'_, R> {
    fn stage(&self, stage: Stage, error: Option<ShellError>) {
        let progress = Progress {
            stage,
            route: self.route,
            deadline: self.deadline.clone(),
            error,
        };
        let _ = self.app.emit("sign-in://progress", progress);
    }
}

/// Runs a whole sign-in; resolves when it succeeded, failed, timed out or was cancelled.
pub async fn run<R: Runtime>(
    app: &AppHandle<R>,
    route: Route,
    scopes: Vec<String>,
) -> CommandResult<SessionView> {
    let backend = app.state::<AppState>().backend();
    let report = Reporter {
        app,
        route,
        deadline: rfc3339(OffsetDateTime::now_utc() + SIGN_IN_TIMEOUT),
    };
    match attempt(&report, &backend, &scopes).await {
        Ok(session) => {
            if let Err(e) = backend.sessions.save(&session) {
                let error = ShellError::from(e);
                activity::record(app, "failed", error.message.clone(), error.code);
                report.stage(Stage::Failed, Some(error.clone()));
                return Err(error);
            }
            let view = SessionView::new(&session, OffsetDateTime::now_utc());
            report.stage(Stage::SignedIn, None);
            let _ = app.emit("session://changed", Some(&view));
            activity::record(
                app,
                "exchanged",
                format!(
                    "Signed in as {}; scopes: {}",
                    session.profile.name, session.scopes
                ),
                None,
            );
            Ok(view)
        }
        Err(Error::Cancelled) => {
            activity::record(app, "cancelled", "Sign-in cancelled", None);
            let error = ShellError::from(Error::Cancelled);
            report.stage(Stage::Cancelled, Some(error.clone()));
            Err(error)
        }
        Err(e) => {
            let error = ShellError::from(e);
            activity::record(app, "failed", error.message.clone(), error.code);
            report.stage(Stage::Failed, Some(error.clone()));
            Err(error)
        }
    }
}

async fn attempt<R: Runtime>(
    report: &Reporter<'_, R>,
    backend: &Backend,
    scopes: &[String],
) -> Result<Session, Error> {
    let app = report.app;
    let config = backend.resolved_config().await?;
    let client = backend.client().await?;
    let scopes = Scopes::from_iter_checked(scopes).map_err(|e| Error::config("scopes", e))?;
    let redirect_uri = backend.redirect_for(report.route);
    let (url, pending) = begin(SignInRequest {
        authorize_url: config.endpoints()?.authorize,
        app_id: client.app_id().to_owned(),
        redirect_uri: redirect_uri.clone(),
        scopes,
        brand: backend.brand().to_owned(),
    });

    let (deep_link_tx, deep_link_rx) = mpsc::channel(1);
    let (cancel_tx, cancel_rx) = oneshot::channel();
    // Dropped after the listener (locals drop in reverse order): tells a newer sign-in that this
    // one's port is free.
    let (released_tx, released_rx) = oneshot::channel::<()>();
    let _released = released_tx;
    let state = app.state::<AppState>();
    let flow_id = state.next_flow_id();
    let replaced = state.pending().replace(PendingFlow {
        id: flow_id,
        matcher: pending.state_matcher(),
        redirect_uri: redirect_uri.clone(),
        deep_link: (report.route == Route::DeepLink).then_some(deep_link_tx),
        cancel: Some(cancel_tx),
        released: Some(released_rx),
    });
    let _clear = ClearPending {
        app: app.clone(),
        id: flow_id,
    };
    // A newer sign-in (a second click, a reloaded window) ends the older one and waits until its
    // port is released, instead of failing to bind it.
    if let Some(mut old) = replaced {
        if let Some(cancel) = old.cancel.take() {
            let _ = cancel.send(());
        }
        if let Some(released) = old.released.take() {
            let _ = tokio::time::timeout(RELEASE_WAIT, released).await;
        }
    }

    // The receiver is ready before the browser opens.
    let listener = match report.route {
        Route::Loopback => Some(LoopbackListener::bind(&redirect_uri).await?),
        Route::DeepLink => None,
    };

    report.stage(Stage::Started, None);
    activity::record(
        app,
        "started",
        format!(
            "Sign-in started ({}, redirect {redirect_uri})",
            backend.brand()
        ),
        None,
    );
    match &config.browser {
        Some(command) => feishu_oauth::browser::open_with_command(command, url.as_str())?,
        None => app
            .opener()
            .open_url(url.as_str(), None::<&str>)
            .map_err(|e| Error::Browser {
                command: "the system browser".into(),
                reason: e.to_string(),
            })?,
    }
    report.stage(Stage::BrowserOpened, None);
    activity::record(
        app,
        "browserOpened",
        "Browser opened at the authorize page",
        None,
    );
    report.stage(Stage::Waiting, None);

    let (callback, responder) = tokio::select! {
        arrival = wait_for_callback(listener, deep_link_rx, pending.state_matcher(), &redirect_uri) => arrival?,
        _ = cancel_rx => return Err(Error::Cancelled),
    };
    bring_to_front(app);
    report.stage(Stage::CallbackReceived, None);
    activity::record(
        app,
        "callbackReceived",
        "Callback received from the browser",
        None,
    );
    report.stage(Stage::Exchanging, None);
    let outcome = pending.complete(callback, &client).await;
    if let Some(responder) = responder {
        // The browser's page is written beside the window's update, not before it: the window
        // shows the session at once, however slowly the browser reads its answer.
        let page = match &outcome {
            Ok(session) => Ok(session.profile.name.clone()),
            Err(e) => Err(e.to_string()),
        };
        tauri::async_runtime::spawn(async move {
            match page {
                Ok(name) => responder.succeeded(&name).await,
                Err(message) => responder.failed(&message).await,
            }
        });
    }
    outcome
}

/// The callback from the loopback listener (with its browser to answer) or from a deep link.
async fn wait_for_callback(
    listener: Option<LoopbackListener>,
    mut deep_link: mpsc::Receiver<Callback>,
    matcher: feishu_oauth::StateMatcher,
    redirect_uri: &RedirectUri,
) -> Result<(Callback, Option<Responder>), Error> {
    match listener {
        Some(listener) => listener
            .wait(matcher, SIGN_IN_TIMEOUT)
            .await
            .map(|a| (a.callback, Some(a.responder))),
        None => match tokio::time::timeout(SIGN_IN_TIMEOUT, deep_link.recv()).await {
            Ok(Some(callback)) => Ok((callback, None)),
            Ok(None) => Err(Error::Cancelled),
            Err(_) => Err(Error::Timeout {
                timeout: SIGN_IN_TIMEOUT,
                redirect_uri: redirect_uri.to_string(),
            }),
        },
    }
}

/// Cancels the sign-in in progress, if any; its port is released at once.
pub fn cancel<R: Runtime>(app: &AppHandle<R>) {
    let state = app.state::<AppState>();
    let cancel = state.pending().as_mut().and_then(|flow| flow.cancel.take());
    if let Some(cancel) = cancel {
        let _ = cancel.send(());
    }
}

/// Shows and focuses the main window: the user is coming back from the browser.
pub fn bring_to_front<R: Runtime>(app: &AppHandle<R>) {
    if let Some(window) = app.get_webview_window(crate::window::MAIN) {
        let _ = window.unminimize();
        let _ = window.show();
        let _ = window.set_focus();
    }
}

/// Clears the pending slot when this sign-in ends, unless a newer one took it.
struct ClearPending<R: Runtime> {
    app: AppHandle<R>,
    id: u64,
}

impl<R: Runtime> Drop for ClearPending<R> {
    fn drop(&mut self) {
        let state = self.app.state::<AppState>();
        let mut pending = state.pending();
        if pending.as_ref().is_some_and(|flow| flow.id == self.id) {
            *pending = None;
        }
    }
}
