//! What every command needs: the profile it acts on, and that profile's account (the configured
//! app, or the sandbox with its emulator run in-process, started only when a command needs the
//! network).

use std::sync::Arc;

use feishu_oauth::{Account, Profiles, Result};

use crate::sandbox::InProcess;

/// The account of profile `name`.
pub fn account(profiles: &Profiles, name: &str) -> Result<Account> {
    let account = Account::with_file_store(profiles.load(name)?, Arc::new(InProcess));
    // A session an earlier version stored in clear is sealed as soon as a keyring can; a failure
    // here changes nothing and is the next save's to report.
    if let Err(e) = account.seal_plain() {
        tracing::warn!(error = %e, profile = name, "the session stored in clear could not be sealed yet");
    }
    if account.is_sandbox() {
        tracing::info!(
            profile = name,
            "no App ID configured: using the sandbox (a local Feishu emulator)"
        );
    }
    Ok(account)
}

/// The profile a command acts on (`--profile`, else `FEISHU_PROFILE`, else the active one) and
/// its account.
pub fn load(profile: Option<&str>) -> Result<(String, Account)> {
    let profiles = Profiles::open()?;
    let name = profiles.select(profile)?;
    let account = account(&profiles, &name)?;
    Ok((name, account))
}
