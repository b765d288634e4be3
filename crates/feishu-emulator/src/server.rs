//! The HTTP server: the state every handler shares, and the routes. One server answers for both of
//! Feishu's hosts (`accounts.feishu.cn` serves the authorize page, `open.feishu.cn` the APIs): their
//! paths do not overlap.

use std::collections::VecDeque;
use std::io;
use std::sync::atomic::AtomicU32;
use std::sync::{Arc, Mutex, PoisonError};

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
    /// The latest `code_verifier`s received, so tests can search for them where they must never
    /// appear.
    pub(crate) received_verifiers: ReceivedVerifiers,
}

impl Shared {
    pub(crate) fn new(config: Config, store: Store) -> Self {
        Self {
            config,
            store,
            faults: Faults::default(),
            clock: Clock::default(),
            refreshes: AtomicU32::new(0),
            received_verifiers: ReceivedVerifiers::default(),
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

/// How many received `code_verifier`s are remembered. A test looks for the verifiers of the few
/// sign-ins it just made; a sandbox emulator may run for days, and must not grow without bound.
const KEPT_VERIFIERS: usize = 64;

/// The most recent [`KEPT_VERIFIERS`] `code_verifier`s the token endpoint received, oldest first.
#[derive(Debug, Default)]
pub(crate) struct ReceivedVerifiers(Mutex<VecDeque<String>>);

impl ReceivedVerifiers {
    /// Remembers `verifier`, forgetting the oldest one when full.
    pub(crate) fn push(&self, verifier: String) {
        let mut kept = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        if kept.len() == KEPT_VERIFIERS {
            kept.pop_front();
        }
        kept.push_back(verifier);
    }

    /// The remembered verifiers, oldest first.
    pub(crate) fn to_vec(&self) -> Vec<String> {
        let kept = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        kept.iter().cloned().collect()
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_latest_verifiers_are_kept() {
        let verifiers = ReceivedVerifiers::default();
        for n in 0..100 {
            verifiers.push(format!("verifier-{n}"));
        }
        let kept = verifiers.to_vec();
        let newest: Vec<String> = (100 - KEPT_VERIFIERS..100)
            .map(|n| format!("verifier-{n}"))
            .collect();
        assert_eq!(kept, newest);
    }
}
