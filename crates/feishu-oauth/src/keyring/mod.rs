//! The desktop keyring: the Secret Service (`org.freedesktop.secrets`: GNOME Keyring, KWallet,
//! KeePassXC) on the session bus, through the `secret-service` crate's blocking API.
//!
//! It keeps two kinds of item for this app, told apart by attributes:
//! - a profile's **session key** (`purpose=session-key`, `profile`, `key_id`): the 256-bit key that
//!   seals the profile's tokens in the session file ([`crate::seal`]); made at the first sealed
//!   save, reused by every refresh, deleted at sign-out;
//! - a profile's **App Secret** (`purpose=app-secret`, `profile`), entered in Settings or with
//!   `feishu-auth profile add`; the settings file then holds [`APP_SECRET_REFERENCE`].
//!
//! Every call runs on a thread of its own under a deadline, over the process's one kept
//! connection ([`link`]; see [`ENCRYPTION`] for why the session's transfer is not encrypted).

mod link;

use std::{collections::HashMap, time::Duration};

use secret_service::{blocking::SecretService, EncryptionType, Error as SsError};
use zeroize::Zeroizing;

use self::link::with_keyring;

use crate::{
    data_dir::APP_IDENTIFIER,
    seal::{new_key, KeyId, SessionKey, KEY_LEN},
    secret::AppSecret,
};

/// The Secret Service's well-known bus name.
pub const SECRET_SERVICE: &str = "org.freedesktop.secrets";
/// What a settings file holds for `app_secret` when the keyring keeps the value.
pub const APP_SECRET_REFERENCE: &str = "@keyring";
/// The Secret Service session's transport encryption: none. The session bus is the user's own
/// Unix socket, which other users cannot reach; a program of the same user can ask the keyring
/// for the key outright (the README's limits), so encrypting the transfer against it protects
/// nothing, while the Diffie-Hellman exchange (`EncryptionType::Dh`, 1024-bit, in software)
/// was most of a sealed `feishu-auth token`'s time (the benchmark's row 5k).
const ENCRYPTION: EncryptionType = EncryptionType::Plain;
/// How long one plain call may take.
const CALL_TIMEOUT: Duration = Duration::from_secs(10);
/// How long a call that may wait for the desktop's unlock prompt may take.
const PROMPT_TIMEOUT: Duration = Duration::from_secs(60);

/// Why the keyring could not be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyringError {
    /// There is no keyring to use here (no session bus, no Secret Service, no default
    /// collection, or its creation or unlock was declined): the store may fall back to a file.
    #[error("no desktop keyring is available ({0})")]
    Unavailable(String),
    /// The keyring is there but did not do what was asked (locked and the prompt dismissed, no
    /// answer in time, a failed call). Nothing falls back over this.
    #[error("the desktop keyring failed: {0}")]
    Failed(String),
}

type KResult<T> = Result<T, KeyringError>;

/// The crate's error in words a person can act on. Its messages carry no secret.
fn describe(e: &SsError) -> String {
    match e {
        SsError::Locked => "the keyring is locked".into(),
        SsError::Prompt => "the keyring is locked and its unlock prompt was dismissed".into(),
        SsError::PromptDisconnected => "the keyring went away during its unlock prompt".into(),
        SsError::NoResult => "the keyring has no default collection".into(),
        SsError::Unavailable => "no Secret Service or session bus".into(),
        e => e.to_string(),
    }
}

fn failed(e: &SsError) -> KeyringError {
    KeyringError::Failed(describe(e))
}

fn attributes<'a>(purpose: &'a str, profile: &'a str) -> HashMap<&'a str, &'a str> {
    HashMap::from([
        ("application", APP_IDENTIFIER),
        ("purpose", purpose),
        ("profile", profile),
    ])
}

/// Unlocks every locked collection (the desktop's prompt for each): some keyrings (KeePassXC's)
/// hide a locked collection's items from a search, which must not read as "no such item".
/// `true` when one was locked.
fn unlock_collections(service: &SecretService<'_>) -> KResult<bool> {
    let mut any = false;
    for collection in service.get_all_collections().map_err(|e| failed(&e))? {
        if collection.is_locked().map_err(|e| failed(&e))? {
            collection.unlock().map_err(|e| failed(&e))?;
            any = true;
        }
    }
    Ok(any)
}

/// The secret of the first item matching `attributes`, unlocking it (the desktop's prompt) when
/// only a locked one matches. `None`: no such item in an unlocked keyring.
fn find_secret(
    service: &SecretService<'_>,
    attributes: HashMap<&str, &str>,
) -> KResult<Option<Zeroizing<Vec<u8>>>> {
    let mut found = service
        .search_items(attributes.clone())
        .map_err(|e| failed(&e))?;
    if found.unlocked.is_empty() && found.locked.is_empty() && unlock_collections(service)? {
        found = service.search_items(attributes).map_err(|e| failed(&e))?;
    }
    let item = match (found.unlocked.first(), found.locked.first()) {
        (Some(item), _) => item,
        (None, Some(item)) => {
            item.unlock().map_err(|e| failed(&e))?;
            item
        }
        (None, None) => return Ok(None),
    };
    item.get_secret()
        .map(|secret| Some(Zeroizing::new(secret)))
        .map_err(|e| failed(&e))
}

/// Stores an item in the default collection, unlocking it first (the desktop's prompt: the
/// crate's `ensure_unlocked` only reports a lock). A keyring with no default collection, or
/// whose unlock was declined, counts as none.
fn store(
    service: &SecretService<'_>,
    label: &str,
    attributes: HashMap<&str, &str>,
    secret: &[u8],
    replace: bool,
) -> KResult<()> {
    let collection = service.get_default_collection().map_err(|e| match e {
        SsError::NoResult => KeyringError::Unavailable(describe(&e)),
        e => failed(&e),
    })?;
    if collection.is_locked().map_err(|e| failed(&e))? {
        collection.unlock().map_err(|e| match e {
            SsError::Prompt | SsError::PromptDisconnected => {
                KeyringError::Unavailable(describe(&e))
            }
            e => failed(&e),
        })?;
    }
    collection
        .create_item(
            label,
            attributes,
            secret,
            replace,
            "application/octet-stream",
        )
        .map(|_| ())
        .map_err(|e| failed(&e))
}

/// Deletes every item matching `attributes`, unlocking locked ones first (the desktop's prompt:
/// the crate's delete only reports a lock).
fn delete_all(service: &SecretService<'_>, attributes: HashMap<&str, &str>) -> KResult<usize> {
    let found = service.search_items(attributes).map_err(|e| failed(&e))?;
    if !found.locked.is_empty() {
        let locked: Vec<_> = found.locked.iter().collect();
        service.unlock_all(&locked).map_err(|e| failed(&e))?;
    }
    let mut deleted = 0;
    for item in found.unlocked.iter().chain(found.locked.iter()) {
        item.delete().map_err(|e| failed(&e))?;
        deleted += 1;
    }
    Ok(deleted)
}

/// Whether a keyring is here to use: `Ok` when a Secret Service answers.
pub fn probe() -> KResult<()> {
    with_keyring(CALL_TIMEOUT, |_| Ok(()))
}

/// Whether a key could be stored now without asking the person anything: a Secret Service with
/// an unlocked default collection. The plain session's migration waits for this, so it never
/// prompts, nor rewrites the plain file for nothing.
pub fn can_store_now() -> bool {
    with_keyring(CALL_TIMEOUT, |service| {
        let collection = service.get_default_collection().map_err(|e| failed(&e))?;
        collection.is_locked().map_err(|e| failed(&e))
    })
    .is_ok_and(|locked| !locked)
}

/// Profile `profile`'s session key named `key_id`; `None` when the keyring no longer holds it.
pub fn session_key(profile: &str, key_id: &KeyId) -> KResult<Option<SessionKey>> {
    let (profile, key_id) = (profile.to_owned(), key_id.clone());
    with_keyring(PROMPT_TIMEOUT, move |service| {
        let mut attributes = attributes("session-key", &profile);
        attributes.insert("key_id", key_id.as_str());
        Ok(find_secret(service, attributes)?.filter(|key| key.len() == KEY_LEN))
    })
}

/// A new session key for `profile`, stored in the keyring under a new id (never replacing an
/// item: two processes sealing for the first time at once each get their own).
pub fn create_session_key(profile: &str) -> KResult<(KeyId, SessionKey)> {
    let profile = profile.to_owned();
    with_keyring(PROMPT_TIMEOUT, move |service| {
        let key_id = KeyId::random();
        let key = new_key();
        let mut attributes = attributes("session-key", &profile);
        attributes.insert("key_id", key_id.as_str());
        let label = format!("Feishu Sign-in session key ({profile})");
        store(service, &label, attributes, &key, false)?;
        Ok((key_id, key))
    })
}

/// Deletes profile `profile`'s session key `key_id` (sign-out: every copy of the sealed session
/// is unreadable from then on).
pub fn delete_session_key(profile: &str, key_id: &KeyId) -> KResult<()> {
    let (profile, key_id) = (profile.to_owned(), key_id.clone());
    with_keyring(CALL_TIMEOUT, move |service| {
        let mut attributes = attributes("session-key", &profile);
        attributes.insert("key_id", key_id.as_str());
        delete_all(service, attributes).map(|_| ())
    })
}

/// Profile `profile`'s App Secret; `None` when the keyring holds none.
pub fn app_secret(profile: &str) -> KResult<Option<AppSecret>> {
    let profile = profile.to_owned();
    with_keyring(PROMPT_TIMEOUT, move |service| {
        let secret = find_secret(service, attributes("app-secret", &profile))?;
        Ok(secret.map(|bytes| AppSecret::new(String::from_utf8_lossy(&bytes).into_owned())))
    })
}

/// Keeps profile `profile`'s App Secret for `app_id`, replacing the one kept before.
pub fn store_app_secret(profile: &str, app_id: &str, secret: &AppSecret) -> KResult<()> {
    let (profile, app_id) = (profile.to_owned(), app_id.to_owned());
    let secret = Zeroizing::new(secret.expose().as_bytes().to_vec());
    with_keyring(PROMPT_TIMEOUT, move |service| {
        delete_all(service, attributes("app-secret", &profile))?;
        let mut attributes = attributes("app-secret", &profile);
        attributes.insert("app_id", &app_id);
        let label = format!("Feishu Sign-in App Secret ({profile}, {app_id})");
        store(service, &label, attributes, &secret, true)
    })
}

/// Forgets profile `profile`'s App Secret (the profile is removed, or has no App ID any more).
pub fn delete_app_secret(profile: &str) -> KResult<()> {
    let profile = profile.to_owned();
    with_keyring(CALL_TIMEOUT, move |service| {
        delete_all(service, attributes("app-secret", &profile)).map(|_| ())
    })
}
