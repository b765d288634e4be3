//! What a sign-in tells its adapter as it goes, and what it asks of it: a browser.

use serde::Serialize;
use time::OffsetDateTime;
use url::Url;

use crate::{browser::Launch, error::Error, redirect::RedirectUri, session::Session};

/// One sign-in's identity, rising within a process: events of a replaced sign-in are told apart
/// from the current one's by it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(transparent)]
pub struct FlowId(pub u64);

/// A step of the sign-in.
#[non_exhaustive]
pub enum Stage<'a> {
    /// The callback receiver is ready; the browser is about to open at `authorize_url`. The URL
    /// carries the sign-in's `state`: an adapter shows it only to the person signing in (a
    /// terminal), never to a page or a log.
    Started {
        /// Where the callback must come.
        redirect_uri: &'a RedirectUri,
        /// The authorize page.
        authorize_url: &'a Url,
    },
    /// A device code was issued: the person approves it on another device, at
    /// `verification_uri_complete` (what a QR code holds), or by typing `user_code` at
    /// `verification_uri`, before `expires_at`. The device code itself is never reported.
    DeviceCode {
        /// What the person types, or finds filled in.
        user_code: &'a str,
        /// The verification page.
        verification_uri: &'a Url,
        /// The verification page with the user code in it.
        verification_uri_complete: &'a Url,
        /// When the code expires (also the progress's deadline).
        expires_at: OffsetDateTime,
    },
    /// The browser was asked to open the authorize page.
    BrowserOpened,
    /// The browser could not be opened, at once or a moment after it started; the sign-in goes
    /// on waiting for the person to open the URL (only when the [`OpenBrowser`] says the URL is
    /// shown to them).
    BrowserNotOpened(&'a Error),
    /// Waiting for the callback.
    Waiting,
    /// A genuine callback arrived.
    CallbackReceived,
    /// The code is being exchanged and the profile fetched.
    Exchanging,
    /// The session is saved.
    SignedIn(&'a Session),
    /// The sign-in failed.
    Failed(&'a Error),
    /// The sign-in was cancelled (by the person, or by a newer sign-in).
    Cancelled,
}

impl std::fmt::Debug for Stage<'_> {
    /// The authorize URL carries the sign-in's `state`: only its host is shown.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Stage::Started {
                redirect_uri,
                authorize_url,
            } => f
                .debug_struct("Started")
                .field("redirect_uri", redirect_uri)
                .field("authorize_host", &authorize_url.host_str())
                .finish_non_exhaustive(),
            Stage::DeviceCode {
                verification_uri,
                expires_at,
                ..
            } => f
                .debug_struct("DeviceCode")
                .field("verification_host", &verification_uri.host_str())
                .field("expires_at", expires_at)
                .finish_non_exhaustive(),
            Stage::BrowserOpened => f.write_str("BrowserOpened"),
            Stage::BrowserNotOpened(e) => f.debug_tuple("BrowserNotOpened").field(e).finish(),
            Stage::Waiting => f.write_str("Waiting"),
            Stage::CallbackReceived => f.write_str("CallbackReceived"),
            Stage::Exchanging => f.write_str("Exchanging"),
            Stage::SignedIn(session) => f
                .debug_tuple("SignedIn")
                .field(&session.profile.open_id)
                .finish(),
            Stage::Failed(e) => f.debug_tuple("Failed").field(e).finish(),
            Stage::Cancelled => f.write_str("Cancelled"),
        }
    }
}

/// A report of one step.
#[derive(Debug)]
pub struct Progress<'a> {
    /// Which sign-in.
    pub flow: FlowId,
    /// When it gives up waiting for the callback.
    pub deadline: OffsetDateTime,
    /// The step.
    pub stage: Stage<'a>,
}

/// Where a sign-in reports its steps: the window's events, the terminal's lines.
pub trait ProgressSink: Send + Sync {
    /// Called at each step, in order, from the sign-in's task.
    fn report(&self, progress: &Progress<'_>);
}

/// Opens the authorize page in the person's browser. A browser command set in the settings
/// (`FEISHU_SIGNIN_BROWSER`) is used instead, by the sign-in itself.
pub trait OpenBrowser: Send + Sync {
    /// Opens `url`.
    fn open(&self, url: &Url) -> Result<(), Error>;

    /// Opens `url` and, where the adapter can, watches the opener's exit, so a browser that
    /// fails a moment later is reported while the sign-in waits.
    fn launch(&self, url: &Url) -> Result<Launch, Error> {
        self.open(url).map(|()| Launch::detached())
    }

    /// Whether to open a browser at all: a person who asked for the URL alone (`--no-browser`)
    /// opens it themselves, and no configured browser command runs either.
    fn enabled(&self) -> bool {
        true
    }

    /// Whether the person sees the URL anyway (a terminal prints it), so a browser that does not
    /// open need not end the sign-in.
    fn shows_url(&self) -> bool {
        false
    }
}
