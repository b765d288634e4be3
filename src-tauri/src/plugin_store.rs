//! The session in tauri-plugin-store, in the same file and JSON layout as the CLI's.
//!
//! The app reads its session from the plugin's store, which is reloaded from the file on every
//! load (the CLI may have changed it), and opened by the core's store when it is sealed. Writes go through the core's [`FileStore`], because the
//! plugin's own save is a plain `fs::write` (not atomic, and world-readable): atomically, with
//! mode 0600, under the same cross-process locks as the CLI; the plugin's store is then reloaded
//! from the file. A file the plugin cannot read, or a value that is not a session, is left to the
//! file store, which moves it aside and says so (the plugin would turn it into an empty store
//! without a word).
//!
//! Never `Store::set`: the plugin broadcasts every `set` to every page as `store://change` with
//! the value, and the value here holds the tokens. `reload` emits nothing; when the file is gone,
//! `clear` emits the key alone.

use std::sync::Arc;

use feishu_oauth::{FileStore, Result, Session, SessionStore, Storage, StoreLock, SESSION_KEY};
use tauri::Runtime;
use tauri_plugin_store::Store;

/// A [`SessionStore`] over a tauri-plugin-store [`Store`] and the shared session file.
pub struct PluginStore<R: Runtime> {
    store: Arc<Store<R>>,
    file: FileStore,
}

impl<R: Runtime> PluginStore<R> {
    /// Wraps the plugin's store of the session file.
    pub fn new(store: Arc<Store<R>>, file: FileStore) -> Self {
        Self { store, file }
    }

    /// Makes the plugin's store hold what the file holds, without an event that carries a
    /// value. `false`: the plugin could not read the file.
    fn follow_file(&self) -> bool {
        match self.store.reload_ignore_defaults() {
            Ok(()) => true,
            Err(tauri_plugin_store::Error::Io(e)) if e.kind() == std::io::ErrorKind::NotFound => {
                self.store.clear();
                true
            }
            Err(e) => {
                tracing::debug!(error = %e, "the plugin store could not reload the session file");
                false
            }
        }
    }
}

impl<R: Runtime> SessionStore for PluginStore<R> {
    fn load(&self) -> Result<Option<Session>> {
        if !self.follow_file() {
            return self.file.load();
        }
        match self.store.get(SESSION_KEY) {
            None | Some(serde_json::Value::Null) => Ok(None),
            Some(value) => match self.file.open_stored(&value) {
                Ok(session) => Ok(Some(session)),
                Err(_) => self.file.load(),
            },
        }
    }

    fn save(&self, session: &Session) -> Result<()> {
        self.file.save(session)?;
        self.follow_file();
        Ok(())
    }

    fn clear(&self) -> Result<()> {
        self.file.clear()?;
        self.follow_file();
        Ok(())
    }

    fn lock_refresh(&self) -> Result<StoreLock> {
        self.file.lock_refresh()
    }

    fn lock_writes(&self) -> Result<StoreLock> {
        self.file.lock_writes()
    }

    fn storage(&self) -> Result<Storage> {
        self.file.storage()
    }

    fn needs_sealing(&self) -> bool {
        self.file.needs_sealing()
    }

    fn seal_plain(&self) -> Result<bool> {
        let sealed = self.file.seal_plain()?;
        self.follow_file();
        Ok(sealed)
    }
}
