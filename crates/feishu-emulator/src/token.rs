//! `POST /open-apis/authen/v2/oauth/token`: reading the request and authenticating the app; the
//! grants themselves are in [`crate::grants`] and, for the device code (RFC 8628), `device_grant`.

use std::sync::atomic::Ordering;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde_json::json;

use crate::clock::millis;
use crate::device_grant::{self, DevicePoll, PollError};
use crate::endpoint::Endpoint;
use crate::errors::ErrorCode;
use crate::grants::{self, CodeExchange, Lifetimes, TokenRefresh, TokenResponse};
use crate::headers::{media_type, sends_basic_auth};
use crate::params::Params;
use crate::responses;
use crate::shared::Shared;

/// The grant types the endpoint supports.
#[derive(Clone, Copy, Debug)]
enum GrantType {
    AuthorizationCode,
    RefreshToken,
    /// RFC 8628 §3.4, not on Feishu's pages: see `device_grant`.
    DeviceCode,
}

/// RFC 8628's `grant_type`.
const DEVICE_CODE_GRANT: &str = "urn:ietf:params:oauth:grant-type:device_code";

/// Why the endpoint gives no tokens: a Feishu error, or a device poll's RFC 8628 answer (which
/// carries no `code`, see [`PollError`]).
#[derive(Debug)]
enum Refusal {
    Feishu(ErrorCode),
    Device(PollError),
}

impl From<ErrorCode> for Refusal {
    fn from(code: ErrorCode) -> Self {
        Self::Feishu(code)
    }
}

impl Refusal {
    fn response(&self) -> Response {
        match self {
            Self::Feishu(code) | Self::Device(PollError::Feishu(code)) => {
                tracing::info!(
                    code = code.0,
                    reason = code.description(),
                    "token request refused"
                );
                responses::oauth_error(*code)
            }
            Self::Device(poll) => {
                tracing::info!(error = poll.error(), "device poll answered without tokens");
                responses::json(
                    StatusCode::BAD_REQUEST,
                    &json!({ "error": poll.error(), "error_description": poll.description() }),
                )
            }
        }
    }
}

/// The token endpoint.
pub(crate) async fn token(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if let Some(code) = shared.faults.on_call(Endpoint::Token).await {
        tracing::info!(
            code = code.0,
            "token request answered with an injected failure"
        );
        return responses::oauth_error(code);
    }
    match grant(&shared, &headers, &body).await {
        Ok(response) => responses::json(StatusCode::OK, &response),
        Err(refusal) => refusal.response(),
    }
}

async fn grant(
    shared: &Arc<Shared>,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<TokenResponse, Refusal> {
    let params = read_body(headers, body)?;
    let grant_type = match params.get("grant_type") {
        Some("authorization_code") => GrantType::AuthorizationCode,
        Some("refresh_token") => GrantType::RefreshToken,
        Some(DEVICE_CODE_GRANT) => GrantType::DeviceCode,
        Some(_) => return Err(ErrorCode::UNSUPPORTED_GRANT_TYPE.into()),
        None => return Err(ErrorCode::MISSING_PARAMETER.into()),
    };
    let client_id = required(&params, "client_id")?.to_owned();
    let client_secret = required(&params, "client_secret")?;
    // Feishu refuses an HTTP Basic header beside the body's credentials (20070).
    if sends_basic_auth(headers) {
        return Err(ErrorCode::MULTIPLE_AUTH_METHODS.into());
    }
    let app = shared
        .config
        .app(&client_id)
        .ok_or(ErrorCode::APP_NOT_FOUND)?;
    if !app.secret_matches(client_secret) {
        return Err(ErrorCode::INVALID_CLIENT_SECRET.into());
    }
    let scope = grants::parse_scope(params.get("scope"))?;
    let lifetimes = Lifetimes {
        access: millis(shared.config.access_token_ttl),
        refresh: millis(shared.config.refresh_token_ttl),
    };
    match grant_type {
        GrantType::AuthorizationCode => {
            let request = CodeExchange {
                client_id,
                code: required(&params, "code")?.to_owned(),
                redirect_uri: params.get("redirect_uri").map(str::to_owned),
                code_verifier: params.get("code_verifier").map(str::to_owned),
                scope,
            };
            if let Some(verifier) = &request.code_verifier {
                shared.received_verifiers.push(verifier.clone());
            }
            let response = shared
                .transact(move |data, now| grants::exchange(data, now, lifetimes, &request))
                .await
                .map_err(|err| store_failure(&err))??;
            tracing::info!(scope = %response.scope, refresh_token = response.refresh_token.is_some(), "code exchanged");
            shared.remember_issued(&response);
            Ok(response)
        }
        GrantType::RefreshToken => {
            let request = TokenRefresh {
                client_id,
                refresh_token: required(&params, "refresh_token")?.to_owned(),
                scope,
            };
            let response = shared
                .transact(move |data, now| grants::refresh(data, now, lifetimes, &request))
                .await
                .map_err(|err| store_failure(&err))??;
            shared.refreshes.fetch_add(1, Ordering::Relaxed);
            shared.remember_issued(&response);
            tracing::info!(scope = %response.scope, "token refreshed");
            Ok(response)
        }
        GrantType::DeviceCode => {
            let request = DevicePoll {
                client_id,
                device_code: required(&params, "device_code")?.to_owned(),
                scope,
            };
            let response = shared
                .transact(move |data, now| device_grant::poll(data, now, lifetimes, &request))
                .await
                .map_err(|err| store_failure(&err))?
                .map_err(Refusal::Device)?;
            shared.remember_issued(&response);
            tracing::info!(scope = %response.scope, refresh_token = response.refresh_token.is_some(), "device code exchanged");
            Ok(response)
        }
    }
}

/// Decodes the body by its `Content-Type`: JSON (what the page fixes) or a form. Anything else,
/// or a body that does not decode, is malformed (20063).
fn read_body(headers: &HeaderMap, body: &[u8]) -> Result<Params, ErrorCode> {
    let params = match media_type(headers).as_deref() {
        Some("application/json") => Params::from_json(body),
        Some("application/x-www-form-urlencoded") => Params::from_urlencoded(body),
        _ => return Err(ErrorCode::MALFORMED_REQUEST),
    };
    params.map_err(|err| {
        tracing::debug!(%err, "token request body refused");
        ErrorCode::MALFORMED_REQUEST
    })
}

fn required<'a>(params: &'a Params, name: &str) -> Result<&'a str, ErrorCode> {
    params.get(name).ok_or_else(|| {
        tracing::debug!(parameter = name, "token request lacks a required parameter");
        ErrorCode::MISSING_PARAMETER
    })
}

fn store_failure(err: &std::io::Error) -> ErrorCode {
    tracing::error!(%err, "the token endpoint could not use its store");
    ErrorCode::SERVER_ERROR
}

#[cfg(test)]
mod tests {
    use axum::http::header::CONTENT_TYPE;
    use axum::http::HeaderValue;

    use super::*;

    fn headers(content_type: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        if let Ok(value) = HeaderValue::from_str(content_type) {
            headers.insert(CONTENT_TYPE, value);
        }
        headers
    }

    #[test]
    fn json_and_form_bodies_are_read_by_content_type() {
        let json = read_body(&headers("application/json; charset=utf-8"), br#"{"a":"1"}"#);
        assert_eq!(
            json.ok()
                .and_then(|params| params.get("a").map(str::to_owned)),
            Some("1".to_owned())
        );
        let form = read_body(&headers("Application/X-WWW-Form-Urlencoded"), b"a=2");
        assert_eq!(
            form.ok()
                .and_then(|params| params.get("a").map(str::to_owned)),
            Some("2".to_owned())
        );
    }

    #[test]
    fn other_bodies_are_malformed() {
        for (content_type, body) in [
            ("text/plain", &b"a=1"[..]),
            ("", b"a=1"),
            ("application/json", b"a=1"),
            ("application/json", br#"{"a":[1]}"#),
        ] {
            assert_eq!(
                read_body(&headers(content_type), body).err(),
                Some(ErrorCode::MALFORMED_REQUEST),
                "{content_type} {body:?}"
            );
        }
    }
}
