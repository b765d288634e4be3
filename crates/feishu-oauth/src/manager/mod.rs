//! Keeping the session fresh: hand out a valid access token, refreshing it first when it is within
//! the refresh margin, with exactly one refresh however many callers ask at once.
//!
//! Within a process an async mutex makes refreshes single-flight; across processes the store's
//! refresh lock does, and the session is re-read under each before deciding to call Feishu, so a
//! process never spends a refresh token that another just rotated.
//!
//! Every write (a sign-in's save, a refresh's save, a sign-out) happens under the store's write
//! lock together with the read it depends on. A refresh that comes back after the user signed out
//! (in this process or another) finds the session gone and writes nothing back: the user's
//! decision stands. A refresh whose save fails keeps the rotated session in memory (the file now
//! holds a spent refresh token) and writes it at the next chance.
//!
//! Callers that ask while a refresh is under way in this process share its result instead of each
//! reading the store again: a session refreshed after a caller asked is as fresh as one it would
//! read, so 50 callers cost one refresh and about one read, not a hundred.

mod narrow;

pub use narrow::NarrowedToken;

use std::{
    future::Future,
    sync::{
        atomic::{AtomicU64, Ordering},
        Arc, Mutex, MutexGuard, PoisonError,
    },
};

use time::OffsetDateTime;
use tracing::{info, warn};

use crate::{
    client::FeishuClient,
    codes::Remedy,
    error::{Error, Result},
    secret::RefreshToken,
    session::{Issuer, Session, StaleReason, TokenStatus},
    storage::Storage,
    store::{SessionStore, StoreLock},
};

/// What a sign-out did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SignOut {
    /// This session was removed.
    SignedOut(Session),
    /// There was no session.
    NotSignedIn,
    /// The stored session belongs to another app (or the sandbox) and was left as it is.
    OtherIssuer(Issuer),
}

/// A session whose access token can be used now (see [`SessionManager::usable_session`]).
#[derive(Debug)]
pub struct UsableSession {
    /// The session. Its access token has not expired; it may be within its refresh margin.
    pub session: Session,
    /// Why the refresh ahead of expiry failed, when it did: the token is still valid, but it will
    /// expire soon and the failure is worth telling.
    pub refresh_ahead_failed: Option<Error>,
}

/// A refreshed session whose save failed: the only copy of its rotated refresh token.
#[derive(Debug)]
struct Unsaved {
    session: Session,
    /// The refresh token it was refreshed with (spent), which the file still holds.
    spent: RefreshToken,
    /// Why the last write failed.
    reason: String,
    /// The cross-process refresh lock, held until the session is on disk: another process would
    /// otherwise read the spent token from the file, present it, and be signed out for it.
    refresh_lock: Arc<StoreLock>,
}

/// The session of one app, in one store.
pub struct SessionManager {
    store: Arc<dyn SessionStore>,
    issuer: Issuer,
    gate: tokio::sync::Mutex<()>,
    /// How many refreshes this manager has completed (and saved).
    refreshes: AtomicU64,
    /// The session the last of them saved, with its number.
    last_refreshed: Mutex<Option<(u64, Session)>>,
    /// A refreshed session not yet on disk.
    unsaved: Mutex<Option<Unsaved>>,
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
            store,
            issuer,
            gate: tokio::sync::Mutex::new(()),
            refreshes: AtomicU64::new(0),
            last_refreshed: Mutex::new(None),
            unsaved: Mutex::new(None),
        }
    }

    /// The issuer (brand and App ID) this manager serves.
    pub fn issuer(&self) -> &Issuer {
        &self.issuer
    }

    /// The stored session if it belongs to this issuer. A session of another app (or of the
    /// sandbox while a real app is configured) counts as signed out. A refreshed session that
    /// could not be saved is written now if it can be, and is what this process uses meanwhile.
    pub fn current(&self) -> Result<Option<Session>> {
        if lock(&self.unsaved).is_some() {
            return self.write_unsaved();
        }
        Ok(self.store.load()?.filter(|s| s.issuer == self.issuer))
    }

    /// Why the last refreshed session could not be written, while it is still only in memory.
    pub fn unsaved(&self) -> Option<Error> {
        lock(&self.unsaved).as_ref().map(|u| Error::NotSaved {
            reason: u.reason.clone(),
        })
    }

    /// Tries once more to write a refreshed session kept in memory; the error says why it is
    /// still not on disk.
    pub fn flush_unsaved(&self) -> Result<()> {
        self.current()?;
        self.unsaved().map_or(Ok(()), Err)
    }

    /// Saves a new session (after a sign-in) and returns once it is on disk.
    pub fn save(&self, session: &Session) -> Result<()> {
        let _writes = self.store.lock_writes()?;
        self.store.save(session)?;
        *lock(&self.unsaved) = None;
        Ok(())
    }

    /// Where the stored session is kept (sealed by the keyring, or in clear in its file).
    pub fn storage(&self) -> Result<Storage> {
        self.store.storage()
    }

    /// Seals a session an earlier version (or a login without a keyring) stored in clear, now
    /// that a keyring can seal it, and wipes the clear copy: no new sign-in. `true` when it did.
    pub fn seal_plain(&self) -> Result<bool> {
        if !self.store.needs_sealing() {
            return Ok(false);
        }
        let _writes = self.store.lock_writes()?;
        let sealed = self.store.seal_plain()?;
        if sealed {
            info!("the session stored in clear is now sealed by the desktop keyring");
        }
        Ok(sealed)
    }

    /// Signs out locally (Feishu documents no revocation endpoint), if the stored session is this
    /// issuer's; a session of another app is left alone (see [`Self::sign_out_any`]).
    pub fn sign_out(&self) -> Result<SignOut> {
        self.sign_out_if(|s| s.issuer == self.issuer)
    }

    /// Signs out whatever app the stored session belongs to.
    pub fn sign_out_any(&self) -> Result<SignOut> {
        self.sign_out_if(|_| true)
    }

    fn sign_out_if(&self, owned: impl Fn(&Session) -> bool) -> Result<SignOut> {
        let _writes = self.store.lock_writes()?;
        *lock(&self.unsaved) = None;
        // Callers waiting on a refresh must not be handed its session after this.
        *lock(&self.last_refreshed) = None;
        let stored = match self.store.load() {
            Ok(stored) => stored,
            // The unreadable file was moved aside: nothing is signed in any more.
            Err(Error::CorruptStore { .. }) => None,
            Err(e) => return Err(e),
        };
        match stored {
            None => Ok(SignOut::NotSignedIn),
            Some(session) if !owned(&session) => Ok(SignOut::OtherIssuer(session.issuer)),
            Some(session) => {
                self.store.clear()?;
                Ok(SignOut::SignedOut(session))
            }
        }
    }

    /// Writes the in-memory session if the file still holds the one it was refreshed from;
    /// anything else there (a sign-out, a new sign-in) is newer, and the in-memory one is dropped.
    fn write_unsaved(&self) -> Result<Option<Session>> {
        let in_memory = |e: Error| {
            let mut slot = lock(&self.unsaved);
            Ok(slot.as_mut().map(|unsaved| {
                unsaved.reason = e.to_string();
                unsaved.session.clone()
            }))
        };
        let _writes = match self.store.lock_writes() {
            Ok(writes) => writes,
            Err(e) => return in_memory(e),
        };
        let stored = match self.store.load() {
            Ok(stored) => stored,
            Err(e) => return in_memory(e),
        };
        let mut slot = lock(&self.unsaved);
        let Some(unsaved) = slot.as_mut() else {
            return Ok(stored.filter(|s| s.issuer == self.issuer));
        };
        let holds_spent = stored.as_ref().is_some_and(|s| {
            s.issuer == self.issuer && s.refresh_token.as_ref() == Some(&unsaved.spent)
        });
        if !holds_spent {
            info!(
                "a newer session was stored (or the user signed out); the unsaved one is dropped"
            );
            *slot = None;
            return Ok(stored.filter(|s| s.issuer == self.issuer));
        }
        match self.store.save(&unsaved.session) {
            Ok(()) => {
                info!("the refreshed session kept in memory is now saved");
                Ok(slot.take().map(|u| u.session))
            }
            Err(e) => {
                unsaved.reason = e.to_string();
                Ok(Some(unsaved.session.clone()))
            }
        }
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

    /// A session whose access token can be used now: as [`Self::fresh_session`], except that a
    /// failed refresh ahead of expiry (the network, a Feishu fault, a slow lock) is no error while
    /// the access token is still valid. The session is then returned as it is, with the failure.
    /// An error comes only when there is no usable token: no session, a session that ended (the
    /// refresh was refused, a sign-out), or an access token that expired.
    pub async fn usable_session<F, Fut>(&self, connect: F) -> Result<UsableSession>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<FeishuClient>>,
    {
        let error = match self.fresh_session(connect).await {
            Ok(session) => {
                return Ok(UsableSession {
                    session,
                    refresh_ahead_failed: None,
                })
            }
            Err(
                e @ (Error::SignedOut
                | Error::SignInRequired { .. }
                | Error::SignedOutDuringRefresh
                | Error::CorruptStore { .. }),
            ) => return Err(e),
            Err(e) => e,
        };
        match self.current() {
            Ok(Some(session))
                if session.token_status(OffsetDateTime::now_utc()) != TokenStatus::Expired =>
            {
                info!(error = %error, "the refresh ahead of expiry failed; the access token is still valid");
                Ok(UsableSession {
                    session,
                    refresh_ahead_failed: Some(error),
                })
            }
            _ => Err(error),
        }
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
        // One refresh across processes: the lock file (already held while a refreshed session
        // waits to be saved: a second lock on it from this process would wait for itself), then a
        // re-read.
        let refresh_lock = self.refresh_lock().await?;
        let session = self.current()?.ok_or(Error::SignedOut)?;
        if usable(&session) {
            return Ok(session);
        }
        self.refresh_locked(session, force, connect, refresh_lock)
            .await
    }

    /// The cross-process refresh lock: the one a refreshed session waiting to be saved holds
    /// already (a second lock on it from this process would wait for itself), else taken now.
    /// The caller holds the gate.
    async fn refresh_lock(&self) -> Result<Arc<StoreLock>> {
        let held = lock(&self.unsaved)
            .as_ref()
            .map(|u| Arc::clone(&u.refresh_lock));
        if let Some(held) = held {
            return Ok(held);
        }
        let store = Arc::clone(&self.store);
        Ok(Arc::new(
            tokio::task::spawn_blocking(move || store.lock_refresh())
                .await
                .map_err(|e| Error::Store {
                    path: "session lock".into(),
                    source: std::io::Error::other(e),
                })??,
        ))
    }

    /// The session a refresh completed after the `asked`-th saved, if any. It is what the store
    /// held at an instant after the caller asked, so handing it out is as good as reading it.
    fn refreshed_since(&self, asked: u64) -> Option<Session> {
        let last = lock(&self.last_refreshed);
        last.as_ref()
            .filter(|(number, _)| *number > asked)
            .map(|(_, session)| session.clone())
    }

    /// Records a saved refresh for the callers waiting on the gate; the caller holds the gate.
    fn remember_refreshed(&self, session: &Session) {
        let number = self.refreshes.load(Ordering::Acquire) + 1;
        *lock(&self.last_refreshed) = Some((number, session.clone()));
        self.refreshes.store(number, Ordering::Release);
    }

    /// Calls Feishu with the stored refresh token; the caller holds both locks.
    async fn refresh_locked<F, Fut>(
        &self,
        session: Session,
        force: bool,
        connect: F,
        refresh_lock: Arc<StoreLock>,
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
                let refreshed = grant.refreshing(session);
                let refreshed = self.save_refreshed(refreshed, refresh_token, refresh_lock)?;
                self.remember_refreshed(&refreshed);
                Ok(refreshed)
            }
            Err(e) => self.refused(e, &refresh_token),
        }
    }

    /// What a refresh Feishu refused with `refresh_token` means: the session another process
    /// rotated meanwhile, or a sign-out (a dead token, a grant that ended), or the error itself.
    fn refused(&self, error: Error, refresh_token: &RefreshToken) -> Result<Session> {
        match error {
            Error::Feishu(e) if e.remedy() == Some(Remedy::RereadStore) => {
                // Another writer (one that did not take the lock) may have rotated the token.
                if let Some(stored) = self.current()? {
                    if stored.refresh_token.as_ref() != Some(refresh_token) {
                        warn!(
                            code = e.code,
                            "refresh token was rotated by another process; using its session"
                        );
                        return Ok(stored);
                    }
                }
                warn!(code = e.code, "refresh token is dead; signing out");
                self.clear_if_holds(refresh_token)?;
                Err(Error::SignInRequired {
                    reason: e.to_string(),
                })
            }
            Error::Feishu(e) if e.remedy() == Some(Remedy::SignInAgain) => {
                warn!(code = e.code, "refresh refused; signing out");
                self.clear_if_holds(refresh_token)?;
                Err(Error::SignInRequired {
                    reason: e.to_string(),
                })
            }
            e => Err(e),
        }
    }

    /// Saves a refreshed session if the store still holds the session it was refreshed from.
    /// After a sign-out nothing is written back (Feishu documents no revocation, so the new
    /// tokens are dropped); after a new sign-in, that newer session is kept and returned. A
    /// failed write keeps the session in memory, since its refresh token is the only live one.
    fn save_refreshed(
        &self,
        refreshed: Session,
        spent: RefreshToken,
        refresh_lock: Arc<StoreLock>,
    ) -> Result<Session> {
        let spent = self.token_on_file(spent);
        let keep_unsaved = |e: Error| {
            warn!(error = %e, "the refreshed session could not be saved; kept in memory");
            *lock(&self.unsaved) = Some(Unsaved {
                session: refreshed.clone(),
                spent: spent.clone(),
                reason: e.to_string(),
                refresh_lock: Arc::clone(&refresh_lock),
            });
            Ok(refreshed.clone())
        };
        let _writes = match self.store.lock_writes() {
            Ok(writes) => writes,
            Err(e) => return keep_unsaved(e),
        };
        let stored = match self.store.load() {
            Ok(stored) => stored.filter(|s| s.issuer == self.issuer),
            Err(e) => return keep_unsaved(e),
        };
        match stored {
            None => {
                info!("signed out while refreshing: the new tokens are dropped");
                *lock(&self.unsaved) = None;
                Err(Error::SignedOutDuringRefresh)
            }
            Some(stored) if stored.refresh_token.as_ref() != Some(&spent) => {
                info!("a new session was stored while refreshing; it is kept");
                *lock(&self.unsaved) = None;
                Ok(stored)
            }
            Some(_) => match self.store.save(&refreshed) {
                Ok(()) => {
                    *lock(&self.unsaved) = None;
                    Ok(refreshed)
                }
                Err(e) => keep_unsaved(e),
            },
        }
    }

    /// The refresh token the file holds for a session refreshed with `spent`: `spent` itself,
    /// unless that came from a session kept in memory, whose file still holds the one before.
    fn token_on_file(&self, spent: RefreshToken) -> RefreshToken {
        match lock(&self.unsaved).as_ref() {
            Some(u) if u.session.refresh_token.as_ref() == Some(&spent) => u.spent.clone(),
            _ => spent,
        }
    }

    /// Signs out after Feishu refused `refresh_token`, unless the store moved on meanwhile.
    fn clear_if_holds(&self, refresh_token: &RefreshToken) -> Result<()> {
        let refresh_token = &self.token_on_file(refresh_token.clone());
        let _writes = self.store.lock_writes()?;
        *lock(&self.unsaved) = None;
        let holds = self.store.load()?.is_some_and(|s| {
            s.issuer == self.issuer && s.refresh_token.as_ref() == Some(refresh_token)
        });
        if holds {
            self.store.clear()?;
        }
        Ok(())
    }
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}
