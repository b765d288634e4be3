//! The session key made while the browser is open ([`crate::prepared_key`]): when the session
//! this sign-in saves will be sealed with a new key, the key is made on a blocking thread as the
//! sign-in starts, so the save after the callback finds it made. Whatever the outcome, a key no
//! save took is deleted once the sign-in is over (on a task of its own: the keyring may be slow).

use std::path::Path;

use tokio::task::JoinHandle;

use crate::{
    account::Account,
    prepared_key,
    storage::{Sealing, Storage, StoragePolicy},
    store::SESSION_KEY,
};

/// A key being made (or made) for one sign-in's profile.
pub(super) struct KeyAhead {
    profile: String,
    making: Option<JoinHandle<()>>,
}

impl KeyAhead {
    /// Starts making the key when sealing is allowed and the stored session is not sealed
    /// already (a sealed session's key is reused by the next save, not replaced).
    pub(super) fn start(account: &Account) -> Option<Self> {
        let config = account.config();
        if config.storage == StoragePolicy::File || stored_sealed(&config.session_path()) {
            return None;
        }
        let profile = config.profile.clone();
        let making = tokio::task::spawn_blocking({
            let profile = profile.clone();
            move || {
                if let Err(e) = prepared_key::prepare(&profile) {
                    tracing::debug!(error = %e, "no session key was made ahead");
                }
            }
        });
        Some(Self {
            profile,
            making: Some(making),
        })
    }
}

impl Drop for KeyAhead {
    fn drop(&mut self) {
        let (Some(making), Ok(runtime)) =
            (self.making.take(), tokio::runtime::Handle::try_current())
        else {
            return;
        };
        let profile = std::mem::take(&mut self.profile);
        runtime.spawn(async move {
            let _ = making.await;
            let _ = tokio::task::spawn_blocking(move || prepared_key::discard(&profile)).await;
        });
    }
}

/// Whether the session file at `path` holds a sealed session.
fn stored_sealed(path: &Path) -> bool {
    let Ok(bytes) = std::fs::read(path) else {
        return false;
    };
    serde_json::from_slice::<serde_json::Value>(&bytes)
        .ok()
        .and_then(|file| {
            let session = file.get(SESSION_KEY).filter(|s| !s.is_null())?;
            Some(Sealing::storage_of(session) == Storage::Keyring)
        })
        .unwrap_or(false)
}
