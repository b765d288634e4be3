//! The device flow's verification page, where the person approves or denies what a device asked
//! for (RFC 8628 §3.3). Feishu's public pages do not document it; the official Lark CLI sends people
//! to such a page (`verification_uri_complete`).
//!
//! `GET /oauth/v1/device/verify[?user_code=…]` shows the form (filled in, with the app and the
//! scopes, when the link names a live code); `POST` the same path takes `user_code`, `decision`
//! (`approve` or `deny`) and the page's single-use `ticket`, which a forged cross-site form cannot
//! know. An unknown, expired or used code shows an error page (HTTP 400) that says which. Codes are
//! matched ignoring case and dashes.

use std::io;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;

use crate::clock::Millis;
use crate::device_grant::{self, CodeProblem};
use crate::device_page::{self, Verification, USER_CODE_FIELD};
use crate::pages::{self, DECISION_FIELD, TICKET_FIELD};
use crate::params::{Params, ParamsError};
use crate::responses;
use crate::secrets::{self, fingerprint};
use crate::shared::Shared;

/// The verification page's path on the accounts host.
pub(crate) const VERIFY_PATH: &str = "/oauth/v1/device/verify";
/// How long a shown page's ticket stays good.
const TICKET_TTL: Millis = 10 * 60 * 1000;

/// Why the page cannot go on; shown as an error page.
#[derive(Debug, thiserror::Error)]
enum VerifyError {
    #[error("The request is malformed: {0}.")]
    Malformed(ParamsError),
    #[error("Enter the code your device shows.")]
    MissingCode,
    #[error("The code {0:?} is unknown. Check it against the one your device shows.")]
    Unknown(String),
    #[error("The code {0:?} has expired. Start the sign-in again on your device.")]
    Expired(String),
    #[error("The code {0:?} has already been used.")]
    Used(String),
    #[error("This page has expired or was already submitted. Open the link again.")]
    UnknownTicket,
    #[error("The decision must be `approve` or `deny`.")]
    UnknownDecision,
    #[error("The emulator could not read or write its state: {0}")]
    Store(io::Error),
}

impl VerifyError {
    fn about(code: &str, problem: CodeProblem) -> Self {
        let code = code.to_owned();
        match problem {
            CodeProblem::Unknown => Self::Unknown(code),
            CodeProblem::Expired => Self::Expired(code),
            CodeProblem::Used => Self::Used(code),
        }
    }

    fn into_page(self) -> Response {
        tracing::warn!(error = %self, "device verification refused");
        let status = match &self {
            Self::Store(_) => StatusCode::INTERNAL_SERVER_ERROR,
            _ => StatusCode::BAD_REQUEST,
        };
        responses::html(
            status,
            pages::error(
                None,
                "无法登录设备 · Cannot sign in the device",
                &self.to_string(),
            ),
        )
    }
}

/// `GET /oauth/v1/device/verify`: the form, or an error page for a bad code in the link.
pub(crate) async fn page(State(shared): State<Arc<Shared>>, RawQuery(query): RawQuery) -> Response {
    match show(&shared, query.as_deref().unwrap_or_default()).await {
        Ok(page) => responses::html(StatusCode::OK, page),
        Err(err) => err.into_page(),
    }
}

async fn show(shared: &Arc<Shared>, query: &str) -> Result<String, VerifyError> {
    let params = Params::from_urlencoded(query.as_bytes()).map_err(VerifyError::Malformed)?;
    let typed = params.get(USER_CODE_FIELD).map(str::to_owned);
    let ticket = secrets::ticket();
    let key = fingerprint(&ticket);
    let looked_up = typed.clone();
    let request = shared
        .transact(move |data, now| {
            let request = match &looked_up {
                Some(code) => {
                    let record = device_grant::pending(data, now, code)
                        .map_err(|problem| VerifyError::about(code, problem))?;
                    Some((record.client_id.clone(), record.scopes.clone()))
                }
                None => None,
            };
            data.device_tickets
                .insert(key, now.saturating_add(TICKET_TTL));
            Ok(request)
        })
        .await
        .map_err(VerifyError::Store)??;
    let scopes: Vec<&str> = request
        .as_ref()
        .map(|(_, scopes)| scopes.iter().map(String::as_str).collect())
        .unwrap_or_default();
    Ok(device_page::verification(&Verification {
        user_code: typed.as_deref().unwrap_or_default(),
        request: request
            .as_ref()
            .map(|(client_id, _)| (client_id.as_str(), scopes.as_slice())),
        action: VERIFY_PATH,
        ticket: &ticket,
    }))
}

/// `POST /oauth/v1/device/verify`: the person's decision.
pub(crate) async fn decision(State(shared): State<Arc<Shared>>, body: Bytes) -> Response {
    match decide(&shared, &body).await {
        Ok(approved) => responses::html(StatusCode::OK, device_page::done(approved)),
        Err(err) => err.into_page(),
    }
}

async fn decide(shared: &Arc<Shared>, body: &[u8]) -> Result<bool, VerifyError> {
    let params = Params::from_urlencoded(body).map_err(VerifyError::Malformed)?;
    let ticket = params.get(TICKET_FIELD).ok_or(VerifyError::UnknownTicket)?;
    let code = params
        .get(USER_CODE_FIELD)
        .ok_or(VerifyError::MissingCode)?
        .to_owned();
    let approved = match params.get(DECISION_FIELD) {
        Some("approve") => true,
        Some("deny") => false,
        _ => return Err(VerifyError::UnknownDecision),
    };
    let key = fingerprint(ticket);
    shared
        .transact(move |data, now| {
            // A ticket answers once; an expired one was purged already.
            data.device_tickets
                .remove(&key)
                .ok_or(VerifyError::UnknownTicket)?;
            device_grant::decide(data, now, &code, approved)
                .map_err(|problem| VerifyError::about(&code, problem))
        })
        .await
        .map_err(VerifyError::Store)??;
    tracing::info!(approved, "device code answered");
    Ok(approved)
}
