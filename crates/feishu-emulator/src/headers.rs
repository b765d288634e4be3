//! What the handlers read from request headers: the body's media type, and whether the client
//! authenticated with HTTP Basic (and as whom). The token, revocation and device authorization
//! endpoints need them; here they are written once.

use axum::http::header::{AUTHORIZATION, CONTENT_TYPE};
use axum::http::HeaderMap;
use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;

/// The `Content-Type`'s essence, lower-cased, without parameters (`application/json` for
/// `Application/JSON; charset=utf-8`).
pub(crate) fn media_type(headers: &HeaderMap) -> Option<String> {
    headers
        .get(CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.split(';').next())
        .map(|essence| essence.trim().to_ascii_lowercase())
}

/// Whether the client (also) authenticated with HTTP Basic.
pub(crate) fn sends_basic_auth(headers: &HeaderMap) -> bool {
    headers
        .get_all(AUTHORIZATION)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .any(|value| {
            value
                .get(..6)
                .is_some_and(|scheme| scheme.eq_ignore_ascii_case("basic "))
        })
}

/// The `client_id` and `client_secret` of an HTTP Basic header (RFC 7617), if there is exactly
/// one that decodes. The official Lark CLI sends them as Go's `SetBasicAuth` does: not
/// form-encoded first, so none is decoded here.
pub(crate) fn basic_credentials(headers: &HeaderMap) -> Option<(String, String)> {
    let mut values = headers.get_all(AUTHORIZATION).iter();
    let value = values.next()?.to_str().ok()?;
    if values.next().is_some() {
        return None;
    }
    let (scheme, encoded) = value.split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let decoded = STANDARD.decode(encoded.trim()).ok()?;
    let (id, secret) = std::str::from_utf8(&decoded).ok()?.split_once(':')?;
    Some((id.to_owned(), secret.to_owned()))
}

#[cfg(test)]
mod tests {
    use axum::http::HeaderValue;

    use super::*;

    #[test]
    fn the_media_type_is_the_essence_in_lower_case() {
        let mut headers = HeaderMap::new();
        assert_eq!(media_type(&headers), None);
        headers.insert(
            CONTENT_TYPE,
            HeaderValue::from_static("Application/X-WWW-Form-Urlencoded ; charset=utf-8"),
        );
        assert_eq!(
            media_type(&headers).as_deref(),
            Some("application/x-www-form-urlencoded")
        );
    }

    #[test]
    fn basic_auth_is_detected_whatever_the_case() {
        let mut with_basic = HeaderMap::new();
        with_basic.insert(
            AUTHORIZATION,
            HeaderValue::from_static("bAsIc Y2xpOnNlY3JldA=="),
        );
        assert!(sends_basic_auth(&with_basic));
        let mut with_bearer = HeaderMap::new();
        with_bearer.insert(AUTHORIZATION, HeaderValue::from_static("Bearer x"));
        assert!(!sends_basic_auth(&with_bearer));
        assert_eq!(basic_credentials(&with_bearer), None);
    }

    #[test]
    fn basic_credentials_are_decoded() {
        let mut headers = HeaderMap::new();
        headers.insert(
            AUTHORIZATION,
            HeaderValue::from_static("Basic Y2xpOnNlY3JldA=="),
        );
        assert_eq!(
            basic_credentials(&headers),
            Some(("cli".to_owned(), "secret".to_owned()))
        );
    }
}
