//! The redirect back from the authorize page, as a loopback request target or a deep link.
//!
//! Success is `?code=…&state=…`; a declined consent is `?error=access_denied&state=…`. A parameter
//! given twice is rejected: a genuine redirect never does that.

use url::Url;

use crate::{
    redirect::RedirectUri,
    secret::{AuthorizationCode, CsrfState},
};

/// The longest callback URL accepted; Feishu's codes are short, anything huge is hostile.
pub const MAX_CALLBACK_LEN: usize = 8 * 1024;

/// What the authorize step returned.
#[derive(Debug, PartialEq, Eq)]
pub enum Callback {
    /// The user approved: an authorization code.
    Code {
        /// The code.
        code: AuthorizationCode,
        /// The returned `state`.
        state: CsrfState,
    },
    /// The user declined (`error=access_denied`).
    Denied {
        /// The returned `state`.
        state: CsrfState,
    },
    /// Another `error` (not documented by Feishu, but RFC 6749 §4.1.2.1 allows it).
    Error {
        /// The `error` value.
        error: String,
        /// The `error_description`, if any.
        description: Option<String>,
        /// The returned `state`.
        state: CsrfState,
    },
}

/// Why a URL is not a usable callback.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CallbackError {
    /// Not addressed to the redirect URI (another path, host, port or scheme).
    #[error("not addressed to the redirect URI")]
    NotTheRedirect,
    /// Longer than [`MAX_CALLBACK_LEN`].
    #[error("the callback URL is too long")]
    TooLong,
    /// Not a URL.
    #[error("the callback is not a URL")]
    Malformed,
    /// A parameter is missing or repeated.
    #[error("the callback's `{0}` parameter is missing, empty or repeated")]
    BadParameter(&'static str),
}

impl Callback {
    /// The returned `state`.
    pub fn state(&self) -> &CsrfState {
        match self {
            Callback::Code { state, .. }
            | Callback::Denied { state }
            | Callback::Error { state, .. } => state,
        }
    }

    /// Parses a deep link (`dev.feishu-signin.app:/callback?…`) or an absolute loopback URL.
    pub fn parse(url: &str, redirect_uri: &RedirectUri) -> Result<Self, CallbackError> {
        if url.len() > MAX_CALLBACK_LEN {
            return Err(CallbackError::TooLong);
        }
        let url = Url::parse(url.trim()).map_err(|_| CallbackError::Malformed)?;
        if !redirect_uri.is_target_of(&url) {
            return Err(CallbackError::NotTheRedirect);
        }
        Self::from_query(url.query().unwrap_or(""))
    }

    /// Parses the request target of a loopback request (`/callback?…`) addressed to `redirect_uri`.
    pub fn parse_request_target(
        target: &str,
        redirect_uri: &RedirectUri,
    ) -> Result<Self, CallbackError> {
        if target.len() > MAX_CALLBACK_LEN {
            return Err(CallbackError::TooLong);
        }
        if !target.starts_with('/') {
            return Err(CallbackError::Malformed);
        }
        let url = redirect_uri
            .url()
            .join(target)
            .map_err(|_| CallbackError::Malformed)?;
        if !redirect_uri.is_target_of(&url) {
            return Err(CallbackError::NotTheRedirect);
        }
        Self::from_query(url.query().unwrap_or(""))
    }

    /// Parses what a person pasted: the whole address the browser ended on, or only its query
    /// (`code=…&state=…`, with or without the `?`).
    pub fn parse_pasted(text: &str, redirect_uri: &RedirectUri) -> Result<Self, CallbackError> {
        let text = text.trim();
        if text.len() > MAX_CALLBACK_LEN {
            return Err(CallbackError::TooLong);
        }
        if text.contains("://") || text.contains(":/") {
            return Self::parse(text, redirect_uri);
        }
        Self::from_query(text.strip_prefix('?').unwrap_or(text))
    }

    fn from_query(query: &str) -> Result<Self, CallbackError> {
        let mut code = None;
        let mut state = None;
        let mut error = None;
        let mut description = None;
        for (key, value) in url::form_urlencoded::parse(query.as_bytes()) {
            let slot = match key.as_ref() {
                "code" => (&mut code, "code"),
                "state" => (&mut state, "state"),
                "error" => (&mut error, "error"),
                "error_description" => (&mut description, "error_description"),
                _ => continue,
            };
            if slot.0.is_some() {
                return Err(CallbackError::BadParameter(slot.1));
            }
            *slot.0 = Some(value.into_owned());
        }
        let state = CsrfState::new(
            state
                .filter(|s| !s.is_empty())
                .ok_or(CallbackError::BadParameter("state"))?,
        );
        match (code, error) {
            (_, Some(error)) if error == "access_denied" => Ok(Callback::Denied { state }),
            (_, Some(error)) => Ok(Callback::Error {
                error,
                description,
                state,
            }),
            (Some(code), None) if !code.is_empty() => Ok(Callback::Code {
                code: AuthorizationCode::new(code),
                state,
            }),
            _ => Err(CallbackError::BadParameter("code")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn loopback() -> RedirectUri {
        RedirectUri::default_loopback()
    }

    #[test]
    fn code_and_state_from_a_request_target() {
        let cb = Callback::parse_request_target("/callback?code=abc-_123&state=s1", &loopback())
            .unwrap();
        assert_eq!(
            cb,
            Callback::Code {
                code: AuthorizationCode::new("abc-_123"),
                state: CsrfState::new("s1")
            }
        );
    }

    #[test]
    fn declined_consent() {
        let cb =
            Callback::parse_request_target("/callback?error=access_denied&state=s1", &loopback())
                .unwrap();
        assert_eq!(
            cb,
            Callback::Denied {
                state: CsrfState::new("s1")
            }
        );
    }

    #[test]
    fn other_errors_keep_their_description() {
        let cb = Callback::parse_request_target(
            "/callback?error=server_error&error_description=boom&state=s",
            &loopback(),
        )
        .unwrap();
        assert!(
            matches!(cb, Callback::Error { ref error, ref description, .. } if error == "server_error" && description.as_deref() == Some("boom"))
        );
    }

    #[test]
    fn deep_link() {
        let r = RedirectUri::default_deep_link();
        let cb = Callback::parse("dev.feishu-signin.app:/callback?code=c&state=s", &r).unwrap();
        assert!(matches!(cb, Callback::Code { .. }));
        assert_eq!(
            Callback::parse("other.app:/callback?code=c&state=s", &r),
            Err(CallbackError::NotTheRedirect)
        );
    }

    #[test]
    fn rejects_what_a_genuine_redirect_never_sends() {
        let r = loopback();
        assert_eq!(
            Callback::parse_request_target("/favicon.ico", &r),
            Err(CallbackError::NotTheRedirect)
        );
        assert_eq!(
            Callback::parse_request_target("/callback?code=c", &r),
            Err(CallbackError::BadParameter("state"))
        );
        assert_eq!(
            Callback::parse_request_target("/callback?state=s", &r),
            Err(CallbackError::BadParameter("code"))
        );
        assert_eq!(
            Callback::parse_request_target("/callback?code=a&code=b&state=s", &r),
            Err(CallbackError::BadParameter("code"))
        );
        assert_eq!(
            Callback::parse_request_target("/callback?code=a&state=s&state=t", &r),
            Err(CallbackError::BadParameter("state"))
        );
        assert_eq!(
            Callback::parse_request_target("http://evil/callback?code=a&state=s", &r),
            Err(CallbackError::Malformed)
        );
        let huge = format!("/callback?code={}&state=s", "a".repeat(MAX_CALLBACK_LEN));
        assert_eq!(
            Callback::parse_request_target(&huge, &r),
            Err(CallbackError::TooLong)
        );
    }
}
