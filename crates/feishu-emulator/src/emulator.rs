//! A running emulator: its address, its app's credentials, and the hooks tests use to observe it
//! and make it misbehave.
//!
//! Configuring one is `builder`'s job (which also provides `Emulator::builder`): the builder
//! depends on this module, not the other way round.

use std::fmt;
use std::io;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;

use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;
use url::Url;

use crate::clock::Millis;
use crate::config::Config;
use crate::endpoint::Endpoint;
use crate::errors::ErrorCode;
use crate::grants;
use crate::server;
use crate::shared::Shared;
use crate::state::{Store, StoreData};

/// A Feishu OAuth server on `127.0.0.1`, serving until it is dropped (or [`Emulator::shutdown`]).
pub struct Emulator {
    shared: Arc<Shared>,
    addr: SocketAddr,
    base_url: Url,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<()>>,
}

impl fmt::Debug for Emulator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Emulator")
            .field("base_url", &self.base_url.as_str())
            .field("app_id", &self.app_id())
            .finish_non_exhaustive()
    }
}

impl Emulator {
    pub(crate) async fn start(config: Config, store: Store, port: u16) -> io::Result<Self> {
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, port)).await?;
        let addr = listener.local_addr()?;
        let base_url = Url::parse(&format!("http://{addr}/")).map_err(io::Error::other)?;
        let shared = Arc::new(Shared::new(config, store, base_url.clone()));
        let router = server::router(Arc::clone(&shared));
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            let serving = axum::serve(listener, router).with_graceful_shutdown(async move {
                // Either a stop request or the Emulator being dropped ends the wait.
                let _ = stopped.await;
            });
            if let Err(err) = serving.await {
                tracing::error!(%err, "the emulator stopped serving");
            }
        });
        tracing::info!(%base_url, app_id = %shared.config.app.id, "Feishu emulator listening");
        Ok(Self {
            shared,
            addr,
            base_url,
            stop: Some(stop),
            task: Some(task),
        })
    }

    /// `http://127.0.0.1:<port>/`: the base URL for both the `accounts` host (authorize page) and
    /// the `open` host (token, user info).
    pub fn base_url(&self) -> Url {
        self.base_url.clone()
    }

    /// The address the server listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The App ID (`client_id`).
    pub fn app_id(&self) -> &str {
        &self.shared.config.app.id
    }

    /// The App Secret (`client_secret`).
    pub fn app_secret(&self) -> &str {
        &self.shared.config.app.secret
    }

    /// The next `times` requests to `endpoint` answer Feishu error `code`, with its HTTP status
    /// (20050 → 500, 20072 → 503, a code the table lacks → 400). The token and revocation
    /// endpoints answer `{"code","error","error_description"}`, user info `{"code","msg"}`, and the
    /// authorize page shows an error page.
    pub fn fail_next(&self, endpoint: Endpoint, times: u32, code: u32) {
        self.shared
            .faults
            .fail_next(endpoint, times, ErrorCode(code));
    }

    /// The next `times` requests to `endpoint` wait `delay` before they are processed: a refresh
    /// reads and rotates its refresh token only once the delay is over, so what happens meanwhile
    /// (a sign-out, a revocation, a second request) can be tested. [`Emulator::calls`] counts a
    /// request as soon as it arrives, so a test can tell when one is waiting. Delays queue after any
    /// queued before, and combine with [`Emulator::fail_next`]: a delayed request can fail too.
    pub fn delay_next(&self, endpoint: Endpoint, times: u32, delay: Duration) {
        self.shared.faults.delay_next(endpoint, times, delay);
    }

    /// How many requests reached `endpoint`, including failed, faulted and delayed ones.
    pub fn calls(&self, endpoint: Endpoint) -> u32 {
        self.shared.faults.calls(endpoint)
    }

    /// How many `grant_type=refresh_token` requests succeeded.
    pub fn refreshes(&self) -> u32 {
        self.shared.refreshes.load(Ordering::Relaxed)
    }

    /// How many requests to the revocation endpoint ([`Endpoint::Revoke`]) revoked a live token: a
    /// refresh token (with its grant's access tokens) or an access token. Requests answered 200
    /// for a token that was unknown, expired, spent or revoked already are not counted;
    /// [`Emulator::calls`] counts every request.
    pub fn revocations(&self) -> u32 {
        self.shared.revocations.load(Ordering::Relaxed)
    }

    /// The `code_verifier`s the token endpoint received, oldest first: for tests that check a
    /// client never lets the verifier out anywhere else. Only the most recent 64 are kept, so that
    /// a long-running sandbox does not grow without bound.
    pub fn received_code_verifiers(&self) -> Vec<String> {
        self.shared.received_verifiers.to_vec()
    }

    /// The tokens the token endpoint issued (access and refresh), oldest first: for tests that
    /// check a client never stores or shows one where it must not. The most recent 64 are kept.
    pub fn issued_tokens(&self) -> Vec<String> {
        self.shared.issued_tokens.to_vec()
    }

    /// The device codes the device authorization endpoint issued, oldest first: the device
    /// flow's secret, which a client must never show or log. The most recent 64 are kept.
    pub fn issued_device_codes(&self) -> Vec<String> {
        self.shared.issued_device_codes.to_vec()
    }

    /// Revokes every refresh token issued so far: refreshing answers 20064. Access tokens keep
    /// working (unlike a revocation at [`Endpoint::Revoke`], which ends a refresh token's grant).
    pub fn revoke_refresh_tokens(&self) {
        self.change_store("revoke refresh tokens", |data, _| {
            grants::revoke_refresh_tokens(data);
        });
    }

    /// Simulates the 365-day limit having passed for every authorization so far: refreshing
    /// answers 20037.
    pub fn expire_authorization(&self) {
        self.change_store("expire authorizations", grants::expire_authorizations);
    }

    /// Moves this emulator's clock forward, so that codes and tokens expire without waiting (the
    /// old access token's minute after a refresh, the 5-minute code, a short TTL).
    pub fn advance_clock(&self, by: Duration) {
        self.shared.clock.advance(by);
    }

    /// Stops serving and waits for the server task to finish.
    pub async fn shutdown(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            if let Err(err) = task.await {
                tracing::warn!(%err, "the emulator task ended abnormally");
            }
        }
    }

    fn change_store(&self, what: &str, change: impl FnOnce(&mut StoreData, Millis)) {
        if let Err(err) = self.shared.transact_blocking(change) {
            tracing::error!(%err, "could not {what}");
        }
    }
}

impl Drop for Emulator {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        // Idle keep-alive connections would hold a graceful shutdown open; the port must be free now.
        if let Some(task) = self.task.take() {
            task.abort();
        }
    }
}
