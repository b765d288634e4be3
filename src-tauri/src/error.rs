//! The shell's error as the UI receives it: `{ kind, code?, port?, setting?, message, meaning?,
//! hint?, hintZh? }`. The kind (and its parameters) is what the window words, in the person's
//! language, as a title, a cause and an action; `message` is the core's own text (English), shown
//! under Details. Built from the core's error, whose messages carry no secret.

use feishu_oauth::Error;
use serde::Serialize;

/// An error serialized for IPC.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
#[serde(rename_all = "camelCase")]
#[error("{message}")]
pub struct ShellError {
    /// What kind of failure, for the UI to choose its words and actions.
    pub kind: ErrorKind,
    /// The Feishu error code, when Feishu answered with one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code: Option<u32>,
    /// For [`ErrorKind::PortInUse`]: the callback port another program holds.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub port: Option<u16>,
    /// For [`ErrorKind::Config`]: the setting at fault, as the core names it
    /// (`FEISHU_APP_ID / app_id`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub setting: Option<String>,
    /// The whole message.
    pub message: String,
    /// For a Feishu code: its documented meaning.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub meaning: Option<String>,
    /// What to do, in English.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hint: Option<String>,
    /// What to do, in Chinese.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hint_zh: Option<String>,
    /// The sign-in it ended, for a sign-in's failure: the window matches it to that sign-in's
    /// progress events.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub flow: Option<u64>,
}

/// The kinds the UI tells apart: each has its own title, cause and action in the window.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum ErrorKind {
    /// Feishu answered with an error code.
    Feishu,
    /// The person declined on the consent page: their choice, not a failure.
    Declined,
    /// The authorize page sent back an error other than a decline.
    Authorization,
    /// The browser did not come back in time.
    Timeout,
    Cancelled,
    /// A setting is missing or invalid.
    Config,
    /// Feishu could not be reached.
    Network,
    /// Something answered that does not follow the Feishu pages (a proxy, a captive portal).
    UnexpectedResponse,
    /// Another program holds the loopback callback port.
    PortInUse,
    /// The loopback callback could not be listened on for another reason.
    Listen,
    /// The browser could not be opened.
    Browser,
    /// The sandbox's local emulator could not be started.
    Sandbox,
    SignedOut,
    SignInRequired,
    /// The session file could not be read or written.
    Store,
    /// Another process holds the session's lock.
    Busy,
    /// The keepalive's timer could not be set up or removed.
    Keepalive,
    /// The desktop keyring was needed (a sealed session) and could not be used.
    Keyring,
    /// More scopes were asked for the signed-in account, and another account approved.
    OtherUser,
    Internal,
}

impl ShellError {
    /// An error of `kind` with a message and nothing else.
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Self {
            kind,
            code: None,
            port: None,
            setting: None,
            message: message.into(),
            meaning: None,
            hint: None,
            hint_zh: None,
            flow: None,
        }
    }

    /// This error, as the end of sign-in `flow`.
    #[must_use]
    pub fn in_flow(mut self, flow: u64) -> Self {
        self.flow = Some(flow);
        self
    }
}

impl From<Error> for ShellError {
    fn from(error: Error) -> Self {
        Self::from(&error)
    }
}

impl From<&Error> for ShellError {
    fn from(error: &Error) -> Self {
        let kind = match error {
            Error::Feishu(_) => ErrorKind::Feishu,
            Error::AccessDenied => ErrorKind::Declined,
            Error::AuthorizationFailed { .. } => ErrorKind::Authorization,
            Error::Timeout { .. } => ErrorKind::Timeout,
            Error::Cancelled => ErrorKind::Cancelled,
            Error::Config { .. } | Error::ConfigFile { .. } | Error::UnknownProfile { .. } => {
                ErrorKind::Config
            }
            Error::Http { .. } => ErrorKind::Network,
            Error::InvalidResponse { .. } => ErrorKind::UnexpectedResponse,
            Error::Listen { source, .. } if source.kind() == std::io::ErrorKind::AddrInUse => {
                ErrorKind::PortInUse
            }
            Error::Listen { .. } => ErrorKind::Listen,
            Error::Browser { .. } => ErrorKind::Browser,
            Error::Sandbox { .. } => ErrorKind::Sandbox,
            Error::SignedOut | Error::SignedOutDuringRefresh => ErrorKind::SignedOut,
            Error::SignInRequired { .. } => ErrorKind::SignInRequired,
            Error::Store { .. } | Error::CorruptStore { .. } | Error::NotSaved { .. } => {
                ErrorKind::Store
            }
            Error::LockTimeout { .. } => ErrorKind::Busy,
            Error::Keyring { .. } => ErrorKind::Keyring,
            Error::OtherUser { .. } => ErrorKind::OtherUser,
            _ => ErrorKind::Internal,
        };
        let mut shell = ShellError::new(kind, error.to_string());
        match error {
            Error::Listen { addr, .. } => {
                shell.port = addr.rsplit(':').next().and_then(|port| port.parse().ok());
            }
            Error::Config { setting, .. } => shell.setting = Some(setting.clone()),
            _ => {}
        }
        if let Error::Feishu(feishu) = error {
            shell.code = Some(feishu.code);
            shell.meaning = Some(feishu.meaning().to_owned());
            shell.hint = Some(feishu.suggestion_en().to_owned());
            shell.hint_zh = Some(feishu.suggestion_zh().to_owned());
        }
        shell
    }
}

/// A command's result.
pub type CommandResult<T> = Result<T, ShellError>;

#[cfg(test)]
mod tests {
    use super::*;
    use feishu_oauth::FeishuError;

    #[test]
    fn feishu_errors_carry_code_meaning_and_hints() {
        let e = ShellError::from(Error::Feishu(FeishuError {
            code: 20071,
            http_status: 400,
            error: None,
            description: None,
        }));
        let v = serde_json::to_value(&e).unwrap();
        assert_eq!(v["kind"], "feishu");
        assert_eq!(v["code"], 20071);
        assert_eq!(
            v["meaning"],
            "The provided redirect URI does not match the one used during authorization."
        );
        assert!(v["hintZh"].as_str().unwrap().contains("redirect_uri"));
    }

    #[test]
    fn a_busy_callback_port_is_told_apart_with_its_port() {
        let e = ShellError::from(Error::Listen {
            addr: "127.0.0.1:28283".into(),
            source: std::io::ErrorKind::AddrInUse.into(),
        });
        assert_eq!(e.kind, ErrorKind::PortInUse);
        assert_eq!(e.port, Some(28283));
        let other = ShellError::from(Error::Listen {
            addr: "127.0.0.1:28283".into(),
            source: std::io::ErrorKind::PermissionDenied.into(),
        });
        assert_eq!(other.kind, ErrorKind::Listen);
    }
}
