//! The session in tauri-plugin-store, in the same file and JSON layout as the CLI's.
//!
//! The plugin keeps the file's entries in memory for the app; the disk side goes through the
//! core's [`FileStore`], because the plugin's own save is a plain `fs::write` (not atomic, and
//! world-readable) and its load turns a corrupt file into an empty store without a word. So every
//! load re-reads the file (the CLI may have changed it), every save writes atomically with mode
//! 0600 under the same cross-process locks as the CLI, and the plugin's store is then reloaded
//! from the file.
//!
//! Never `Store::set`: the plugin broadcasts every `set` to every page as `store://change` with
//! the value, and the value here holds the tokens. `reload` emits nothing; when the file is gone,
//! `clear` emits the key alone.

use std::sync::Arc;

use feishu_oauth::{FileStore, Result, Session, SessionStore};
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

    /// Makes the plugin's store hold what the file holds, without an event that carries a value.
    fn follow_file(&self) {
        match self.store.reload_ignore_defaults() {
            Ok(()) => {}
            Err(tauri_plugin_store::Error::Io(e)) if e.kind() == std::io::ErrorKind::NotFound => {
                self.store.clear();
            }
            Err(e) => {
                tracing::debug!(error = %e, "the plugin store could not reload the session file")
            }
        }
    }
}

impl<R: Runtime> SessionStore for PluginStore<R> {
    fn load(&self) -> Result<Option<Session>> {
        let loaded = self.file.load();
        self.follow_file();
        loaded
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

    fn lock_refresh(&self) -> Result<feishu_oauth::store::StoreLock> {
        self.file.lock_refresh()
    }

    fn lock_writes(&self) -> Result<feishu_oauth::store::StoreLock> {
        self.file.lock_writes()
    }
}
