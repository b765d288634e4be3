//! The HTTP server: the state every handler shares, and the routes. One server answers for both of
//! Feishu's hosts (`accounts.feishu.cn` serves the authorize page, `open.feishu.cn` the APIs): their
//! paths do not overlap.

use std::io;
use std::sync::atomic::AtomicU32;
use std::sync::Arc;

use axum::http::{Method, StatusCode, Uri};
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;
use serde_json::json;

use crate::clock::{Clock, Millis};
use crate::config::Config;
use crate::endpoint::Endpoint;
use crate::faults::Faults;
use crate::responses;
use crate::state::{Store, StoreData};
use crate::{authorize, token, user_info};

/// Everything the handlers share.
#[derive(Debug)]
pub(crate) struct Shared {
    pub(crate) config: Config,
    pub(crate) store: Store,
    pub(crate) faults: Faults,
    pub(crate) clock: Clock,
    /// Successful `grant_type=refresh_token` requests.
    pub(crate) refreshes: AtomicU32,
    /// Every `code_verifier` received, so tests can search for it where it must never appear.
    pub(crate) received_verifiers: std::sync::Mutex<Vec<String>>,
}

impl Shared {
    pub(crate) fn new(config: Config, store: Store) -> Self {
        Self {
            config,
            store,
            faults: Faults::default(),
            clock: Clock::default(),
            refreshes: AtomicU32::new(0),
            received_verifiers: std::sync::Mutex::default(),
        }
    }

    /// Runs one store transaction, with the time it happens at, off the async workers: with a state
    /// file it may wait for another process to release the lock.
    pub(crate) async fn transact<R: Send + 'static>(
        self: &Arc<Self>,
        change: impl FnOnce(&mut StoreData, Millis) -> R + Send + 'static,
    ) -> io::Result<R> {
        let shared = Arc::clone(self);
        tokio::task::spawn_blocking(move || {
            let now = shared.clock.now();
            shared.store.transact(now, |data| change(data, now))
        })
        .await
        .map_err(io::Error::other)?
    }

    /// The same transaction, from synchronous code (the [`crate::Emulator`] test hooks).
    pub(crate) fn transact_blocking<R>(
        &self,
        change: impl FnOnce(&mut StoreData, Millis) -> R,
    ) -> io::Result<R> {
        let now = self.clock.now();
        self.store.transact(now, |data| change(data, now))
    }
}

/// Every route the emulator serves.
pub(crate) fn router(shared: Arc<Shared>) -> Router {
    Router::new()
        .route(Endpoint::Authorize.path(), get(authorize::page))
        .route(authorize::DECISION_PATH, post(authorize::decision))
        .route(Endpoint::Token.path(), post(token::token))
        .route(Endpoint::UserInfo.path(), get(user_info::user_info))
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
