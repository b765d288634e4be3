//! The one error type of the core. Every message says what failed and what to do, and names the
//! file, URL or setting involved; none carries a secret.

use std::{path::PathBuf, time::Duration};

use crate::codes::{self, ErrorCode, Remedy};

/// A shorthand for the core's results.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// An error answer from Feishu: the body's `code`, and what the pages say of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeishuError {
    /// The body's `code` (never 0).
    pub code: u32,
    /// The HTTP status of the answer.
    pub http_status: u16,
    /// The body's `error` (e.g. `server_error`), when sent.
    pub error: Option<String>,
    /// The body's `error_description` or `msg`, when sent.
    pub description: Option<String>,
}

impl FeishuError {
    /// The documented entry for this code, if Feishu documents it.
    pub fn documented(&self) -> Option<&'static ErrorCode> {
        codes::lookup(self.code)
    }

    /// The documented meaning, else what the server said.
    pub fn meaning(&self) -> &str {
        match self.documented() {
            Some(entry) => entry.meaning,
            None => self
                .description
                .as_deref()
                .or(self.error.as_deref())
                .unwrap_or("An error code Feishu does not document."),
        }
    }

    /// What to do, in English.
    pub fn suggestion_en(&self) -> &str {
        self.documented().map_or(
            "Check the Feishu open platform documentation for this code, or contact Feishu support.",
            |entry| entry.suggestion_en,
        )
    }

    /// What to do, in Chinese.
    pub fn suggestion_zh(&self) -> &str {
        self.documented().map_or(
            "请查阅飞书开放平台文档中的该错误码，或联系技术支持",
            |entry| entry.suggestion_zh,
        )
    }

    /// What the client does about it.
    pub fn remedy(&self) -> Option<Remedy> {
        self.documented().map(|entry| entry.remedy)
    }
}

impl std::fmt::Display for FeishuError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "Feishu error {}: {} What to do: {} ({})",
            self.code,
            self.meaning(),
            self.suggestion_en(),
            self.suggestion_zh()
        )
    }
}

/// Everything that can go wrong in a sign-in, a refresh or the session store.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A setting is missing or invalid.
    #[error("invalid setting `{setting}`: {reason}")]
    Config {
        /// The setting's name as the user writes it (`FEISHU_REDIRECT_URI`, `redirect_uri` in config.toml).
        setting: String,
        /// What is wrong and what is expected.
        reason: String,
    },

    /// The configuration file could not be read or parsed.
    #[error("config file {path}: {reason}")]
    ConfigFile {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        reason: String,
    },

    /// Feishu answered with an error code.
    #[error("{0}")]
    Feishu(FeishuError),

    /// The user declined the consent page (`error=access_denied`).
    #[error("the sign-in was declined in the browser (access_denied): nothing was granted. Sign in again and choose Authorize to continue.")]
    AccessDenied,

    /// The authorize step redirected back with an error other than `access_denied`.
    #[error("the authorization page returned error `{error}`{}: sign in again", description.as_deref().map(|d| format!(" ({d})")).unwrap_or_default())]
    AuthorizationFailed {
        /// The `error` parameter.
        error: String,
        /// The `error_description` parameter, if any.
        description: Option<String>,
    },

    /// No callback came back in time.
    #[error("timed out after {} s waiting for the browser to come back: if the browser showed a Feishu error page (such as 20029), register the redirect URL {redirect_uri} exactly in the developer console; otherwise sign in again", timeout.as_secs())]
    Timeout {
        /// How long it waited.
        timeout: Duration,
        /// The redirect URI the browser should have returned to.
        redirect_uri: String,
    },

    /// The sign-in was cancelled by the user.
    #[error("the sign-in was cancelled")]
    Cancelled,

    /// The loopback port could not be bound.
    #[error("could not listen on {addr} for the sign-in callback: {source}. Is another sign-in running? Close it or choose another port in the redirect URI.")]
    Listen {
        /// The address.
        addr: String,
        /// Why.
        source: std::io::Error,
    },

    /// The sandbox's local Feishu emulator could not be started (its own wording says why: a
    /// port in use, `feishu-auth` missing beside the app, …). Not `Listen`: no sign-in callback
    /// is involved, and that error's advice would send the user after the wrong thing.
    #[error("could not start the sandbox (a local Feishu emulator): {source}")]
    Sandbox {
        /// Why.
        source: std::io::Error,
    },

    /// The browser could not be started.
    #[error("could not open the browser with `{command}`: {reason}")]
    Browser {
        /// The command that failed (the URL is not part of it).
        command: String,
        /// Why.
        reason: String,
    },

    /// A request did not complete.
    #[error("request to {url} failed: {source}. Check the network connection and any proxy settings (HTTPS_PROXY, NO_PROXY).")]
    Http {
        /// The URL, without query.
        url: String,
        /// The transport error (its URL stripped).
        source: reqwest::Error,
    },

    /// A response was not what the Feishu page describes.
    #[error("unexpected response from {url} (HTTP {status}): {reason}. A proxy or a server that does not follow the Feishu pages may be in the way.")]
    InvalidResponse {
        /// The URL, without query.
        url: String,
        /// The HTTP status.
        status: u16,
        /// What was wrong.
        reason: String,
    },

    /// There is no session.
    #[error("not signed in")]
    SignedOut,

    /// The session cannot be refreshed any more; the user must sign in again.
    #[error("the session can no longer be refreshed ({reason}): sign in again")]
    SignInRequired {
        /// Why (e.g. "the refresh token expired at …", "Feishu error 20064 …").
        reason: String,
    },

    /// The session file could not be read or written.
    #[error("session file {path}: {source}")]
    Store {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },

    /// Another process held the session's lock for longer than anyone should.
    #[error("the session lock {path} has been held by {} for over {} s. It may still be refreshing over a slow network, or be stuck (stopped, hung); if it is stuck, end it, then try again", holder.map_or_else(|| "another process".to_owned(), |pid| format!("process {pid}")), waited.as_secs())]
    LockTimeout {
        /// The lock file.
        path: PathBuf,
        /// How long this process waited.
        waited: std::time::Duration,
        /// The holder's process id, when it wrote it down.
        holder: Option<u32>,
    },

    /// A refreshed session could not be written; it is kept in memory and written again at the
    /// next chance, so its rotated refresh token is not lost while this process runs.
    #[error("the refreshed session could not be saved ({reason}); this process keeps it and tries again, but another process or a restart will find a used refresh token and need a new sign-in: free disk space or fix the data folder's permissions")]
    NotSaved {
        /// Why the write failed (the file and the system's error).
        reason: String,
    },

    /// The user signed out while a refresh was under way; its tokens were dropped.
    #[error("signed out while the token was being refreshed: the new tokens were dropped. Sign in again to continue")]
    SignedOutDuringRefresh,

    /// No profile has this name.
    #[error("there is no profile `{name}`; the profiles here are: {}", known.join(", "))]
    UnknownProfile {
        /// The name asked for.
        name: String,
        /// The profiles that exist.
        known: Vec<String>,
    },

    /// More scopes were asked for the signed-in user, and someone else approved: their session
    /// was not saved, the signed-in user's is kept.
    #[error("{signed_in} approved, but more scopes were asked for {kept}: nothing was changed, and {kept} stays signed in. Sign in as {kept} in the browser (or sign out first to switch users)")]
    OtherUser {
        /// Who approved.
        signed_in: String,
        /// Whose session is kept.
        kept: String,
    },

    /// A narrowed token's scopes were refused: one the session was not granted (20068), or a
    /// duplicate (20067). Nothing was spent: the session is as it was.
    #[error("{}", scope_refusal(*code, missing, granted))]
    ScopeNotGranted {
        /// Feishu's code (20067 or 20068).
        code: u32,
        /// The asked scopes the session does not hold (20068), or all asked (20067).
        missing: Vec<String>,
        /// The scopes the session holds.
        granted: Vec<String>,
    },

    /// The device flow cannot be used with this app here (its endpoint refused): another way in
    /// (the browser, or pasting the redirect) still can.
    #[error("the device flow is not available for this app ({reason}): sign in with the browser, or paste the redirect (`feishu-auth login --method paste`)")]
    DeviceFlowUnavailable {
        /// What the endpoint answered.
        reason: String,
    },

    /// The desktop keyring was needed and could not be used: a sealed session it cannot open
    /// here, a locked keyring whose prompt was dismissed, or `storage = "keyring"` with no
    /// keyring. Nothing was changed.
    #[error("{reason}")]
    Keyring {
        /// What happened and what to do.
        reason: String,
    },

    /// The session file held something that is not a session; it was moved aside.
    #[error("session file {path} could not be read ({reason}); it was kept as {kept} for diagnosis and you are signed out: sign in again")]
    CorruptStore {
        /// The file.
        path: PathBuf,
        /// Where the bad file now is.
        kept: PathBuf,
        /// What was wrong with it.
        reason: String,
    },
}

impl Error {
    /// The Feishu error code, when Feishu answered with one.
    pub fn feishu_code(&self) -> Option<u32> {
        match self {
            Error::Feishu(e) => Some(e.code),
            _ => None,
        }
    }

    /// The system browser (the adapter's opener) could not open a URL.
    pub fn system_browser(reason: impl std::fmt::Display) -> Self {
        Error::Browser {
            command: "the system browser".into(),
            reason: reason.to_string(),
        }
    }

    /// A setting error.
    pub fn config(setting: impl Into<String>, reason: impl Into<String>) -> Self {
        Error::Config {
            setting: setting.into(),
            reason: reason.into(),
        }
    }
}

/// The words for a refused narrowing: which scopes, what the session holds, what to run.
fn scope_refusal(code: u32, missing: &[String], granted: &[String]) -> String {
    let held = if granted.is_empty() {
        "no scope".to_owned()
    } else {
        granted.join(" ")
    };
    if code == 20067 {
        return format!(
            "Feishu refused the scopes asked for as having a duplicate (Feishu error 20067): {}; this session holds: {held}. Name each scope once",
            missing.join(" ")
        );
    }
    let (noun, verb, pronoun) = if missing.len() == 1 {
        ("scope", "was", "it")
    } else {
        ("scopes", "were", "them")
    };
    format!(
        "the {noun} {} {verb} not granted (Feishu error {code}); this session holds: {held}. Run `feishu-auth login --add-scope {}` to ask for {pronoun}",
        missing.join(", "),
        missing.join(" --add-scope ")
    )
}

impl From<FeishuError> for Error {
    fn from(e: FeishuError) -> Self {
        Error::Feishu(e)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sandbox_failure_says_what_failed_and_not_that_a_callback_port_is_busy() {
        let e = Error::Sandbox {
            source: std::io::Error::other("feishu-auth is not beside the app"),
        };
        let msg = e.to_string();
        assert!(
            msg.contains("sandbox") && msg.contains("feishu-auth is not beside the app"),
            "{msg}"
        );
        assert!(
            !msg.contains("callback") && !msg.contains("another sign-in"),
            "{msg}"
        );
    }

    #[test]
    fn feishu_error_message_has_number_meaning_and_suggestion_in_both_languages() {
        let e = Error::from(FeishuError {
            code: 20002,
            http_status: 400,
            error: None,
            description: None,
        });
        let msg = e.to_string();
        assert!(msg.contains("20002"), "{msg}");
        assert!(msg.contains("The client secret is invalid."), "{msg}");
        assert!(msg.contains("client_secret"), "{msg}");
        assert!(msg.contains("应用认证失败"), "{msg}");
    }

    #[test]
    fn undocumented_code_shows_what_the_server_said() {
        let e = FeishuError {
            code: 29999,
            http_status: 400,
            error: Some("weird".into()),
            description: Some("Something odd.".into()),
        };
        assert!(e.to_string().contains("29999: Something odd."), "{e}");
    }
}
