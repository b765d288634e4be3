//! Where a profile's tokens are kept at rest: sealed by a key the desktop keyring holds, or in
//! clear in the 0600 session file when there is no keyring (and the settings allow it).
//!
//! [`Sealing`] turns a session's JSON value into its stored form and back; the file store calls
//! it around every read and write, so the sealed and the plain file share one atomic write, one
//! set of locks and one crash story.

use std::sync::{
    atomic::{AtomicBool, Ordering},
    Arc, Mutex, PoisonError,
};

use serde_json::{Map, Value};
use tracing::{info, warn};

use crate::{
    error::{Error, Result},
    keyring::{self, KeyringError},
    prepared_key,
    seal::{self, Binding, Envelope, KeyId, OpenError, SessionKey, SEALED_FIELD, TOKEN_FIELDS},
};

/// What the settings say about keeping tokens (`storage`, `FEISHU_SIGNIN_STORAGE`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum StoragePolicy {
    /// Sealed when a keyring is there, else a 0600 file, said in `status`, the window and the log.
    #[default]
    Auto,
    /// Sealed, or not stored at all: fail closed.
    Keyring,
    /// Always the 0600 file (a machine whose keyring should not be asked).
    File,
}

impl StoragePolicy {
    /// The setting's values.
    pub const VALUES: &'static str = "auto, keyring or file";

    /// The setting's value.
    pub fn as_str(self) -> &'static str {
        match self {
            StoragePolicy::Auto => "auto",
            StoragePolicy::Keyring => "keyring",
            StoragePolicy::File => "file",
        }
    }
}

impl std::str::FromStr for StoragePolicy {
    type Err = String;

    fn from_str(s: &str) -> std::result::Result<Self, String> {
        match s.trim().to_ascii_lowercase().as_str() {
            "auto" | "" => Ok(StoragePolicy::Auto),
            "keyring" => Ok(StoragePolicy::Keyring),
            "file" => Ok(StoragePolicy::File),
            _ => Err(format!("must be {}", Self::VALUES)),
        }
    }
}

/// Where a session is kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Storage {
    /// Sealed: the file holds no token, the desktop keyring holds the key.
    Keyring,
    /// In clear, in the 0600 file.
    File,
}

impl Storage {
    /// The name `status --json` and the window use.
    pub fn as_str(self) -> &'static str {
        match self {
            Storage::Keyring => "keyring",
            Storage::File => "file",
        }
    }
}

/// Why a stored session did not open.
#[derive(Debug)]
pub(crate) enum OpenFailure {
    /// The file is not one this profile can open (another profile's or app's, damaged, or its
    /// key is gone): the store sets it aside with this reason and the person is signed out.
    SetAside(String),
    /// The keyring could not be asked: nothing is changed, the error says why.
    Keyring(Error),
}

/// The sealing of one profile's session file.
#[derive(Debug, Clone)]
pub struct Sealing {
    profile: String,
    policy: StoragePolicy,
    /// The key this process last opened or made, by id: the save that follows a load (a
    /// refresh) seals with it instead of asking the keyring again. Every load still asks, so a
    /// key deleted from the keyring is noticed at the next read.
    last_key: Arc<Mutex<Option<(KeyId, SessionKey)>>>,
}

/// Whether the fallback to a file was logged already (once per process).
static FELL_BACK: AtomicBool = AtomicBool::new(false);

impl Sealing {
    /// Sealing for profile `profile` under `policy`.
    pub fn new(profile: impl Into<String>, policy: StoragePolicy) -> Self {
        Self {
            profile: profile.into(),
            policy,
            last_key: Arc::default(),
        }
    }

    /// The profile the sealed file is bound to.
    pub fn profile(&self) -> &str {
        &self.profile
    }

    /// The policy.
    pub fn policy(&self) -> StoragePolicy {
        self.policy
    }

    /// Where a session value is kept: sealed when it holds an envelope.
    pub fn storage_of(session: &Value) -> Storage {
        if session.get(SEALED_FIELD).is_some() {
            Storage::Keyring
        } else {
            Storage::File
        }
    }

    /// Where the next save would keep a session: the keyring when it may and one answers.
    pub fn next_storage(&self) -> Storage {
        match self.policy {
            StoragePolicy::File => Storage::File,
            StoragePolicy::Keyring => Storage::Keyring,
            StoragePolicy::Auto => match keyring::probe() {
                Ok(()) => Storage::Keyring,
                Err(_) => Storage::File,
            },
        }
    }

    fn binding<'a>(&'a self, session: &'a Map<String, Value>) -> Option<Binding<'a>> {
        let issuer = session.get("issuer")?;
        Some(Binding {
            profile: &self.profile,
            brand: issuer.get("brand")?.as_str()?,
            app_id: issuer.get("app_id")?.as_str()?,
        })
    }

    /// Opens a stored session value in place: a sealed one gets its token fields back. A plain
    /// one is left as it is.
    pub(crate) fn open(&self, session: &mut Value) -> std::result::Result<Storage, OpenFailure> {
        let Some(map) = session.as_object_mut() else {
            return Ok(Storage::File);
        };
        let Some(sealed) = map.remove(SEALED_FIELD) else {
            return Ok(Storage::File);
        };
        if TOKEN_FIELDS.iter().any(|f| map.contains_key(*f)) {
            return Err(OpenFailure::SetAside(
                "it holds both sealed and plain tokens".into(),
            ));
        }
        let envelope: Envelope = serde_json::from_value(sealed).map_err(|_| {
            OpenFailure::SetAside(format!("`{SEALED_FIELD}` is not a sealed envelope"))
        })?;
        let binding = self
            .binding(map)
            .ok_or_else(|| OpenFailure::SetAside("its issuer is missing".into()))?;
        let key = match keyring::session_key(&self.profile, &envelope.key_id) {
            Ok(Some(key)) => key,
            Ok(None) => {
                return Err(OpenFailure::SetAside(
                    "the keyring no longer holds the key that sealed it".into(),
                ))
            }
            Err(e) => {
                return Err(OpenFailure::Keyring(Error::Keyring {
                    reason: format!("the session is sealed by the desktop keyring, which cannot be used here ({e}); the file is left as it is: unlock the keyring, or run this in the desktop session whose keyring sealed it"),
                }))
            }
        };
        let tokens = seal::open(&key, &envelope, binding).map_err(|e| match e {
            OpenError::Malformed(_) | OpenError::Rejected => OpenFailure::SetAside(e.to_string()),
        })?;
        self.remember(&envelope.key_id, &key);
        let tokens: Map<String, Value> = serde_json::from_slice(&tokens)
            .map_err(|_| OpenFailure::SetAside("the sealed tokens are not a JSON object".into()))?;
        for (field, value) in tokens {
            if TOKEN_FIELDS.contains(&field.as_str()) {
                map.insert(field, value);
            }
        }
        Ok(Storage::Keyring)
    }

    /// Turns a session value into its stored form, sealing its tokens when the policy and the
    /// keyring allow. `previous` is the stored session it replaces: its key is reused when the
    /// keyring still holds it (a refresh costs one keyring read and no write). Returns where it is
    /// kept and the key of `previous` that the new form no longer uses (to delete after the
    /// write).
    pub(crate) fn seal(
        &self,
        session: &mut Value,
        previous: Option<&Value>,
    ) -> Result<(Storage, Option<KeyId>)> {
        if self.policy == StoragePolicy::File {
            return Ok((Storage::File, None));
        }
        let previous_key_id = previous.and_then(Self::key_id_of);
        let reused = match &previous_key_id {
            Some(id) => match self.remembered(id) {
                Some(key) => Ok(Some((id.clone(), key))),
                None => keyring::session_key(&self.profile, id)
                    .map(|key| key.map(|key| (id.clone(), key))),
            },
            None => Ok(None),
        };
        let created = match reused {
            Ok(Some(found)) => Ok(found),
            // A key made while the sign-in waited for the browser, else a new one now.
            Ok(None) => prepared_key::take(&self.profile)
                .map_or_else(|| keyring::create_session_key(&self.profile), Ok),
            Err(e) => Err(e),
        };
        let (key_id, key) = match created {
            Ok(pair) => pair,
            Err(KeyringError::Unavailable(why)) if self.policy == StoragePolicy::Auto => {
                // Said once per process, at info: `status`, the window and `doctor` say it where a
                // person looks; a warning on every `feishu-auth token` over SSH would be noise.
                if !FELL_BACK.swap(true, Ordering::Relaxed) {
                    info!(reason = %why, "no desktop keyring: the session is stored unsealed in its 0600 file");
                }
                return Ok((Storage::File, None));
            }
            Err(e @ KeyringError::Unavailable(_)) => {
                return Err(Error::Keyring {
                    reason: format!("`storage = \"keyring\"` is set, and {e}: the session was not stored. Start or unlock the desktop keyring (GNOME Keyring, KWallet, KeePassXC), or allow the 0600 file with `storage = \"auto\"`"),
                })
            }
            Err(e) => {
                return Err(Error::Keyring {
                    reason: format!("the session could not be sealed: {e}"),
                })
            }
        };
        self.remember(&key_id, &key);
        let map = session.as_object_mut().ok_or_else(|| Error::Keyring {
            reason: "the session to seal is not an object".into(),
        })?;
        let mut tokens = Map::new();
        for field in TOKEN_FIELDS {
            if let Some(value) = map.remove(field) {
                tokens.insert(field.to_owned(), value);
            }
        }
        let plain =
            zeroize::Zeroizing::new(serde_json::to_vec(&tokens).map_err(|e| Error::Keyring {
                reason: format!("the tokens could not be encoded: {e}"),
            })?);
        let binding = self.binding(map).ok_or_else(|| Error::Keyring {
            reason: "the session to seal has no issuer".into(),
        })?;
        let envelope = seal::seal(&key, &key_id, binding, &plain).map_err(|e| Error::Keyring {
            reason: format!("the session could not be sealed: {e}"),
        })?;
        let envelope = serde_json::to_value(envelope).map_err(|e| Error::Keyring {
            reason: format!("the sealed tokens could not be encoded: {e}"),
        })?;
        map.insert(SEALED_FIELD.to_owned(), envelope);
        let unused = previous_key_id.filter(|id| *id != key_id);
        Ok((Storage::Keyring, unused))
    }

    fn remember(&self, key_id: &KeyId, key: &SessionKey) {
        *self.last_key.lock().unwrap_or_else(PoisonError::into_inner) =
            Some((key_id.clone(), key.clone()));
    }

    fn remembered(&self, key_id: &KeyId) -> Option<SessionKey> {
        let last = self.last_key.lock().unwrap_or_else(PoisonError::into_inner);
        last.as_ref()
            .filter(|(id, _)| id == key_id)
            .map(|(_, key)| key.clone())
    }

    /// Under `storage = "keyring"`, a session stored in clear is usable only when a keyring
    /// can seal its next save: else a refresh would spend the refresh token and then fail to
    /// store its successor.
    pub(crate) fn require_keyring() -> Result<()> {
        if keyring::can_store_now() {
            return Ok(());
        }
        Err(Error::Keyring {
            reason: "`storage = \"keyring\"` is set, and the session is stored unsealed with no unlocked desktop keyring to seal it: start or unlock the keyring (the session is then sealed), or allow the 0600 file with `storage = \"auto\"`".into(),
        })
    }

    /// Deletes a session key of this profile (sign-out, or a key no longer used). A keyring that
    /// cannot be asked keeps it: logged, never an error, since the file no longer needs it.
    pub(crate) fn forget(&self, key_id: &KeyId) {
        self.last_key
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take_if(|(id, _)| id == key_id);
        if let Err(e) = keyring::delete_session_key(&self.profile, key_id) {
            warn!(error = %e, profile = %self.profile, "a session key could not be deleted from the keyring");
        }
    }

    /// The key id a stored session value was sealed with, if sealed.
    pub(crate) fn key_id_of(stored: &Value) -> Option<KeyId> {
        stored
            .get(SEALED_FIELD)
            .and_then(|e| serde_json::from_value::<Envelope>(e.clone()).ok())
            .map(|e| e.key_id)
    }
}
