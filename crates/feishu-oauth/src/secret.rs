//! Secrets as newtypes.
//!
//! Every value that would let someone act as the app or the user (the App Secret, an authorization
//! code, the PKCE verifier, `state`, the tokens) lives in its own type whose `Debug` prints a
//! placeholder and which has no `Display` and no `Deref`: reading it takes an explicit `.expose()`,
//! so a stray `{:?}` in a log line or an error message cannot leak it.

use std::fmt;

use serde::{Deserialize, Serialize};

macro_rules! secret_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(String);

        impl $name {
            /// Wraps a secret value.
            pub fn new(value: impl Into<String>) -> Self {
                Self(value.into())
            }

            /// The secret itself: call only where it is sent to Feishu or handed to the user on request.
            pub fn expose(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(concat!(stringify!($name), "([redacted])"))
            }
        }
    };
}

secret_type!(
    /// The App Secret (`client_secret`): Feishu requires it even with PKCE. A desktop app that
    /// carries it must treat it as extractable (RFC 8252 §8.5) and keep it out of logs and the UI.
    AppSecret
);
secret_type!(
    /// A `user_access_token` (`access_token`): sent as `Authorization: Bearer` to the Open API.
    AccessToken
);
secret_type!(
    /// A `refresh_token`: single use; every refresh returns its successor.
    RefreshToken
);
secret_type!(
    /// The authorization `code` from the redirect: single use, valid 5 minutes.
    AuthorizationCode
);
secret_type!(
    /// A device flow's `device_code` (RFC 8628 §3.2): whoever holds it collects the tokens once
    /// the person approves, so it never leaves the process (the person sees the `user_code`).
    DeviceCode
);
secret_type!(
    /// The `state` sent to the authorize page and returned unchanged: it binds the callback to the
    /// sign-in that started it (CSRF protection, RFC 9700 §4.7).
    CsrfState
);

/// The PKCE `code_verifier` (RFC 7636 §4.1): 32 random bytes, base64url, 43 characters.
///
/// Not `Clone`: exactly one pending sign-in owns it, and it is consumed by the code exchange.
#[derive(PartialEq, Eq)]
pub struct PkceVerifier(String);

impl PkceVerifier {
    /// Wraps a verifier value (for the RFC test vector and for tests).
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// The verifier itself, sent once, in the code exchange.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for PkceVerifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("PkceVerifier([redacted])")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const VALUE: &str = "s3cr3t-value-that-must-not-leak";

    fn assert_redacted(debug: &str) {
        assert!(!debug.contains(VALUE), "{debug} leaks the secret");
        assert!(
            debug.contains("[redacted]"),
            "{debug} is not marked redacted"
        );
    }

    #[test]
    fn app_secret_debug_is_redacted() {
        assert_redacted(&format!("{:?}", AppSecret::new(VALUE)));
    }

    #[test]
    fn access_token_debug_is_redacted() {
        assert_redacted(&format!("{:?}", AccessToken::new(VALUE)));
    }

    #[test]
    fn refresh_token_debug_is_redacted() {
        assert_redacted(&format!("{:?}", RefreshToken::new(VALUE)));
    }

    #[test]
    fn authorization_code_debug_is_redacted() {
        assert_redacted(&format!("{:?}", AuthorizationCode::new(VALUE)));
    }

    #[test]
    fn state_debug_is_redacted() {
        assert_redacted(&format!("{:?}", CsrfState::new(VALUE)));
    }

    #[test]
    fn pkce_verifier_debug_is_redacted() {
        assert_redacted(&format!("{:?}", PkceVerifier::new(VALUE)));
    }

    #[test]
    fn redaction_holds_inside_containers() {
        let nested = Some(vec![RefreshToken::new(VALUE)]);
        assert_redacted(&format!("{nested:?} {nested:#?}"));
    }

    #[test]
    fn expose_returns_the_value() {
        assert_eq!(AccessToken::new(VALUE).expose(), VALUE);
    }
}
