//! What the handlers read from request headers: the body's media type, and whether the client
//! authenticated with HTTP Basic. The token and the revocation endpoints both need them; here they
//! are written once.

use axum::http::header::{AUTHORIZATION, CONTENT_TYPE};
use axum::http::HeaderMap;

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
    }
}
