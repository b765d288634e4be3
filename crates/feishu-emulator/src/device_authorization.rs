//! `POST /oauth/v1/device_authorization` on the accounts host: the device authorization grant's
//! first step (RFC 8628 §3.1–3.2).
//!
//! Feishu's public pages do not document the device flow. The official Lark CLI (larksuite/cli)
//! uses it: a form body with `client_id` and an optional `scope` (`offline_access` for a refresh
//! token), the app authenticated with HTTP Basic `app_id:app_secret`; other clients send
//! `client_secret` in the body instead. The answers follow RFC 8628 and RFC 6749 §5.2:
//!
//! | request | answer |
//! |---|---|
//! | a fault queued with `Emulator::fail_next` | the code's table status, Feishu's `{"code","error","error_description"}` |
//! | not `application/x-www-form-urlencoded`, or a parameter given twice | 400 `invalid_request` |
//! | no client authentication, both kinds, an unknown app or a wrong secret | 401 `invalid_client` |
//! | the app's device flow is off (`EmulatorBuilder::device_flow(false)`) | 400 `unauthorized_client` |
//! | more than 50 scopes | 400 `invalid_scope` |
//! | otherwise | 200 `{"device_code","user_code","verification_uri","verification_uri_complete","expires_in","interval"}` |
//!
//! What happens to the code next is `device_grant`'s business; the page the person opens is
//! `device_verify`'s.

use std::collections::BTreeSet;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde::Serialize;
use serde_json::json;

use crate::authorize::listed_scopes;
use crate::clock::millis;
use crate::device_grant;
use crate::device_verify::VERIFY_PATH;
use crate::endpoint::Endpoint;
use crate::headers::{basic_credentials, media_type, sends_basic_auth};
use crate::params::Params;
use crate::responses;
use crate::shared::Shared;

const FORM: &str = "application/x-www-form-urlencoded";

/// The success body (RFC 8628 §3.2), field for field.
#[derive(Debug, Serialize)]
struct DeviceAuthorization {
    device_code: String,
    user_code: String,
    verification_uri: String,
    verification_uri_complete: String,
    expires_in: u64,
    interval: u64,
}

/// Why a device authorization request is refused: an RFC 6749 §5.2 error.
#[derive(Debug, PartialEq, Eq)]
enum Refusal {
    /// 400: the request is malformed.
    InvalidRequest(String),
    /// 401: client authentication failed.
    InvalidClient(&'static str),
    /// 400: the app's device flow is off.
    UnauthorizedClient,
    /// 400: too many scopes.
    InvalidScope(usize),
    /// 500: the store could not be used.
    ServerError,
}

impl Refusal {
    fn response(&self) -> Response {
        let (status, error, description) = match self {
            Self::InvalidRequest(description) => (
                StatusCode::BAD_REQUEST,
                "invalid_request",
                description.clone(),
            ),
            Self::InvalidClient(why) => (
                StatusCode::UNAUTHORIZED,
                "invalid_client",
                format!("Client authentication failed: {why}."),
            ),
            Self::UnauthorizedClient => (
                StatusCode::BAD_REQUEST,
                "unauthorized_client",
                "the device flow is not enabled for this app".to_owned(),
            ),
            Self::InvalidScope(count) => (
                StatusCode::BAD_REQUEST,
                "invalid_scope",
                format!("The scope parameter lists {count} scopes; at most 50 are allowed."),
            ),
            Self::ServerError => (
                StatusCode::INTERNAL_SERVER_ERROR,
                "server_error",
                "An unexpected server error occurred. Please retry your request.".to_owned(),
            ),
        };
        responses::json(
            status,
            &json!({ "error": error, "error_description": description }),
        )
    }
}

/// The device authorization endpoint.
pub(crate) async fn device_authorization(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if let Some(code) = shared.faults.on_call(Endpoint::DeviceAuthorization).await {
        tracing::info!(
            code = code.0,
            "device authorization answered with an injected failure"
        );
        return responses::oauth_error(code);
    }
    match start(&shared, &headers, &body).await {
        Ok(answer) => responses::json(StatusCode::OK, &answer),
        Err(refusal) => {
            tracing::info!(?refusal, "device authorization refused");
            refusal.response()
        }
    }
}

async fn start(
    shared: &Arc<Shared>,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<DeviceAuthorization, Refusal> {
    if media_type(headers).as_deref() != Some(FORM) {
        return Err(Refusal::InvalidRequest(format!("The body must be {FORM}.")));
    }
    let params =
        Params::from_urlencoded(body).map_err(|err| Refusal::InvalidRequest(err.to_string()))?;
    let client_id = authenticate(shared, headers, &params)?;
    if !shared.config.device.enabled {
        return Err(Refusal::UnauthorizedClient);
    }
    let scopes: BTreeSet<String> =
        listed_scopes(params.get("scope")).map_err(Refusal::InvalidScope)?;
    let device = shared.config.device;
    let (ttl, interval) = (millis(device.code_ttl), millis(device.poll_interval));
    let owner = client_id.clone();
    let new = shared
        .transact(move |data, now| device_grant::start(data, now, &owner, scopes, ttl, interval))
        .await
        .map_err(|err| {
            tracing::error!(%err, "the device authorization endpoint could not use its store");
            Refusal::ServerError
        })?;
    let verification = shared
        .base_url
        .join(VERIFY_PATH.trim_start_matches('/'))
        .map_err(|_| Refusal::ServerError)?;
    let mut complete = verification.clone();
    complete
        .query_pairs_mut()
        .append_pair("user_code", &new.user_code);
    tracing::info!(%client_id, "device code issued");
    shared.issued_device_codes.push(new.device_code.clone());
    Ok(DeviceAuthorization {
        device_code: new.device_code,
        user_code: new.user_code,
        verification_uri: verification.into(),
        verification_uri_complete: complete.into(),
        expires_in: ttl / 1000,
        interval: interval / 1000,
    })
}

/// The authenticated App ID: HTTP Basic (the official CLI) or `client_secret` in the body, exactly
/// one of them.
fn authenticate(shared: &Shared, headers: &HeaderMap, params: &Params) -> Result<String, Refusal> {
    let body_id = params.get("client_id");
    let (client_id, secret) = match (sends_basic_auth(headers), params.get("client_secret")) {
        (true, Some(_)) => {
            return Err(Refusal::InvalidClient(
                "both HTTP Basic and client_secret were sent; use one",
            ))
        }
        (false, None) => {
            return Err(Refusal::InvalidClient(
                "no client authentication (HTTP Basic or client_secret)",
            ))
        }
        (true, None) => {
            let (id, secret) = basic_credentials(headers).ok_or(Refusal::InvalidClient(
                "the HTTP Basic header does not decode",
            ))?;
            if body_id.is_some_and(|body_id| body_id != id) {
                return Err(Refusal::InvalidClient(
                    "client_id differs from the HTTP Basic user",
                ));
            }
            (id, secret)
        }
        (false, Some(secret)) => {
            let id = body_id.ok_or(Refusal::InvalidClient("no client_id"))?;
            (id.to_owned(), secret.to_owned())
        }
    };
    let app = shared
        .config
        .app(&client_id)
        .ok_or(Refusal::InvalidClient("unknown client_id"))?;
    if !app.secret_matches(&secret) {
        return Err(Refusal::InvalidClient("wrong client_secret"));
    }
    Ok(client_id)
}
