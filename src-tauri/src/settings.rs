//! The settings panel: read the shared config file (and the environment), write it back.

use std::path::PathBuf;

use feishu_oauth::{Config, ConfigFile, Error, RedirectUri, Result};

use crate::{
    backend::Backend,
    models::{Route, SettingsInput, SettingsView},
};

/// The variables that override the config file.
const ENV_OVERRIDES: [&str; 7] = [
    "FEISHU_APP_ID",
    "FEISHU_APP_SECRET",
    "FEISHU_BRAND",
    "FEISHU_REDIRECT_URI",
    "FEISHU_SCOPES",
    "FEISHU_ACCOUNTS_URL",
    "FEISHU_OPEN_URL",
];

fn config_path() -> Result<PathBuf> {
    ConfigFile::default_path().ok_or_else(|| Error::Config {
        setting: "config file".into(),
        reason: "no config directory is known for this user".into(),
    })
}

/// The view of the current settings.
pub fn view(backend: &Backend) -> Result<SettingsView> {
    let config = &backend.config;
    Ok(SettingsView {
        sandbox: config.is_sandbox(),
        app_id: config.app.as_ref().map(|a| a.app_id.clone()),
        app_secret_set: config.app.is_some(),
        brand: config.brand.as_str().to_owned(),
        redirect_uri: config.redirect_uri.to_string(),
        loopback_redirect_uri: backend.redirect_for(Route::Loopback).to_string(),
        deep_link_redirect_uri: backend.redirect_for(Route::DeepLink).to_string(),
        scopes: config.scopes.iter().map(str::to_owned).collect(),
        config_path: config_path()?.display().to_string(),
        data_dir: config.data_dir.display().to_string(),
        overridden_by_env: ENV_OVERRIDES
            .iter()
            .filter(|var| std::env::var(var).is_ok_and(|v| !v.trim().is_empty()))
            .map(|var| (*var).to_owned())
            .collect(),
        accounts_url: (!config.is_sandbox() && config.accounts_url != config.brand.accounts_url())
            .then(|| feishu_oauth::config::shown_url(&config.accounts_url)),
        open_url: (!config.is_sandbox() && config.open_url != config.brand.open_url())
            .then(|| feishu_oauth::config::shown_url(&config.open_url)),
    })
}

/// Validates and writes new settings, then loads the configuration they make. A settings file
/// that does not parse is replaced (the Settings form is how the window tells a person to fix
/// it); the second value says where the old one was kept.
pub fn save(input: SettingsInput) -> Result<(Config, Option<PathBuf>)> {
    let path = config_path()?;
    let mut file = ConfigFile::read_for_edit(&path)?;
    let app_id = input
        .app_id
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty());
    let secret = input
        .app_secret
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty());
    if app_id.is_none() {
        // No App ID: the sandbox. The secret belongs to the App ID, so it goes too.
        file.app_secret = None;
    } else if secret.is_some() {
        file.app_secret = secret;
    }
    if app_id.is_some() && file.app_secret.is_none() {
        return Err(Error::Config {
            setting: "app_secret".into(),
            reason: "an App ID needs its App Secret (developer console → Credentials & Basic Info)"
                .into(),
        });
    }
    file.app_id = app_id;
    input
        .brand
        .parse::<feishu_oauth::Brand>()
        .map_err(|e| Error::Config {
            setting: "brand".into(),
            reason: e,
        })?;
    file.brand = Some(input.brand);
    file.redirect_uri = match input
        .redirect_uri
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty())
    {
        Some(uri) => Some(
            RedirectUri::parse(&uri)
                .map_err(|e| Error::Config {
                    setting: "redirect_uri".into(),
                    reason: e,
                })?
                .to_string(),
        ),
        None => None,
    };
    let scopes =
        feishu_oauth::Scopes::from_iter_checked(&input.scopes).map_err(|e| Error::Config {
            setting: "scopes".into(),
            reason: e,
        })?;
    file.scopes = (!scopes.is_empty()).then(|| scopes.to_string());
    let kept = file.write_replacing(&path)?;
    Ok((Config::load()?, kept))
}
