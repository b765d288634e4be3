//! Every event the app sends its window, by name. None carries a token, a code, a verifier or a
//! secret: payloads are views, and failures carry the core's messages, which never quote one.
//!
//! Most events are bells: they carry nothing, and the window asks the command that answers for
//! what changed (`session`, `activity` after the last entry it has, `profiles`). Tauri delivers
//! an event by evaluating a script in the page with the payload written into it, so every
//! payload is a script the page's engine compiles and keeps in its code cache; a bell is the same
//! script each time, while command answers travel as data. Over the benchmark's week (README
//! "Performance", row 9a) the page's process grew by 36 MiB with payloads, by 27 MiB with bells.
//! Only a sign-in's progress (a few events per sign-in) carries its payload.
//!
//! Each kind of answer has an identity the window orders by, because events and command answers
//! travel separately and may arrive in either order: session states a rising revision, sign-in
//! progress its flow's id, activity entries a sequence number.

use serde::Serialize;
use tauri::{AppHandle, Emitter, Runtime};

use crate::{error::ShellError, views::SessionView};

/// The session the window shows changed (a bell: `session` answers with the [`SessionState`]).
pub const SESSION_CHANGED: &str = "session://changed";
/// A sign-in moved on: [`Progress`].
pub const SIGN_IN_PROGRESS: &str = "sign-in://progress";
/// An entry was added to this run's activity (a bell: `activity` answers with the
/// [`ActivityEntry`]s after the window's last).
pub const ACTIVITY_ADDED: &str = "activity://added";
/// The profiles changed (a session in any of them, one added or removed, the one shown): a bell,
/// `profiles` answers with the switcher's list.
pub const PROFILES_CHANGED: &str = "profiles://changed";
/// Every event name above, for the tests that listen to all of them.
pub const ALL: [&str; 4] = [
    SESSION_CHANGED,
    SIGN_IN_PROGRESS,
    ACTIVITY_ADDED,
    PROFILES_CHANGED,
];

/// The session at a revision: a window keeps the newest revision it has seen, whether it came in
/// an event or a command's answer.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SessionState {
    /// Rises by one each time the session the app holds changes.
    pub revision: u64,
    /// `None`: signed out.
    pub session: Option<SessionView>,
    /// While the background refresh of this session is failing: why, and when it is tried
    /// again. Only while the token needs a refresh: a valid token has nothing failing.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub refresh_trouble: Option<RefreshTrouble>,
    /// The session just ended because it could not be renewed (Feishu refused its refresh
    /// token): the window says "Your session ended", not a failure.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub ended: bool,
}

/// A background refresh that failed and will be tried again.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RefreshTrouble {
    /// Why the last try failed.
    pub error: ShellError,
    /// When the next try is due (RFC 3339).
    pub retry_at: String,
}

/// A step of the sign-in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Stage {
    Started,
    BrowserOpened,
    /// The browser could not be opened: the window offers "Open again" and "Copy link".
    BrowserNotOpened,
    Waiting,
    /// A code for the phone was issued: the progress carries it (`device`).
    DeviceCode,
    CallbackReceived,
    Exchanging,
    SignedIn,
    Failed,
    Cancelled,
}

/// What the window shows for a sign-in with the phone: the QR code (an SVG `data:` URL) of the
/// verification page with the user code in it, that page, and the code to type.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DeviceView {
    pub user_code: String,
    pub verification_uri: String,
    pub verification_uri_complete: String,
    pub qr: String,
}

/// The `sign-in://progress` payload.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Progress {
    /// Which sign-in: later ones have larger ids.
    pub flow: u64,
    pub stage: Stage,
    pub route: crate::way::Way,
    /// The phone's code, its page and its QR code, once issued (never the device code itself).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub device: Option<DeviceView>,
    /// When the sign-in stops waiting for the browser (RFC 3339).
    pub deadline: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<ShellError>,
}

/// What an activity entry records, with its parameters: the window words it in the person's
/// language. `detail` is the core's own text (English), shown as the raw detail.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "kind", content = "params", rename_all = "camelCase")]
pub enum Activity {
    /// A sign-in started, with its callback at `redirect_uri`.
    #[serde(rename_all = "camelCase")]
    Started {
        redirect_uri: String,
    },
    BrowserOpened,
    /// The browser could not be opened (at once, or its opener failed a moment later).
    BrowserNotOpened {
        detail: String,
    },
    CallbackReceived,
    /// Signed in as `name` with `scopes`.
    SignedIn {
        name: String,
        scopes: Vec<String>,
    },
    Cancelled,
    SignInFailed {
        detail: String,
    },
    /// The person refreshed the token.
    Refreshed,
    RefreshFailed {
        detail: String,
    },
    /// The app refreshed the token on its own.
    BackgroundRefreshed,
    BackgroundRefreshFailed {
        detail: String,
    },
    /// A refreshed session is only in memory.
    NotSaved {
        detail: String,
    },
    /// The session file was unreadable and was moved aside.
    StoreCorrupt {
        detail: String,
    },
    /// `name` signed out here; `revoked`: Feishu confirmed the tokens are revoked, else `detail`
    /// says why not.
    SignedOut {
        name: String,
        revoked: bool,
        #[serde(skip_serializing_if = "Option::is_none")]
        detail: Option<String>,
    },
    /// Sign-out with no session.
    NothingToSignOut,
    /// The stored session is another app's and was left alone.
    #[serde(rename_all = "camelCase")]
    OtherAppLeft {
        brand: String,
        app_id: String,
    },
    TokenCopied,
    /// Profile `name` was removed, signed out first; `revoked`: Feishu confirmed it.
    ProfileRemoved {
        name: String,
        revoked: bool,
    },
    SettingsSaved {
        sandbox: bool,
    },
    /// The old settings file did not parse and was kept at `path`.
    SettingsFileKept {
        path: String,
    },
    /// The settings could not be loaded; the app runs in the sandbox.
    SettingsUnreadable {
        detail: String,
    },
}

/// One line of this run's activity.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ActivityEntry {
    /// Rises by one per entry: the window merges answers and events by it.
    pub seq: u64,
    pub at: String,
    #[serde(flatten)]
    pub activity: Activity,
    /// The Feishu error code of a failure.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code: Option<u32>,
}

/// Rings `name`, a bell with no payload, in every page of the app.
pub fn ring<R: Runtime>(app: &AppHandle<R>, name: &str) {
    emit(app, name, ());
}

/// Sends an event to every page of the app.
pub fn emit<R: Runtime>(app: &AppHandle<R>, name: &str, payload: impl Serialize + Clone) {
    if let Err(e) = app.emit(name, payload) {
        tracing::debug!(error = %e, name, "an event could not be sent");
    }
}
