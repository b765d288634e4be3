//! What every request handler shares: the configuration, the store, the injected faults, the clock
//! and the counters tests read.
//!
//! It has a module of its own so that the handlers (`authorize`, `token`, `user_info`, `revoke`)
//! depend only on it, and the router in `server` depends on the handlers, never the other way round.

use std::io;
use std::sync::atomic::AtomicU32;
use std::sync::Arc;

use url::Url;

use crate::clock::{Clock, Millis};
use crate::config::Config;
use crate::faults::Faults;
use crate::recent::Recent;
use crate::state::{Store, StoreData};

/// Everything the handlers share.
#[derive(Debug)]
pub(crate) struct Shared {
    pub(crate) config: Config,
    /// `http://127.0.0.1:<port>/`: the device flow's answers name the verification page under it.
    pub(crate) base_url: Url,
    pub(crate) store: Store,
    pub(crate) faults: Faults,
    pub(crate) clock: Clock,
    /// Successful `grant_type=refresh_token` requests.
    pub(crate) refreshes: AtomicU32,
    /// Revocation requests that revoked a live token.
    pub(crate) revocations: AtomicU32,
    /// The latest `code_verifier`s received, so tests can search for them where they must never
    /// appear.
    pub(crate) received_verifiers: Recent,
    /// The latest tokens issued (access and refresh), for the same searches.
    pub(crate) issued_tokens: Recent,
    /// The latest device codes issued (the device flow's secret), for the same searches.
    pub(crate) issued_device_codes: Recent,
}

impl Shared {
    pub(crate) fn new(config: Config, store: Store, base_url: Url) -> Self {
        Self {
            config,
            base_url,
            store,
            faults: Faults::default(),
            clock: Clock::default(),
            refreshes: AtomicU32::new(0),
            revocations: AtomicU32::new(0),
            received_verifiers: Recent::default(),
            issued_tokens: Recent::default(),
            issued_device_codes: Recent::default(),
        }
    }

    /// Remembers the tokens of a successful token answer (see `Emulator::issued_tokens`).
    pub(crate) fn remember_issued(&self, response: &crate::grants::TokenResponse) {
        self.issued_tokens.push(response.access_token.clone());
        if let Some(refresh) = &response.refresh_token {
            self.issued_tokens.push(refresh.clone());
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

    /// The same transaction, from synchronous code (the `Emulator` test hooks).
    pub(crate) fn transact_blocking<R>(
        &self,
        change: impl FnOnce(&mut StoreData, Millis) -> R,
    ) -> io::Result<R> {
        let now = self.clock.now();
        self.store.transact(now, |data| change(data, now))
    }
}
