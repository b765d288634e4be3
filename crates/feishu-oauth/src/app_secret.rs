//! The App Secret kept by the desktop keyring.
//!
//! When Settings or `feishu-auth profile add` writes a profile's settings file with an App Secret
//! in it, the secret goes to the keyring and the file holds [`APP_SECRET_REFERENCE`] instead; a
//! settings file read back has the reference replaced by the keyring's value. A literal secret
//! already in a file keeps working, and `status`, `config show` and Settings say where it is kept.

use crate::{
    config::{env_var, ConfigFile},
    error::{Error, Result},
    keyring::{self, KeyringError, APP_SECRET_REFERENCE},
    managed::{Managed, Origin, Setting},
    secret::AppSecret,
    storage::StoragePolicy,
};

/// Where a profile's App Secret in effect is kept: `keyring`, `config` (the profile's settings
/// file), `system` (the system file), `environment` (`FEISHU_APP_SECRET`); `None` when there is
/// none (the sandbox).
pub fn storage_of(settings: &[Setting], user: &ConfigFile) -> Option<&'static str> {
    let origin = &settings.iter().find(|s| s.key.name == "app_secret")?.origin;
    match origin {
        Origin::Default => None,
        Origin::System => Some("system"),
        Origin::Environment(_) => Some("environment"),
        Origin::User if is_reference(user) => Some("keyring"),
        Origin::User => Some("config"),
    }
}

fn is_reference(file: &ConfigFile) -> bool {
    file.app_secret.as_deref().map(str::trim) == Some(APP_SECRET_REFERENCE)
}

/// The storage policy a settings file is written under: the environment's, else the system
/// file's, else the file's own.
fn policy(file: &ConfigFile, managed: Option<&Managed>) -> StoragePolicy {
    env_var("FEISHU_SIGNIN_STORAGE")
        .or_else(|| managed.and_then(|m| m.settings.storage.clone()))
        .or_else(|| file.storage.clone())
        .and_then(|raw| raw.parse().ok())
        .unwrap_or_default()
}

/// Before profile `profile`'s settings file is written: a literal App Secret in it goes to the
/// keyring and the file keeps the reference. With no keyring it stays in the file (logged), or,
/// under `storage = "keyring"`, nothing is written and the error says why. A file with no App
/// Secret any more (the sandbox chosen) forgets the one the keyring kept.
pub(crate) fn keep(
    file: &mut ConfigFile,
    before: &ConfigFile,
    profile: &str,
    managed: Option<&Managed>,
) -> Result<()> {
    let policy = policy(file, managed);
    let secret = match file.app_secret.as_deref().map(str::trim) {
        None | Some("") => {
            forget(before, profile);
            return Ok(());
        }
        Some(APP_SECRET_REFERENCE) => return Ok(()),
        Some(secret) => AppSecret::new(secret),
    };
    if policy == StoragePolicy::File {
        return Ok(());
    }
    let app_id = file
        .app_id
        .clone()
        .or_else(|| managed.and_then(|m| m.settings.app_id.clone()))
        .unwrap_or_default();
    match keyring::store_app_secret(profile, &app_id, &secret) {
        Ok(()) => {
            file.app_secret = Some(APP_SECRET_REFERENCE.to_owned());
            Ok(())
        }
        Err(KeyringError::Unavailable(why)) if policy == StoragePolicy::Auto => {
            tracing::warn!(reason = %why, "no desktop keyring: the App Secret is kept in the 0600 settings file");
            Ok(())
        }
        Err(e) => Err(Error::config(
            "app_secret",
            format!("the App Secret was not saved: {e}. Start or unlock the desktop keyring, or allow the settings file with `storage = \"auto\"`"),
        )),
    }
}

/// After profile `profile`'s settings file is removed: the secret it kept in the keyring goes
/// too (best effort: logged when the keyring cannot be asked).
pub(crate) fn forget(file: &ConfigFile, profile: &str) {
    if is_reference(file) {
        if let Err(e) = keyring::delete_app_secret(profile) {
            tracing::warn!(error = %e, profile, "the App Secret could not be deleted from the keyring");
        }
    }
}

/// After profile `profile`'s settings file is read: the reference replaced by the secret the
/// keyring keeps. Not asked when `FEISHU_APP_SECRET` or a locked system value wins anyway.
pub(crate) fn resolve(
    file: &mut ConfigFile,
    profile: &str,
    managed: Option<&Managed>,
) -> Result<()> {
    if !is_reference(file)
        || env_var("FEISHU_APP_SECRET").is_some_and(|v| !v.trim().is_empty())
        || managed.is_some_and(|m| m.locked.contains("app_secret"))
    {
        return Ok(());
    }
    match keyring::app_secret(profile) {
        Ok(Some(secret)) => {
            file.app_secret = Some(secret.expose().to_owned());
            Ok(())
        }
        Ok(None) => Err(Error::config(
            "app_secret",
            format!("the settings file says the desktop keyring keeps this profile's App Secret, and the keyring holds none for `{profile}`: enter it again in Settings, or remove the profile and add it again"),
        )),
        Err(e) => Err(Error::config(
            "app_secret",
            format!("the App Secret is kept in the desktop keyring, which cannot be used here ({e}): unlock it, run this in the desktop session, or give FEISHU_APP_SECRET"),
        )),
    }
}
