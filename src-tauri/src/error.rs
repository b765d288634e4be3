//! The shell's error as the UI receives it: `{ kind, code?, message, meaning?, hint?, hintZh? }`.
//! Built from the core's error, whose messages carry no secret.

use feishu_oauth::Error;
use serde::Serialize;

/// An error serialized for IPC.
#[derive(Debug, Clone, Serialize, thiserror::Error)]
#[serde(rename_all = "camelCase")]
#[error("{message}")]
pub struct ShellError {
    /// What kind of failure, for the UI to choose its words and actions.
    pub kind: ErrorKind,
    /// The Feishu error code, when Feishu answered with one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code: Option<u32>,
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

/// The kinds the UI tells apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum ErrorKind {
    Feishu,
    Declined,
    Timeout,
    Cancelled,
    Config,
    Network,
    SignedOut,
    SignInRequired,
    Store,
    Internal,
}

impl ShellError {
    /// An error of `kind` with a message and nothing else.
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Self {
            kind,
            code: None,
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
            Error::Timeout { .. } => ErrorKind::Timeout,
            Error::Cancelled => ErrorKind::Cancelled,
            Error::Config { .. } | Error::ConfigFile { .. } | Error::UnknownProfile { .. } => {
                ErrorKind::Config
            }
            Error::Http { .. }
            | Error::InvalidResponse { .. }
            | Error::Listen { .. }
            | Error::Browser { .. } => ErrorKind::Network,
            Error::SignedOut => ErrorKind::SignedOut,
            Error::SignInRequired { .. } => ErrorKind::SignInRequired,
            Error::Store { .. } | Error::CorruptStore { .. } => ErrorKind::Store,
            _ => ErrorKind::Internal,
        };
        let mut shell = ShellError::new(kind, error.to_string());
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
}
