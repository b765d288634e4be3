//! The app's account for a configuration: its session in tauri-plugin-store (over the file the
//! CLI shares), its sandbox's emulator run as a child process (`feishu-auth emulator --for-app`).

use std::sync::Arc;

use feishu_emulator::sandbox;
use feishu_oauth::{
    Account, AppCredentials, AppSecret, ChildProcess, Config, FileStore, SessionStore,
};
use tauri::{AppHandle, Runtime};

use crate::plugin_store::PluginStore;

/// The program that serves the sandbox, installed beside the app.
const SANDBOX_PROGRAM: &str = "feishu-auth";

/// The account for `config`.
pub fn open<R: Runtime>(
    app: &AppHandle<R>,
    config: Config,
) -> Result<Account, feishu_oauth::Error> {
    let store = open_store(app, &config)?;
    let launcher = ChildProcess::new(
        SANDBOX_PROGRAM,
        AppCredentials {
            app_id: sandbox::APP_ID.to_owned(),
            app_secret: AppSecret::new(sandbox::APP_SECRET),
        },
    );
    let account = Account::new(config, store, Arc::new(launcher));
    // A session an earlier version stored in clear is sealed as soon as a keyring can; a failure
    // changes nothing and is the next save's to report.
    if let Err(e) = account.seal_plain() {
        tracing::warn!(error = %e, "the session stored in clear could not be sealed yet");
    }
    Ok(account)
}

/// The session store for `config`: tauri-plugin-store over the shared session file.
pub fn open_store<R: Runtime>(
    app: &AppHandle<R>,
    config: &Config,
) -> Result<Arc<dyn SessionStore>, feishu_oauth::Error> {
    let path = config.session_path();
    let store = tauri_plugin_store::StoreBuilder::new(app, &path)
        .disable_auto_save()
        .build()
        .map_err(|e| feishu_oauth::Error::Store {
            path: path.clone(),
            source: std::io::Error::other(e.to_string()),
        })?;
    // Out of the plugin's registry, so its exit hook never writes the file with a plain,
    // non-atomic `fs::write` over a session the CLI may have rotated since.
    store.close_resource();
    Ok(Arc::new(PluginStore::new(
        store,
        FileStore::for_config(config),
    )))
}
