//! What the emulator remembers: pending authorize requests, authorization codes, the user's grants
//! and the tokens issued. Secrets are keyed by fingerprint (see [`crate::secrets::fingerprint`]).
//!
//! The state file is this, as JSON, and files written by older versions must keep loading: a field
//! added later has a serde default (and is left out while it holds that default, so a state that
//! never used it is written byte for byte as before).

use std::collections::{BTreeMap, BTreeSet};
use std::io;
use std::sync::{Mutex, PoisonError};

use serde::{Deserialize, Serialize};

use crate::clock::Millis;
use crate::pkce::CodeChallenge;
use crate::state_file::{Locked, StateFile};

/// How long a used or expired code is remembered, so that it answers 20065/20004 rather than 20003
/// (and a device code `expired_token` rather than `invalid_grant`).
const CODE_RETENTION: Millis = 60 * 60 * 1000;
/// How long a dead token is remembered, so that it answers "expired"/"used" rather than "invalid".
const TOKEN_RETENTION: Millis = 24 * 60 * 60 * 1000;

/// Everything the emulator knows; the state file is this, as JSON. Ordered maps, so that an
/// unchanged state serialises to the same bytes and the file is rewritten only on a change.
#[derive(Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub(crate) struct StoreData {
    /// Authorize requests waiting for the user's decision, by ticket fingerprint.
    pub(crate) pending: BTreeMap<String, PendingAuthorization>,
    /// Authorization codes, by fingerprint.
    pub(crate) codes: BTreeMap<String, IssuedCode>,
    /// Per App ID, every scope the user has ever granted: Feishu's grants are cumulative.
    pub(crate) grants: BTreeMap<String, BTreeSet<String>>,
    /// `user_access_token`s, by fingerprint.
    pub(crate) access_tokens: BTreeMap<String, AccessTokenRecord>,
    /// Refresh tokens, by fingerprint.
    pub(crate) refresh_tokens: BTreeMap<String, RefreshTokenRecord>,
    /// Device codes (RFC 8628), by fingerprint.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub(crate) device_codes: BTreeMap<String, DeviceCodeRecord>,
    /// Verification pages shown and not yet submitted, by ticket fingerprint: their expiry.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub(crate) device_tickets: BTreeMap<String, Millis>,
}

/// A device code (RFC 8628) and where it is in its life.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub(crate) struct DeviceCodeRecord {
    pub(crate) client_id: String,
    /// The scopes the device asked for.
    pub(crate) scopes: BTreeSet<String>,
    /// The fingerprint of the user code, normalised (upper case, no dash).
    pub(crate) user_code: String,
    pub(crate) expires_at: Millis,
    /// The current polling interval: it grows by 5 s with each `slow_down`.
    pub(crate) interval: Millis,
    pub(crate) last_poll: Option<Millis>,
    pub(crate) status: DeviceStatus,
    /// Once approved: every scope the user has granted the app (cumulative, as at authorize).
    #[serde(default)]
    pub(crate) granted: BTreeSet<String>,
    /// Once approved: when.
    #[serde(default)]
    pub(crate) authorized_at: Millis,
}

/// Where a device code is in its single-use life.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum DeviceStatus {
    /// Waiting for the person (`authorization_pending`).
    Pending,
    Approved,
    /// The person pressed deny (`access_denied`).
    Denied,
    /// Exchanged for tokens (`invalid_grant` from then on).
    Exchanged,
}

/// A valid authorize request, shown to the user as the consent page.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub(crate) struct PendingAuthorization {
    pub(crate) client_id: String,
    pub(crate) redirect_uri: String,
    pub(crate) scopes: BTreeSet<String>,
    pub(crate) state: Option<String>,
    pub(crate) code_challenge: Option<CodeChallenge>,
    pub(crate) expires_at: Millis,
}

/// An authorization code and what it was issued for.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub(crate) struct IssuedCode {
    pub(crate) client_id: String,
    /// The `redirect_uri` of the authorize request; the exchange must repeat it byte for byte.
    pub(crate) redirect_uri: String,
    /// The scopes the user had granted the app once they approved (cumulative).
    pub(crate) granted: BTreeSet<String>,
    pub(crate) code_challenge: Option<CodeChallenge>,
    /// When the user approved: the start of the 365-day limit on refreshing.
    pub(crate) authorized_at: Millis,
    pub(crate) expires_at: Millis,
    pub(crate) used: bool,
}

/// A `user_access_token`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub(crate) struct AccessTokenRecord {
    pub(crate) client_id: String,
    pub(crate) scopes: BTreeSet<String>,
    pub(crate) expires_at: Millis,
    /// Set when a refresh replaced this token: it keeps working until then (a minute), then is invalid.
    pub(crate) replaced_until: Option<Millis>,
    /// The grant (sign-in) the token stems from: see [`RefreshTokenRecord::grant`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) grant: Option<String>,
    /// Revoked at the revocation endpoint: user info answers as for a token it never issued.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub(crate) revoked: bool,
}

/// A refresh token.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub(crate) struct RefreshTokenRecord {
    pub(crate) client_id: String,
    /// What the user granted: a refresh may narrow to any subset of it, narrowing never accumulates.
    pub(crate) granted: BTreeSet<String>,
    pub(crate) authorized_at: Millis,
    pub(crate) expires_at: Millis,
    pub(crate) status: RefreshStatus,
    /// Fingerprint of the access token issued with this refresh token, which a refresh replaces.
    pub(crate) access_token: String,
    /// The grant the token stems from: the fingerprint of the authorization code that started the
    /// sign-in, carried by every token issued from it, through every refresh. Revoking a refresh
    /// token revokes the grant's access tokens with it (RFC 7009 §2.1). `None` in state written
    /// before grants were recorded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) grant: Option<String>,
}

/// Where a refresh token is in its single-use life.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum RefreshStatus {
    Active,
    /// Spent by a refresh (20073 from then on).
    Used,
    /// Revoked (20064).
    Revoked,
}

impl StoreData {
    /// Forgets what can no longer matter, so the store (and the shared file) stays small.
    fn purge(&mut self, now: Millis) {
        self.pending.retain(|_, pending| now < pending.expires_at);
        self.codes
            .retain(|_, code| now < code.expires_at.saturating_add(CODE_RETENTION));
        self.access_tokens.retain(|_, token| {
            let dead_at = token
                .replaced_until
                .map_or(token.expires_at, |until| until.min(token.expires_at));
            now < dead_at.saturating_add(TOKEN_RETENTION)
        });
        self.refresh_tokens
            .retain(|_, token| now < token.expires_at.saturating_add(TOKEN_RETENTION));
        self.device_codes
            .retain(|_, device| now < device.expires_at.saturating_add(CODE_RETENTION));
        self.device_tickets
            .retain(|_, expires_at| now < *expires_at);
    }
}

/// The store: in memory, and mirrored to a state file when one is configured.
#[derive(Debug)]
pub(crate) struct Store {
    data: Mutex<StoreData>,
    file: Option<StateFile>,
}

impl Store {
    pub(crate) fn new(file: Option<StateFile>) -> Self {
        Self {
            data: Mutex::new(StoreData::default()),
            file,
        }
    }

    /// Runs `change` on the current state as one transaction.
    ///
    /// With a state file this blocks: it takes the cross-process lock, re-reads the file (another
    /// process may have issued or spent a token), applies `change`, and writes the file back if
    /// anything changed. Callers on the async runtime go through `spawn_blocking`.
    pub(crate) fn transact<R>(
        &self,
        now: Millis,
        change: impl FnOnce(&mut StoreData) -> R,
    ) -> io::Result<R> {
        let mut data = self.data.lock().unwrap_or_else(PoisonError::into_inner);
        let Some(file) = &self.file else {
            data.purge(now);
            return Ok(change(&mut data));
        };
        let lock = file.lock()?;
        let (before, stored) = load(file, &lock)?;
        *data = stored;
        data.purge(now);
        let result = change(&mut data);
        let after = serde_json::to_vec_pretty(&*data).map_err(io::Error::other)?;
        if before.as_deref() != Some(after.as_slice()) {
            file.write(&lock, &after)?;
        }
        Ok(result)
    }
}

/// The state the file holds, with the bytes read: `None` when there is nothing valid to keep, so
/// that the state is written back.
///
/// A file that does not parse (truncated, edited by hand, written by another program) is kept
/// aside and the store starts empty: the sandbox's grants are worth less than a sandbox that keeps
/// working, and an error here would break it for good.
fn load(file: &StateFile, lock: &Locked) -> io::Result<(Option<Vec<u8>>, StoreData)> {
    let Some(bytes) = file.read(lock)? else {
        return Ok((None, StoreData::default()));
    };
    match serde_json::from_slice(&bytes) {
        Ok(stored) => Ok((Some(bytes), stored)),
        Err(err) => {
            let kept = file.keep_aside(lock, &bytes)?;
            tracing::warn!(
                file = %file.path().display(),
                kept = %kept.display(),
                %err,
                "the state file does not parse: kept it aside, starting from an empty state"
            );
            Ok((None, StoreData::default()))
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    fn access(expires_at: Millis, replaced_until: Option<Millis>) -> AccessTokenRecord {
        AccessTokenRecord {
            client_id: "cli".to_owned(),
            scopes: BTreeSet::new(),
            expires_at,
            replaced_until,
            grant: None,
            revoked: false,
        }
    }

    /// State written before revocation existed (no `grant`, no `revoked`) still loads, and a state
    /// that does not use them is written without them.
    #[test]
    fn state_without_the_revocation_fields_loads_and_is_written_back_unchanged() {
        let old = serde_json::json!({
            "access_tokens": {
                "a": { "client_id": "cli", "scopes": [], "expires_at": 5, "replaced_until": null }
            },
            "refresh_tokens": {
                "r": {
                    "client_id": "cli", "granted": [], "authorized_at": 1, "expires_at": 9,
                    "status": "active", "access_token": "a"
                }
            }
        });
        let data: StoreData = serde_json::from_value(old.clone()).unwrap();
        assert_eq!(data.access_tokens["a"], access(5, None));
        assert_eq!(data.refresh_tokens["r"].grant, None);
        let written = serde_json::to_value(&data).unwrap();
        assert_eq!(written["access_tokens"], old["access_tokens"]);
        assert_eq!(written["refresh_tokens"], old["refresh_tokens"]);
    }

    #[test]
    fn purge_keeps_dead_tokens_for_a_while_then_forgets_them() {
        let mut data = StoreData::default();
        data.access_tokens
            .insert("a".to_owned(), access(1_000, None));
        data.access_tokens
            .insert("b".to_owned(), access(u64::MAX, Some(1_000)));
        data.purge(1_000 + TOKEN_RETENTION - 1);
        assert_eq!(data.access_tokens.len(), 2);
        data.purge(1_000 + TOKEN_RETENTION);
        assert!(data.access_tokens.is_empty());
    }

    #[test]
    fn a_shared_file_sees_changes_made_by_another_store() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state.json");
        let one = Store::new(Some(StateFile::new(path.clone())));
        let two = Store::new(Some(StateFile::new(path)));
        one.transact(0, |data| {
            data.grants.insert(
                "cli".to_owned(),
                BTreeSet::from(["offline_access".to_owned()]),
            );
        })
        .unwrap();
        let seen = two
            .transact(0, |data| data.grants.get("cli").cloned())
            .unwrap();
        assert_eq!(seen, Some(BTreeSet::from(["offline_access".to_owned()])));
    }

    #[test]
    fn a_corrupt_file_is_kept_aside_and_the_store_starts_empty() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state.json");
        std::fs::write(&path, "not json").unwrap();
        let store = Store::new(Some(StateFile::new(path.clone())));
        let empty = store
            .transact(0, |data| *data == StoreData::default())
            .unwrap();
        assert!(empty, "the store starts empty");
        // The file holds a valid (empty) state again, and the corrupt one is kept beside it.
        let rewritten: StoreData = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
        assert_eq!(rewritten, StoreData::default());
        let kept: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|entry| entry.unwrap().path())
            .filter(|kept| {
                let name = kept.file_name().unwrap().to_string_lossy().into_owned();
                name.starts_with("state.corrupt-")
            })
            .collect();
        assert_eq!(kept.len(), 1, "{kept:?}");
        assert_eq!(std::fs::read(&kept[0]).unwrap(), b"not json");
    }
}
