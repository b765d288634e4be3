//! `POST /oauth/v1/revoke` on the accounts host: token revocation, in the shape of RFC 7009.
//!
//! Feishu's public pages do not document it. The official Lark CLI (larksuite/cli,
//! `internal/auth/revoke.go`) and other clients call it with a form body (`client_id`,
//! `client_secret`, `token`, optional `token_type_hint` of `refresh_token` or `access_token`) and
//! take any 2xx as "revoked", so this endpoint answers what RFC 7009 prescribes, strictly:
//!
//! | request | answer |
//! |---|---|
//! | a fault queued with `Emulator::fail_next` | the code's table status, Feishu's `{"code","error","error_description"}` |
//! | not `application/x-www-form-urlencoded`, or a parameter given twice | 400 `invalid_request` |
//! | HTTP Basic as well as credentials in the body | 400 `invalid_request` |
//! | `client_id` / `client_secret` missing, unknown or wrong | 401 `invalid_client` |
//! | no `token` | 400 `invalid_request` |
//! | a token issued to another app | 400 `invalid_grant` |
//! | a live token, revoked now | 200, empty body |
//! | an unknown, expired, spent or already revoked token | 200, empty body (RFC 7009 §2.2) |
//! | the store cannot be used | 500 `server_error` |
//!
//! The handler's own refusals carry RFC 6749 §5.2's body, `{"error","error_description"}`: what
//! the official client reads. What a revocation changes is `revocation`'s business.

use std::sync::atomic::Ordering;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde_json::json;

use crate::endpoint::Endpoint;
use crate::headers::{media_type, sends_basic_auth};
use crate::params::Params;
use crate::responses;
use crate::revocation::{self, Revocation};
use crate::secrets::TokenKind;
use crate::shared::Shared;

const FORM: &str = "application/x-www-form-urlencoded";

/// Why a revocation request is refused: an RFC 6749 §5.2 error.
#[derive(Debug, PartialEq, Eq)]
enum Refusal {
    /// 400: the request is malformed.
    InvalidRequest(String),
    /// 401: client authentication failed.
    InvalidClient,
    /// 400: the token was issued to another app.
    AnotherClient,
    /// 500: the store could not be used.
    ServerError,
}

impl Refusal {
    fn response(&self) -> Response {
        let (status, error, description) = match self {
            Self::InvalidRequest(description) => (
                StatusCode::BAD_REQUEST,
                "invalid_request",
                description.as_str(),
            ),
            Self::InvalidClient => (
                StatusCode::UNAUTHORIZED,
                "invalid_client",
                "Client authentication failed: unknown client_id or wrong client_secret.",
            ),
            Self::AnotherClient => (
                StatusCode::BAD_REQUEST,
                "invalid_grant",
                "The token was issued to another client.",
            ),
            Self::ServerError => (
                StatusCode::INTERNAL_SERVER_ERROR,
                "server_error",
                "An unexpected server error occurred. Please retry your request.",
            ),
        };
        responses::json(
            status,
            &json!({ "error": error, "error_description": description }),
        )
    }
}

/// The revocation endpoint.
pub(crate) async fn revoke(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if let Some(code) = shared.faults.on_call(Endpoint::Revoke).await {
        tracing::info!(
            code = code.0,
            "revocation answered with an injected failure"
        );
        return responses::oauth_error(code);
    }
    match revoke_token(&shared, &headers, &body).await {
        Ok(()) => responses::empty(StatusCode::OK),
        Err(refusal) => {
            tracing::info!(?refusal, "revocation refused");
            refusal.response()
        }
    }
}

async fn revoke_token(
    shared: &Arc<Shared>,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<(), Refusal> {
    if media_type(headers).as_deref() != Some(FORM) {
        return Err(Refusal::InvalidRequest(format!(
            "The request body must be {FORM}."
        )));
    }
    let params =
        Params::from_urlencoded(body).map_err(|err| Refusal::InvalidRequest(err.to_string()))?;
    let client_id = params.get("client_id");
    let client_secret = params.get("client_secret");
    if sends_basic_auth(headers) && (client_id.is_some() || client_secret.is_some()) {
        return Err(Refusal::InvalidRequest(
            "More than one client authentication method was used.".to_owned(),
        ));
    }
    let app = client_id
        .and_then(|id| shared.config.app(id))
        .filter(|app| client_secret.is_some_and(|secret| app.secret_matches(secret)))
        .ok_or(Refusal::InvalidClient)?;
    let token = params
        .get("token")
        .ok_or_else(|| Refusal::InvalidRequest("The token parameter is missing.".to_owned()))?
        .to_owned();
    let hint = match params.get("token_type_hint") {
        Some("access_token") => Some(TokenKind::Access),
        Some("refresh_token") => Some(TokenKind::Refresh),
        _ => None,
    };
    let client_id = app.id.clone();
    let outcome = shared
        .transact(move |data, now| revocation::revoke(data, now, &client_id, &token, hint))
        .await
        .map_err(|err| {
            tracing::error!(%err, "the revocation endpoint could not use its store");
            Refusal::ServerError
        })?;
    match outcome {
        Revocation::Revoked(kind) => {
            shared.revocations.fetch_add(1, Ordering::Relaxed);
            tracing::info!(?kind, "token revoked");
            Ok(())
        }
        Revocation::NothingToRevoke => {
            tracing::info!("revocation of a token that was not live: nothing to do");
            Ok(())
        }
        Revocation::AnotherClient => Err(Refusal::AnotherClient),
    }
}
