//! The HTTP routes. One server answers for both of Feishu's hosts (`accounts.feishu.cn` serves the
//! authorize page, revocation and the device flow, `open.feishu.cn` the APIs): their paths do not overlap.
//!
//! The router depends on the handlers; the handlers depend only on the state they share (`shared`),
//! not on this module.

use std::sync::Arc;

use axum::http::{Method, StatusCode, Uri};
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;
use serde_json::json;

use crate::endpoint::Endpoint;
use crate::responses;
use crate::shared::Shared;
use crate::{authorize, device_authorization, device_verify, revoke, token, user_info};

/// Every route the emulator serves.
pub(crate) fn router(shared: Arc<Shared>) -> Router {
    Router::new()
        .route(Endpoint::Authorize.path(), get(authorize::page))
        .route(authorize::DECISION_PATH, post(authorize::decision))
        .route(Endpoint::Token.path(), post(token::token))
        .route(Endpoint::UserInfo.path(), get(user_info::user_info))
        .route(Endpoint::Revoke.path(), post(revoke::revoke))
        .route(
            Endpoint::DeviceAuthorization.path(),
            post(device_authorization::device_authorization),
        )
        .route(
            device_verify::VERIFY_PATH,
            get(device_verify::page).post(device_verify::decision),
        )
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .with_state(shared)
}

async fn not_found(method: Method, uri: Uri) -> Response {
    tracing::debug!(%method, path = uri.path(), "no such route");
    responses::json(
        StatusCode::NOT_FOUND,
        &json!({ "code": 404, "msg": "404 page not found" }),
    )
}

async fn method_not_allowed(method: Method, uri: Uri) -> Response {
    tracing::debug!(%method, path = uri.path(), "method not allowed");
    responses::json(
        StatusCode::METHOD_NOT_ALLOWED,
        &json!({ "code": 405, "msg": "405 method not allowed" }),
    )
}
