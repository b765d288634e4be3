//! The Settings panel's view of an account; the rules of saving a form are the core's
//! ([`feishu_oauth::SettingsForm`]).

use feishu_oauth::{
    custom_endpoints, overridden_by_env, scheme_handler, Account, Profiles, Route, SchemeHandler,
    DEEP_LINK_SCHEME,
};

use crate::views::SettingsView;

/// The view of profile `profile`'s settings (its `account`).
pub fn view(profiles: &Profiles, profile: &str, account: &Account) -> SettingsView {
    let config = account.config();
    let (accounts_url, open_url) = custom_endpoints(config);
    SettingsView {
        profile: profile.to_owned(),
        sandbox: config.is_sandbox(),
        app_id: config.app.as_ref().map(|a| a.app_id.clone()),
        app_secret_set: config.app.is_some(),
        brand: config.brand.as_str().to_owned(),
        redirect_uri: config.redirect_uri.to_string(),
        loopback_redirect_uri: account.redirect_for(Route::Loopback).to_string(),
        deep_link_redirect_uri: account.redirect_for(Route::DeepLink).to_string(),
        scopes: config.scopes.iter().map(str::to_owned).collect(),
        config_path: profiles.config_file(profile).display().to_string(),
        data_dir: config.data_dir.display().to_string(),
        overridden_by_env: overridden_by_env().into_iter().map(str::to_owned).collect(),
        accounts_url,
        open_url,
        demo: config.demo,
        deep_link_handler: None,
    }
}

/// Who handles the deep-link scheme, for this app's executable (`xdg-mime`, about 0.1 s: run
/// off the main thread).
pub async fn deep_link_handler() -> SchemeHandler {
    let lookup = || match std::env::current_exe() {
        Ok(exe) => scheme_handler(DEEP_LINK_SCHEME, &exe),
        Err(e) => SchemeHandler::Unknown {
            reason: format!("this app's executable is unknown: {e}"),
        },
    };
    tokio::task::spawn_blocking(lookup)
        .await
        .unwrap_or_else(|e| SchemeHandler::Unknown {
            reason: e.to_string(),
        })
}
