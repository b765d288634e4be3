//! A session key made while a sign-in waits for the browser, for the save that seals its session.
//!
//! Sealing a new session needs a new key in the keyring (a new thread, a new connection, the
//! Secret Service's session and one `CreateItem`: about 3 ms on a desktop, more than both HTTP
//! calls of the sign-in together). Made while the person is still in the browser, it is off the
//! path from the callback to the saved session. The save takes it ([`take`]) instead of making
//! one; a sign-in that ends without using it deletes it ([`discard`]).
//!
//! The slot's lock is held while the key is made: a save that comes meanwhile waits for that key
//! rather than making a second one. One slot per process, for one profile at a time (one sign-in
//! runs at a time). A process killed between the two leaves an unused key in the keyring; it
//! seals nothing.

use std::sync::{Mutex, PoisonError};

use tracing::warn;

use crate::{
    keyring::{self, KeyringError},
    seal::{KeyId, SessionKey},
};

/// A key made ahead, and the profile it is for.
struct Prepared {
    profile: String,
    key_id: KeyId,
    key: SessionKey,
}

static SLOT: Mutex<Option<Prepared>> = Mutex::new(None);

fn slot() -> std::sync::MutexGuard<'static, Option<Prepared>> {
    SLOT.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Makes a session key for `profile` in the keyring, for the next [`take`], when the keyring can
/// store one without asking the person anything (it never prompts: a locked keyring prompts at
/// the save, as without this). Blocks while the keyring answers. A key another profile left
/// unused is deleted first.
pub(crate) fn prepare(profile: &str) -> Result<(), KeyringError> {
    let mut slot = slot();
    if slot.as_ref().is_some_and(|p| p.profile == profile) {
        return Ok(());
    }
    if let Some(unused) = slot.take() {
        forget(&unused);
    }
    if !keyring::can_store_now() {
        return Ok(());
    }
    let (key_id, key) = keyring::create_session_key(profile)?;
    *slot = Some(Prepared {
        profile: profile.to_owned(),
        key_id,
        key,
    });
    Ok(())
}

/// The key made ahead for `profile`, if there is one (waiting for one being made).
pub(crate) fn take(profile: &str) -> Option<(KeyId, SessionKey)> {
    let mut slot = slot();
    if slot.as_ref().is_none_or(|p| p.profile != profile) {
        return None;
    }
    slot.take().map(|p| (p.key_id, p.key))
}

/// Deletes `profile`'s key made ahead if no save took it.
pub(crate) fn discard(profile: &str) {
    if let Some(unused) = take(profile).map(|(key_id, key)| Prepared {
        profile: profile.to_owned(),
        key_id,
        key,
    }) {
        forget(&unused);
    }
}

fn forget(unused: &Prepared) {
    if let Err(e) = keyring::delete_session_key(&unused.profile, &unused.key_id) {
        warn!(error = %e, profile = %unused.profile, "an unused session key could not be deleted from the keyring");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn put(profile: &str) -> KeyId {
        let key_id = KeyId::random();
        *slot() = Some(Prepared {
            profile: profile.to_owned(),
            key_id: key_id.clone(),
            key: crate::seal::new_key(),
        });
        key_id
    }

    #[test]
    fn a_key_made_ahead_is_taken_once_and_only_for_its_profile() {
        let key_id = put("prepared-key-test");
        assert!(take("another-profile").is_none());
        assert_eq!(take("prepared-key-test").map(|(id, _)| id), Some(key_id));
        assert!(take("prepared-key-test").is_none());
    }
}
