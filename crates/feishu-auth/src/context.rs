//! What every command needs: the account of the loaded settings (the configured app, or the
//! sandbox with its emulator run in-process, started only when a command needs the network).

use std::sync::Arc;

use feishu_oauth::{Account, Config, Result};

use crate::sandbox::InProcess;

/// Loads the settings (config file, then environment) and opens the account's session store.
pub fn load() -> Result<Account> {
    let account = Account::with_file_store(Config::load()?, Arc::new(InProcess));
    if account.is_sandbox() {
        tracing::info!("no App ID configured: using the sandbox (a local Feishu emulator)");
    }
    Ok(account)
}
