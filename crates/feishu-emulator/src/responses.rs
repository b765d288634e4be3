//! How the emulator answers: Feishu's JSON bodies, HTML pages, redirects.

use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE, LOCATION, PRAGMA};
use axum::http::{HeaderName, HeaderValue, StatusCode};
use axum::response::{IntoResponse as _, Response};
use serde::Serialize;
use url::Url;

use crate::errors::ErrorCode;

/// The content type Feishu's OpenAPI answers with.
const JSON_UTF8: &str = "application/json; charset=utf-8";

/// The pages run no script, load nothing but inline style and `data:` images, and cannot be framed
/// (a consent page in a frame is a clickjacking target).
const PAGE_POLICY: &str =
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'none'";

/// A JSON body. Token responses must not be cached (RFC 6749 §5.1), nor anything else here.
pub(crate) fn json(status: StatusCode, body: &impl Serialize) -> Response {
    match serde_json::to_vec(body) {
        Ok(bytes) => (
            status,
            [
                (CONTENT_TYPE, HeaderValue::from_static(JSON_UTF8)),
                (CACHE_CONTROL, HeaderValue::from_static("no-store")),
                (PRAGMA, HeaderValue::from_static("no-cache")),
            ],
            bytes,
        )
            .into_response(),
        Err(err) => {
            tracing::error!(%err, "could not serialise a response body");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}

/// A body-less answer (the revocation's success, RFC 7009 §2.2), not to be cached either.
pub(crate) fn empty(status: StatusCode) -> Response {
    (
        status,
        [
            (CACHE_CONTROL, HeaderValue::from_static("no-store")),
            (PRAGMA, HeaderValue::from_static("no-cache")),
        ],
    )
        .into_response()
}

/// The token endpoint's error: `{"code","error","error_description"}` with the table's status.
pub(crate) fn oauth_error(code: ErrorCode) -> Response {
    json(code.status(), &code.oauth_body())
}

/// The gateway's error, as `user_info` answers: `{"code","msg"}`.
pub(crate) fn gateway_error(code: ErrorCode) -> Response {
    json(code.status(), &code.gateway_body())
}

/// An HTML page.
pub(crate) fn html(status: StatusCode, page: String) -> Response {
    (
        status,
        [
            (
                CONTENT_TYPE,
                HeaderValue::from_static("text/html; charset=utf-8"),
            ),
            (CACHE_CONTROL, HeaderValue::from_static("no-store")),
            (
                HeaderName::from_static("content-security-policy"),
                HeaderValue::from_static(PAGE_POLICY),
            ),
            (
                HeaderName::from_static("x-frame-options"),
                HeaderValue::from_static("DENY"),
            ),
        ],
        page,
    )
        .into_response()
}

/// `302 Found` to `target`, as Feishu sends the browser back to the app.
pub(crate) fn found(target: &Url) -> Response {
    match HeaderValue::from_str(target.as_str()) {
        Ok(location) => (
            StatusCode::FOUND,
            [
                (LOCATION, location),
                (CACHE_CONTROL, HeaderValue::from_static("no-store")),
            ],
        )
            .into_response(),
        Err(err) => {
            tracing::error!(%err, "a redirect target is not a valid header value");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}
