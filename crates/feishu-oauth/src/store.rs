//! Where the session lives between runs.
//!
//! The file is a JSON object with the session under the key `session`: the layout
//! tauri-plugin-store reads and writes, so the desktop app and the CLI share one file. It is written
//! atomically with mode 0600 in a 0700 folder. A file that does not parse is moved aside (kept for
//! diagnosis) and reported; the user is then signed out, never left with a crash.
//!
//! A refresh rotates the refresh token, so two processes refreshing at once would sign the user out
//! (the loser's token is dead). [`SessionStore::lock`] takes an exclusive cross-process lock on a
//! sibling lock file; the refresher re-reads the store under it before calling Feishu.

use std::{
    fs::{self, File, OpenOptions},
    io,
    os::unix::fs::OpenOptionsExt,
    path::{Path, PathBuf},
};

use time::OffsetDateTime;
use tracing::warn;

use crate::{
    error::{Error, Result},
    fsutil,
    session::Session,
};

/// The session file's name in the data directory.
pub const SESSION_FILE_NAME: &str = "session.json";
/// The key of the session in the file's JSON object (the tauri-plugin-store key).
pub const SESSION_KEY: &str = "session";

/// Loads, saves and clears the session, and serializes refreshes across processes.
pub trait SessionStore: Send + Sync {
    /// The stored session, `None` when signed out.
    fn load(&self) -> Result<Option<Session>>;
    /// Replaces the stored session.
    fn save(&self, session: &Session) -> Result<()>;
    /// Removes the session (sign-out).
    fn clear(&self) -> Result<()>;
    /// Takes the cross-process refresh lock, blocking until it is free; released on drop.
    fn lock(&self) -> Result<StoreLock>;
}

/// The held cross-process lock; dropping it releases the lock.
#[derive(Debug)]
pub struct StoreLock {
    _file: File,
}

/// The session in a JSON file.
#[derive(Debug, Clone)]
pub struct FileStore {
    path: PathBuf,
}

impl FileStore {
    /// A store at `path` (usually `<data dir>/session.json`).
    pub fn new(path: impl Into<PathBuf>) -> Self {
        Self { path: path.into() }
    }

    /// The file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    fn lock_path(&self) -> PathBuf {
        self.path.with_extension("lock")
    }

    fn io_error(&self, source: io::Error) -> Error {
        Error::Store {
            path: self.path.clone(),
            source,
        }
    }

    /// Reads the whole JSON object (other keys are preserved on save).
    fn read_object(&self) -> Result<Option<serde_json::Map<String, serde_json::Value>>> {
        let bytes = match fs::read(&self.path) {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(self.io_error(e)),
        };
        match serde_json::from_slice::<serde_json::Value>(&bytes) {
            Ok(serde_json::Value::Object(map)) => Ok(Some(map)),
            Ok(_) => Err(self.set_aside("the file is JSON but not an object")),
            Err(e) => Err(self.set_aside(&format!("not JSON: {e}"))),
        }
    }

    /// Moves an unreadable file aside so the next load starts clean, and says where it went.
    fn set_aside(&self, reason: &str) -> Error {
        let stamp = OffsetDateTime::now_utc().unix_timestamp();
        let kept = self.path.with_extension(format!("corrupt-{stamp}.json"));
        match fs::rename(&self.path, &kept) {
            Ok(()) => {
                warn!(path = %self.path.display(), kept = %kept.display(), reason, "session file was unreadable and was set aside");
            }
            Err(e) => {
                warn!(path = %self.path.display(), error = %e, "session file was unreadable and could not be set aside");
            }
        }
        Error::CorruptStore {
            path: self.path.clone(),
            kept,
            reason: reason.to_owned(),
        }
    }

    fn write_object(&self, map: serde_json::Map<String, serde_json::Value>) -> Result<()> {
        let bytes = serde_json::to_vec_pretty(&serde_json::Value::Object(map))
            .map_err(|e| self.io_error(io::Error::other(e)))?;
        fsutil::write_private_atomic(&self.path, &bytes).map_err(|e| self.io_error(e))
    }
}

impl SessionStore for FileStore {
    fn load(&self) -> Result<Option<Session>> {
        let Some(mut map) = self.read_object()? else {
            return Ok(None);
        };
        match map.remove(SESSION_KEY) {
            None | Some(serde_json::Value::Null) => Ok(None),
            Some(value) => serde_json::from_value(value)
                .map(Some)
                .map_err(|e| self.set_aside(&format!("`{SESSION_KEY}` is not a session: {e}"))),
        }
    }

    fn save(&self, session: &Session) -> Result<()> {
        let mut map = match self.read_object() {
            Ok(map) => map.unwrap_or_default(),
            Err(Error::CorruptStore { .. }) => serde_json::Map::new(),
            Err(e) => return Err(e),
        };
        let value =
            serde_json::to_value(session).map_err(|e| self.io_error(io::Error::other(e)))?;
        map.insert(SESSION_KEY.to_owned(), value);
        self.write_object(map)
    }

    fn clear(&self) -> Result<()> {
        match self.read_object() {
            Ok(Some(mut map)) => {
                map.remove(SESSION_KEY);
                self.write_object(map)
            }
            Ok(None) | Err(Error::CorruptStore { .. }) => Ok(()),
            Err(e) => Err(e),
        }
    }

    fn lock(&self) -> Result<StoreLock> {
        let lock_path = self.lock_path();
        if let Some(dir) = lock_path.parent() {
            fsutil::ensure_private_dir(dir).map_err(|e| self.io_error(e))?;
        }
        let file = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .mode(0o600)
            .open(&lock_path)
            .map_err(|source| Error::Store {
                path: lock_path.clone(),
                source,
            })?;
        file.lock().map_err(|source| Error::Store {
            path: lock_path,
            source,
        })?;
        Ok(StoreLock { _file: file })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::session::tests::sample;
    use std::os::unix::fs::PermissionsExt;

    fn store() -> (tempfile::TempDir, FileStore) {
        let dir = tempfile::tempdir().unwrap();
        let store = FileStore::new(dir.path().join("data").join(SESSION_FILE_NAME));
        (dir, store)
    }

    #[test]
    fn save_load_clear() {
        let (_d, store) = store();
        assert_eq!(store.load().unwrap(), None);
        let s = sample(OffsetDateTime::now_utc(), 7200);
        store.save(&s).unwrap();
        assert_eq!(store.load().unwrap(), Some(s));
        assert_eq!(
            fs::metadata(store.path()).unwrap().permissions().mode() & 0o777,
            0o600
        );
        store.clear().unwrap();
        assert_eq!(store.load().unwrap(), None);
        drop(store.lock().unwrap());
        let lock = fs::metadata(store.path().with_extension("lock")).unwrap();
        assert_eq!(lock.permissions().mode() & 0o777, 0o600);
    }

    #[test]
    fn keeps_other_keys_of_the_shared_file() {
        let (_d, store) = store();
        fsutil::write_private_atomic(store.path(), br#"{"ui": {"language": "zh"}}"#).unwrap();
        store.save(&sample(OffsetDateTime::now_utc(), 60)).unwrap();
        store.clear().unwrap();
        let v: serde_json::Value =
            serde_json::from_slice(&fs::read(store.path()).unwrap()).unwrap();
        assert_eq!(v, serde_json::json!({"ui": {"language": "zh"}}));
    }

    #[test]
    fn corrupt_file_is_reported_kept_aside_and_then_signed_out() {
        let (_d, store) = store();
        fsutil::write_private_atomic(store.path(), b"{\"session\": {\"access_tok").unwrap();
        let err = store.load().unwrap_err();
        let Error::CorruptStore { kept, .. } = &err else {
            panic!("{err}")
        };
        assert!(kept.exists());
        assert!(err.to_string().contains("session.json"), "{err}");
        assert_eq!(store.load().unwrap(), None);
    }

    #[test]
    fn foreign_json_is_reported_too() {
        let (_d, store) = store();
        fsutil::write_private_atomic(store.path(), br#"{"session": {"hello": 1}}"#).unwrap();
        assert!(matches!(store.load(), Err(Error::CorruptStore { .. })));
        fsutil::write_private_atomic(store.path(), b"[1, 2]").unwrap();
        assert!(matches!(store.load(), Err(Error::CorruptStore { .. })));
    }
}
