//! The sign-in, once for every adapter: begin (PKCE, `state`), make the callback receiver ready,
//! open the browser, wait (cancellable, with a deadline), exchange the code, fetch the profile,
//! save, answer the browser. The adapters choose the callback source and the browser, and turn
//! the progress into their own words (window events, terminal lines).
//!
//! The session is on disk (atomically, under the store's write lock) before [`Stage::SignedIn`]
//! is reported: a crash right after never shows a session that does not exist. When it will be
//! sealed with a new key, the key is made while the browser is open ([`key`]), so the keyring's
//! round trip is not between the callback and the saved session.
//!
//! The slot's ticket outlives the listener (which lives and ends inside the wait), so a newer
//! sign-in is told the port is free only once it is.

mod device;
mod key;
mod progress;
mod slot;

use std::{
    sync::{Mutex, PoisonError},
    time::Duration,
};

use time::OffsetDateTime;
use tokio::sync::mpsc;

pub use progress::{FlowId, OpenBrowser, Progress, ProgressSink, Stage};
pub use slot::{DeepLinkDelivery, FlowSlot, PasteRejected};

use crate::{
    account::Account,
    authorize::{begin, AuthorizeRequest, PendingSignIn, StateMatcher},
    browser::{self, Launch},
    callback::Callback,
    client::FeishuClient,
    error::{Error, Result},
    language::Language,
    loopback::{LoopbackListener, Responder},
    redirect::{RedirectUri, Route},
    scope::Scopes,
    session::Session,
};

/// What to sign in to, and how long to wait.
#[derive(Debug)]
pub struct SignInRequest<'a> {
    /// The account whose session this sign-in makes.
    pub account: &'a Account,
    /// The scopes to ask for, as the person typed or chose them (checked here); `None`: the
    /// configured ones.
    pub scopes: Option<Vec<String>>,
    /// How long the browser has to come back.
    pub timeout: Duration,
    /// The sign-in slot: a newer sign-in in it ends this one.
    pub slot: &'a FlowSlot,
    /// This sign-in's id, from [`FlowSlot::next_id`]: known to the adapter before it starts, so
    /// an answer and the progress reports name the same sign-in.
    pub flow: FlowId,
    /// The person's language, for the page the browser shows after the redirect.
    pub language: Language,
    /// Asking for more scopes for the signed-in user: the `open_id` the new session must have.
    /// Another user's sign-in is then refused and nothing is saved, so the session stays as it
    /// was (as it does when the request is declined or fails).
    pub same_user: Option<String>,
}

/// Where the callback comes from: the adapter's choice.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CallbackSource {
    /// A listener on the loopback redirect URI, which also answers the browser with a page.
    Loopback,
    /// The app's private-use scheme: the OS hands the link to the adapter, which passes it on
    /// with [`FlowSlot::deliver_deep_link`].
    DeepLink,
    /// The person opens the authorize URL on any machine, and pastes back the address the
    /// browser ended on (which did not load there): the adapter passes each paste on with
    /// [`FlowSlot::deliver_pasted`], which says why a wrong one is refused. No browser is opened
    /// and nothing listens: the redirect URI is the loopback one, as registered.
    Paste,
    /// The device flow (RFC 8628, see [`crate::device`]): the person approves on another device
    /// while this one polls; no redirect at all.
    Device,
}

impl CallbackSource {
    fn route(self) -> Route {
        match self {
            CallbackSource::Loopback | CallbackSource::Paste | CallbackSource::Device => {
                Route::Loopback
            }
            CallbackSource::DeepLink => Route::DeepLink,
        }
    }
}

/// One sign-in's reports.
struct Reporter<'a> {
    sink: &'a dyn ProgressSink,
    flow: FlowId,
    /// When the wait for the browser ends: set again when the wait starts, so time spent before
    /// (starting the sandbox, a replaced sign-in freeing its port) does not shorten it.
    deadline: Mutex<OffsetDateTime>,
}

impl Reporter<'_> {
    fn stage(&self, stage: Stage<'_>) {
        let deadline = *self.deadline.lock().unwrap_or_else(PoisonError::into_inner);
        self.sink.report(&Progress {
            flow: self.flow,
            deadline,
            stage,
        });
    }

    fn restart_clock(&self, timeout: Duration) {
        self.set_deadline(OffsetDateTime::now_utc() + timeout);
    }

    fn set_deadline(&self, at: OffsetDateTime) {
        *self.deadline.lock().unwrap_or_else(PoisonError::into_inner) = at;
    }
}

/// The callback, and what the sign-in needs to complete it.
struct Arrived {
    pending: PendingSignIn,
    callback: Callback,
    client: FeishuClient,
}

/// Runs a whole sign-in; resolves when it succeeded (the session saved), failed, timed out or
/// was cancelled. A cancel (from the slot, or a newer sign-in) ends it until the callback
/// arrives; from then on it completes, so a spent code always ends in a saved session or an
/// error. The adapter hears the outcome before the browser's page is written: the window shows it
/// at once, however slowly the browser reads its answer. Dropping the future cancels it too.
pub async fn run(
    request: SignInRequest<'_>,
    source: CallbackSource,
    browser: &dyn OpenBrowser,
    progress: &dyn ProgressSink,
) -> Result<Session> {
    let report = Reporter {
        sink: progress,
        flow: request.flow,
        deadline: Mutex::new(OffsetDateTime::now_utc() + request.timeout),
    };
    let mut responder = None;
    // Dropped when the sign-in is over, however it ends: a key no save took is then deleted.
    let _key = key::KeyAhead::start(request.account);
    let outcome = attempt(&request, source, browser, &report, &mut responder).await;
    match &outcome {
        Ok(session) => report.stage(Stage::SignedIn(session)),
        Err(Error::Cancelled) => report.stage(Stage::Cancelled),
        Err(e) => report.stage(Stage::Failed(e)),
    }
    if let Some(responder) = responder {
        match &outcome {
            Ok(session) => responder.succeeded(&session.profile.name).await,
            Err(e) => responder.failed(e).await,
        }
    }
    outcome
}

async fn attempt(
    request: &SignInRequest<'_>,
    source: CallbackSource,
    browser: &dyn OpenBrowser,
    report: &Reporter<'_>,
    responder: &mut Option<Responder>,
) -> Result<Session> {
    let Some((ticket, cancelled)) = request.slot.take(request.flow).await else {
        return Err(Error::Cancelled);
    };
    if source == CallbackSource::Device {
        let account = request.account;
        let config = account.resolved_config().await?;
        let client = account.client().await?;
        let scopes = requested_scopes(request, &config.scopes)?;
        // Cancellable until the grant: from then on the tokens are ours, and are saved.
        let grant = tokio::select! {
            grant = device::until_granted(&client, &scopes, request.timeout, report) => grant?,
            _ = cancelled => return Err(Error::Cancelled),
        };
        drop(ticket);
        report.stage(Stage::CallbackReceived);
        report.stage(Stage::Exchanging);
        let profile = client.user_info(&grant.access_token).await?;
        let session = grant.into_first_session(account.issuer().clone(), profile);
        check_same_user(request, &session)?;
        account.save(&session)?;
        return Ok(session);
    }
    let arrived = tokio::select! {
        arrived = until_callback(request, source, browser, report, &ticket, responder) => arrived?,
        _ = cancelled => return Err(Error::Cancelled),
    };
    report.stage(Stage::CallbackReceived);
    report.stage(Stage::Exchanging);
    let session = arrived
        .pending
        .complete(arrived.callback, &arrived.client)
        .await?;
    check_same_user(request, &session)?;
    request.account.save(&session)?;
    Ok(session)
}

/// When more scopes were asked for the signed-in user, the new session must be that user's.
fn check_same_user(request: &SignInRequest<'_>, session: &Session) -> Result<()> {
    let Some(expected) = &request.same_user else {
        return Ok(());
    };
    if &session.profile.open_id == expected {
        return Ok(());
    }
    let kept = request
        .account
        .current()
        .ok()
        .flatten()
        .map(|s| s.profile.name)
        .unwrap_or_default();
    Err(Error::OtherUser {
        signed_in: session.profile.name.clone(),
        kept,
    })
}

/// Everything up to the callback: begin, the receiver ready, the browser open, the wait.
async fn until_callback(
    request: &SignInRequest<'_>,
    source: CallbackSource,
    browser: &dyn OpenBrowser,
    report: &Reporter<'_>,
    ticket: &slot::Ticket<'_>,
    responder: &mut Option<Responder>,
) -> Result<Arrived> {
    let account = request.account;
    let config = account.resolved_config().await?;
    let client = account.client().await?;
    let scopes = requested_scopes(request, &config.scopes)?;
    let redirect_uri = account.redirect_for(source.route());
    let (url, pending) = begin(AuthorizeRequest {
        authorize_url: config.endpoints()?.authorize,
        app_id: client.app_id().to_owned(),
        redirect_uri: redirect_uri.clone(),
        scopes,
        brand: account.issuer().brand,
    });

    // The receiver is ready before the browser opens.
    let (delivered_tx, delivered_rx) = mpsc::channel(1);
    let listener = match source {
        CallbackSource::Loopback => Some(
            LoopbackListener::bind(&redirect_uri)
                .await?
                .speaking(request.language),
        ),
        CallbackSource::DeepLink | CallbackSource::Paste | CallbackSource::Device => {
            ticket.expect_delivery(pending.state_matcher(), redirect_uri.clone(), delivered_tx);
            None
        }
    };
    report.restart_clock(request.timeout);
    report.stage(Stage::Started {
        redirect_uri: &redirect_uri,
        authorize_url: &url,
    });
    let mut launch = None;
    if browser.enabled() && source != CallbackSource::Paste {
        let launched = match &config.browser {
            Some(command) => browser::open_with_command(command, url.as_str()),
            None => browser.launch(&url),
        };
        match launched {
            Ok(started) => {
                launch = Some(started);
                report.stage(Stage::BrowserOpened);
            }
            Err(e) if browser.shows_url() => report.stage(Stage::BrowserNotOpened(&e)),
            Err(e) => return Err(e),
        }
    }
    report.stage(Stage::Waiting);
    let wait = wait_for_callback(
        listener,
        delivered_rx,
        pending.state_matcher(),
        &redirect_uri,
        request.timeout,
    );
    tokio::pin!(wait);
    let (callback, answer) = loop {
        tokio::select! {
            arrived = &mut wait => break arrived?,
            failure = browser_failure(&mut launch) => {
                launch = None;
                if !browser.shows_url() {
                    return Err(failure);
                }
                report.stage(Stage::BrowserNotOpened(&failure));
                report.stage(Stage::Waiting);
            }
        }
    };
    *responder = answer;
    Ok(Arrived {
        pending,
        callback,
        client,
    })
}

/// The scopes asked for: the person's (checked here), else the configured ones.
fn requested_scopes(request: &SignInRequest<'_>, configured: &Scopes) -> Result<Scopes> {
    match &request.scopes {
        Some(scopes) => Scopes::from_iter_checked(scopes).map_err(|e| Error::config("scopes", e)),
        None => Ok(configured.clone()),
    }
}

/// The browser's failure, if it was started and fails; pending otherwise.
async fn browser_failure(launch: &mut Option<Launch>) -> Error {
    match launch {
        Some(launch) => launch.failure().await,
        None => std::future::pending().await,
    }
}

/// The callback from the loopback listener (with its browser to answer) or from a deep link.
async fn wait_for_callback(
    listener: Option<LoopbackListener>,
    mut delivered: mpsc::Receiver<Callback>,
    matcher: StateMatcher,
    redirect_uri: &RedirectUri,
    timeout: Duration,
) -> Result<(Callback, Option<Responder>)> {
    match listener {
        Some(listener) => listener
            .wait(matcher, timeout)
            .await
            .map(|a| (a.callback, Some(a.responder))),
        None => match tokio::time::timeout(timeout, delivered.recv()).await {
            Ok(Some(callback)) => Ok((callback, None)),
            Ok(None) => Err(Error::Cancelled),
            Err(_) => Err(Error::Timeout {
                timeout,
                redirect_uri: redirect_uri.to_string(),
            }),
        },
    }
}
