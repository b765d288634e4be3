//! Minting the emulator's secrets (authorization codes, tokens, consent tickets) and fingerprinting them.
//!
//! Values come from the thread-local CSPRNG, so they are unguessable. The store keeps only
//! fingerprints (SHA-256), never the values, so the state file holds nothing a reader could replay.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use sha2::{Digest, Sha256};

use crate::clock::Millis;

/// Which token a value is: written into the JWT-ish payload, for a human reading a log, and what a
/// revocation's `token_type_hint` names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum TokenKind {
    Access,
    Refresh,
}

/// An authorization code: 64 characters of `[A-Za-z0-9_-]`, as the authorize page documents.
pub(crate) fn authorization_code() -> String {
    URL_SAFE_NO_PAD.encode(rand::random::<[u8; 48]>())
}

/// A device code (RFC 8628): the device's secret handle on its pending authorization, 64
/// characters like an authorization code.
pub(crate) fn device_code() -> String {
    URL_SAFE_NO_PAD.encode(rand::random::<[u8; 48]>())
}

/// A consent ticket: names one pending authorize request between the page and the decision.
pub(crate) fn ticket() -> String {
    URL_SAFE_NO_PAD.encode(rand::random::<[u8; 32]>())
}

/// A token shaped like Feishu's v2 tokens: three base64url parts, `eyJ…`, a few hundred characters.
///
/// It is opaque, as Feishu's are to clients: the "signature" is random bytes and nothing verifies
/// it; the value is only ever looked up by fingerprint.
pub(crate) fn token(kind: TokenKind, issued_at: Millis, expires_at: Millis) -> String {
    let header = r#"{"alg":"ES256","kid":"feishu-emulator","typ":"JWT"}"#;
    let payload = serde_json::json!({
        "iss": "feishu-emulator",
        "typ": match kind {
            TokenKind::Access => "user_access_token",
            TokenKind::Refresh => "refresh_token",
        },
        "jti": URL_SAFE_NO_PAD.encode(rand::random::<[u8; 32]>()),
        "iat": issued_at / 1000,
        "exp": expires_at / 1000,
    });
    let signature: [u8; 64] = rand::random();
    format!(
        "{}.{}.{}",
        URL_SAFE_NO_PAD.encode(header),
        URL_SAFE_NO_PAD.encode(payload.to_string()),
        URL_SAFE_NO_PAD.encode(signature)
    )
}

/// The key a secret is stored under: base64url(SHA-256(value)).
pub(crate) fn fingerprint(secret: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(secret.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn is_code_char(c: char) -> bool {
        c.is_ascii_alphanumeric() || c == '-' || c == '_'
    }

    #[test]
    fn codes_are_long_url_safe_and_distinct() {
        let (a, b) = (authorization_code(), authorization_code());
        assert!(a.len() >= 64);
        assert!(a.chars().all(is_code_char));
        assert_ne!(a, b);
    }

    #[test]
    fn tokens_look_like_feishu_v2_tokens() {
        let token = token(TokenKind::Access, 1_700_000_000_000, 1_700_007_200_000);
        assert!(token.starts_with("eyJ"), "{token}");
        assert!(token.len() >= 300, "{}", token.len());
        assert_eq!(token.split('.').count(), 3);
    }

    #[test]
    fn fingerprints_are_stable_and_do_not_contain_the_secret() {
        assert_eq!(fingerprint("abc"), fingerprint("abc"));
        assert_ne!(fingerprint("abc"), fingerprint("abd"));
        assert!(!fingerprint("abcdef").contains("abcdef"));
    }
}
