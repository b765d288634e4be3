//! Keeping the session fresh: hand out a valid access token, refreshing it first when it is within
//! the refresh margin, with exactly one refresh however many callers ask at once.
//!
//! Within a process an async mutex makes refreshes single-flight; across processes the store's
//! file lock does, and the session is re-read under each before deciding to call Feishu, so a
//! process never spends a refresh token that another just rotated.
//!
//! Callers that ask while a refresh is under way in this process share its result instead of each
//! reading the store again: a session refreshed after a caller asked is as fresh as one it would
//! read, so 50 callers cost one refresh and about one read, not a hundred.

use std::{
    future::Future,
    sync::{
        atomic::{AtomicU64, Ordering},
        Arc, Mutex, PoisonError,
    },
};

use time::OffsetDateTime;
use tracing::{info, warn};

use crate::{
    client::FeishuClient,
    codes::Remedy,
    error::{Error, Result},
    session::{Issuer, Session, StaleReason, TokenStatus},
    store::SessionStore,
    writer::{Persisting, SessionWriter},
};

/// The session of one app, in one store.
pub struct SessionManager {
    /// Every write goes through it, in order; reads see what it has not yet written.
    writer: Arc<SessionWriter>,
    issuer: Issuer,
    gate: tokio::sync::Mutex<()>,
    /// How many refreshes this manager has completed (and saved).
    refreshes: AtomicU64,
    /// The session the last of them saved, with its number.
    last_refreshed: Mutex<Option<(u64, Session)>>,
}

impl std::fmt::Debug for SessionManager {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SessionManager")
            .field("issuer", &self.issuer)
            .finish_non_exhaustive()
    }
}

impl SessionManager {
    /// A manager for sessions issued by `issuer`, kept in `store`.
    pub fn new(store: Arc<dyn SessionStore>, issuer: Issuer) -> Self {
        Self {
            writer: Arc::new(SessionWriter::new(store)),
            issuer,
            gate: tokio::sync::Mutex::new(()),
            refreshes: AtomicU64::new(0),
            last_refreshed: Mutex::new(None),
        }
    }

    /// The issuer (brand and App ID) this manager serves.
    pub fn issuer(&self) -> &Issuer {
        &self.issuer
    }

    /// The stored session if it belongs to this issuer. A session of another app (or of the
    /// sandbox while a real app is configured) counts as signed out.
    pub fn current(&self) -> Result<Option<Session>> {
        let session = match self.writer.unwritten() {
            Some(state) => state,
            None => self.writer.store().load()?,
        };
        Ok(session.filter(|s| s.issuer == self.issuer))
    }

    /// Saves a new session (after a sign-in) and returns once it is on disk.
    pub fn save(&self, session: &Session) -> Result<()> {
        self.writer.write_now(Some(session.clone()))
    }

    /// Saves a new session write-behind: this process reads it at once, so the window can show
    /// it while the crash-safe write runs on a blocking thread; [`Persisting::finished`] says
    /// when it is on disk, or why it could not be written (and then the file's state is read
    /// again). A crash before then keeps the previous file, whole. Needs a Tokio runtime.
    pub fn save_behind(&self, session: &Session) -> Persisting {
        let number = self.writer.hand_in(Some(session.clone()));
        Persisting::start(Arc::clone(&self.writer), number)
    }

    /// Signs out locally (Feishu documents no revocation endpoint).
    pub fn sign_out(&self) -> Result<()> {
        self.writer.write_now(None)
    }

    /// A session whose access token is valid, refreshed first if it needs it. `connect` is called
    /// only when a refresh is needed (the sandbox starts its emulator there).
    pub async fn fresh_session<F, Fut>(&self, connect: F) -> Result<Session>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<FeishuClient>>,
    {
        self.refresh_if(false, connect).await
    }

    /// Refreshes now, whatever the token's status.
    pub async fn refresh_now<F, Fut>(&self, connect: F) -> Result<Session>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<FeishuClient>>,
    {
        self.refresh_if(true, connect).await
    }

    async fn refresh_if<F, Fut>(&self, force: bool, connect: F) -> Result<Session>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<FeishuClient>>,
    {
        let usable =
            |s: &Session| !force && s.token_status(OffsetDateTime::now_utc()) == TokenStatus::Valid;

        let asked = self.refreshes.load(Ordering::Acquire);
        // While a refresh is under way (the gate is held), its result is awaited instead.
        let refreshing = self.gate.try_lock().is_err();
        if !refreshing {
            let session = self.current()?.ok_or(Error::SignedOut)?;
            if usable(&session) {
                return Ok(session);
            }
        }
        // One refresh per process: the others wait here, then share what it saved.
        let _gate = self.gate.lock().await;
        if let Some(refreshed) = self.refreshed_since(asked).filter(|s| usable(s)) {
            return Ok(refreshed);
        }
        let session = self.current()?.ok_or(Error::SignedOut)?;
        if usable(&session) {
            return Ok(session);
        }
        // One refresh across processes: the lock file, then a re-read.
        let store = Arc::clone(self.writer.store());
        let _lock = tokio::task::spawn_blocking(move || store.lock())
            .await
            .map_err(|e| Error::Store {
                path: "session lock".into(),
                source: std::io::Error::other(e),
            })??;
        let session = self.current()?.ok_or(Error::SignedOut)?;
        if usable(&session) {
            return Ok(session);
        }
        self.refresh_locked(session, force, connect).await
    }

    /// The session a refresh completed after the `asked`-th saved, if any. It is what the store
    /// held at an instant after the caller asked, so handing it out is as good as reading it.
    fn refreshed_since(&self, asked: u64) -> Option<Session> {
        let last = self
            .last_refreshed
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        last.as_ref()
            .filter(|(number, _)| *number > asked)
            .map(|(_, session)| session.clone())
    }

    /// Records a saved refresh for the callers waiting on the gate; the caller holds the gate.
    fn remember_refreshed(&self, session: &Session) {
        let number = self.refreshes.load(Ordering::Acquire) + 1;
        *self
            .last_refreshed
            .lock()
            .unwrap_or_else(PoisonError::into_inner) = Some((number, session.clone()));
        self.refreshes.store(number, Ordering::Release);
    }

    /// Calls Feishu with the stored refresh token; the caller holds both locks.
    async fn refresh_locked<F, Fut>(
        &self,
        session: Session,
        force: bool,
        connect: F,
    ) -> Result<Session>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<FeishuClient>>,
    {
        let now = OffsetDateTime::now_utc();
        let reason = if force {
            StaleReason::Requested
        } else {
            session.stale_reason(now).unwrap_or(StaleReason::Requested)
        };
        let Some(refresh_token) = session
            .refresh_token
            .clone()
            .filter(|_| session.can_refresh(now))
        else {
            let why = match (&session.refresh_token, session.refresh_token_expires_at) {
                (None, _) => "no refresh token: `offline_access` was not granted".to_owned(),
                _ if now >= session.reauthorization_due_at() => {
                    "Feishu requires a new authorization 365 days after the last one".to_owned()
                }
                (Some(_), Some(at)) => format!("the refresh token expired at {at}"),
                (Some(_), None) => "the refresh token is unusable".to_owned(),
            };
            return match session.token_status(now) {
                TokenStatus::Expired => Err(Error::SignInRequired { reason: why }),
                _ if !force => Ok(session),
                _ => Err(Error::SignInRequired { reason: why }),
            };
        };
        let client = connect().await?;
        info!(?reason, "refreshing the user access token");
        match client.refresh(&refresh_token, None).await {
            Ok(grant) => {
                let refreshed = Session {
                    access_token: grant.access_token,
                    access_token_issued_at: grant.issued_at,
                    access_token_expires_at: grant.access_token_expires_at,
                    refresh_token: grant.refresh_token,
                    refresh_token_expires_at: grant.refresh_token_expires_at,
                    scopes: if grant.scopes.is_empty() {
                        session.scopes.clone()
                    } else {
                        grant.scopes
                    },
                    ..session
                };
                self.save(&refreshed)?;
                self.remember_refreshed(&refreshed);
                Ok(refreshed)
            }
            Err(Error::Feishu(e)) if e.remedy() == Some(Remedy::RereadStore) => {
                // Another writer (one that did not take the lock) may have rotated the token.
                if let Some(stored) = self.current()? {
                    if stored.refresh_token.as_ref() != Some(&refresh_token) {
                        warn!(
                            code = e.code,
                            "refresh token was rotated by another process; using its session"
                        );
                        return Ok(stored);
                    }
                }
                warn!(code = e.code, "refresh token is dead; signing out");
                self.sign_out()?;
                Err(Error::SignInRequired {
                    reason: e.to_string(),
                })
            }
            Err(Error::Feishu(e)) if e.remedy() == Some(Remedy::SignInAgain) => {
                warn!(code = e.code, "refresh refused; signing out");
                self.sign_out()?;
                Err(Error::SignInRequired {
                    reason: e.to_string(),
                })
            }
            Err(e) => Err(e),
        }
    }
}
