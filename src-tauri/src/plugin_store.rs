//! The session in tauri-plugin-store, in the same file and JSON layout as the CLI's.
//!
//! The plugin keeps the file's entries in memory for the app; the disk side goes through the
//! core's [`FileStore`], because the plugin's own save is a plain `fs::write` (not atomic, and
//! world-readable) and its load turns a corrupt file into an empty store without a word. So every
//! load re-reads the file (the CLI may have changed it) and mirrors it into the plugin's store,
//! and every save writes atomically with mode 0600 under the same cross-process lock as the CLI.

use std::sync::Arc;

use feishu_oauth::{store::SESSION_KEY, FileStore, Result, Session, SessionStore};
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

    fn mirror(&self, session: Option<&Session>) {
        match session.and_then(|s| serde_json::to_value(s).ok()) {
            Some(value) => self.store.set(SESSION_KEY, value),
            None => {
                self.store.delete(SESSION_KEY);
            }
        }
    }
}

impl<R: Runtime> SessionStore for PluginStore<R> {
    fn load(&self) -> Result<Option<Session>> {
        let loaded = self.file.load();
        self.mirror(loaded.as_ref().ok().and_then(Option::as_ref));
        loaded
    }

    fn save(&self, session: &Session) -> Result<()> {
        self.file.save(session)?;
        self.mirror(Some(session));
        Ok(())
    }

    fn clear(&self) -> Result<()> {
        self.file.clear()?;
        self.mirror(None);
        Ok(())
    }

    fn lock(&self) -> Result<feishu_oauth::store::StoreLock> {
        self.file.lock()
    }
}
