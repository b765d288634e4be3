//! The window's sign-in: the core's flow with the system browser (tauri-plugin-opener), and its
//! progress told to the window as events and activity entries. The window is brought to the
//! front when the browser comes back.

use std::{sync::PoisonError, time::Duration};

use base64::Engine as _;
use feishu_oauth::{
    open_with_program,
    signin::{self, CallbackSource, OpenBrowser, Progress, ProgressSink, SignInRequest, Stage},
    Error, Language, Launch, Session,
};
use tauri::{AppHandle, Manager, Runtime};
use tauri_plugin_opener::OpenerExt;
use url::Url;

pub use crate::way::Way;

use crate::{
    activity,
    error::ShellError,
    events::{self, Activity, DeviceView},
    state::AppState,
    views::rfc3339,
    window,
};

/// How long the browser has to come back.
pub const SIGN_IN_TIMEOUT: Duration = Duration::from_secs(300);

/// Runs a whole sign-in `way`; resolves when it succeeded, failed, timed out or was
/// cancelled. A failure carries the sign-in's flow id, as its progress events do.
pub async fn run<R: Runtime>(
    app: &AppHandle<R>,
    route: Way,
    scopes: &[String],
    language: Language,
    same_user: Option<String>,
) -> Result<(u64, Session), ShellError> {
    let state = app.state::<AppState>();
    let account = state.account();
    let flow = state.sign_ins.next_id();
    let window = Window { app, route };
    let request = SignInRequest {
        account: &account,
        // The window always says which scopes: none ticked asks for none.
        scopes: Some(scopes.to_vec()),
        timeout: SIGN_IN_TIMEOUT,
        slot: &state.sign_ins,
        flow,
        language,
        same_user,
    };
    let source = match route {
        Way::Loopback => CallbackSource::Loopback,
        Way::DeepLink => CallbackSource::DeepLink,
        Way::Phone => CallbackSource::Device,
    };
    signin::run(request, source, &window, &window)
        .await
        .map(|session| (flow.0, session))
        .map_err(|e| ShellError::from(e).in_flow(flow.0))
}

/// The window's side of one sign-in.
struct Window<'a, R: Runtime> {
    app: &'a AppHandle<R>,
    route: Way,
}

impl<R: Runtime> OpenBrowser for Window<'_, R> {
    fn open(&self, url: &Url) -> Result<(), Error> {
        self.app
            .opener()
            .open_url(url.as_str(), None::<&str>)
            .map_err(Error::system_browser)
    }

    fn launch(&self, url: &Url) -> Result<Launch, Error> {
        open_page(self.app, url)
    }

    /// The window offers "Open again" and "Copy link": a browser that does not open need not
    /// end the sign-in.
    fn shows_url(&self) -> bool {
        true
    }
}

/// Opens the authorize page. On Linux through `xdg-open`, whose exit is watched (it is what
/// finds no browser, and says so only by its exit code); elsewhere, or without `xdg-open`,
/// through the opener plugin.
pub fn open_page<R: Runtime>(app: &AppHandle<R>, url: &Url) -> Result<Launch, Error> {
    if cfg!(target_os = "linux") {
        match open_with_program("xdg-open", url.as_str()) {
            Err(Error::Browser { reason, .. }) => {
                tracing::debug!(reason, "xdg-open could not be started; using the opener");
            }
            launched => return launched,
        }
    }
    app.opener()
        .open_url(url.as_str(), None::<&str>)
        .map(|()| Launch::detached())
        .map_err(Error::system_browser)
}

impl<R: Runtime> ProgressSink for Window<'_, R> {
    fn report(&self, progress: &Progress<'_>) {
        let app = self.app;
        let (stage, error) = match &progress.stage {
            Stage::Started {
                redirect_uri,
                authorize_url,
            } => {
                *app.state::<AppState>()
                    .sign_in_page
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner) =
                    Some((progress.flow.0, (*authorize_url).clone()));
                activity::record(
                    app,
                    Activity::Started {
                        redirect_uri: redirect_uri.to_string(),
                    },
                    None,
                );
                (events::Stage::Started, None)
            }
            Stage::BrowserOpened => {
                activity::record(app, Activity::BrowserOpened, None);
                (events::Stage::BrowserOpened, None)
            }
            Stage::BrowserNotOpened(e) => {
                activity::record(
                    app,
                    Activity::BrowserNotOpened {
                        detail: e.to_string(),
                    },
                    None,
                );
                (events::Stage::BrowserNotOpened, Some(ShellError::from(*e)))
            }
            Stage::Waiting => (events::Stage::Waiting, None),
            Stage::DeviceCode {
                user_code,
                verification_uri,
                verification_uri_complete,
                ..
            } => {
                let svg =
                    feishu_oauth::qr::svg(verification_uri_complete.as_str()).unwrap_or_default();
                let device = DeviceView {
                    user_code: (*user_code).to_owned(),
                    verification_uri: verification_uri.to_string(),
                    verification_uri_complete: verification_uri_complete.to_string(),
                    qr: format!(
                        "data:image/svg+xml;base64,{}",
                        base64::engine::general_purpose::STANDARD.encode(svg)
                    ),
                };
                return self.emit(progress, events::Stage::DeviceCode, None, Some(device));
            }
            Stage::CallbackReceived => {
                window::bring_to_front(app);
                activity::record(app, Activity::CallbackReceived, None);
                (events::Stage::CallbackReceived, None)
            }
            Stage::Exchanging => (events::Stage::Exchanging, None),
            Stage::SignedIn(session) => {
                // Saved already: the window is told of a session that is on disk.
                app.state::<AppState>()
                    .feed
                    .publish(app, Some((*session).clone()));
                activity::record(
                    app,
                    Activity::SignedIn {
                        name: session.profile.name.clone(),
                        scopes: session.scopes.iter().map(str::to_owned).collect(),
                    },
                    None,
                );
                (events::Stage::SignedIn, None)
            }
            Stage::Cancelled => {
                activity::record(app, Activity::Cancelled, None);
                (
                    events::Stage::Cancelled,
                    Some(ShellError::from(Error::Cancelled)),
                )
            }
            Stage::Failed(e) => {
                activity::record(
                    app,
                    Activity::SignInFailed {
                        detail: e.to_string(),
                    },
                    e.feishu_code(),
                );
                (events::Stage::Failed, Some(ShellError::from(*e)))
            }
            _ => return,
        };
        if matches!(
            stage,
            events::Stage::SignedIn | events::Stage::Failed | events::Stage::Cancelled
        ) {
            forget_page(app, progress.flow.0);
        }
        self.emit(progress, stage, error, None);
    }
}

impl<R: Runtime> Window<'_, R> {
    fn emit(
        &self,
        progress: &Progress<'_>,
        stage: events::Stage,
        error: Option<ShellError>,
        device: Option<DeviceView>,
    ) {
        events::emit(
            self.app,
            events::SIGN_IN_PROGRESS,
            events::Progress {
                flow: progress.flow.0,
                stage,
                route: self.route,
                deadline: rfc3339(progress.deadline),
                error,
                device,
            },
        );
    }
}

/// Forgets sign-in `flow`'s authorize page once it has ended (a newer one's stays).
fn forget_page<R: Runtime>(app: &AppHandle<R>, flow: u64) {
    let app_state = app.state::<AppState>();
    let mut page = app_state
        .sign_in_page
        .lock()
        .unwrap_or_else(PoisonError::into_inner);
    if page.as_ref().is_some_and(|(shown, _)| *shown == flow) {
        *page = None;
    }
}
