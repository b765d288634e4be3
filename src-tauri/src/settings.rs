//! The Settings panel's view of an account; the rules of saving a form are the core's
//! ([`feishu_oauth::SettingsForm`]).

use feishu_oauth::{
    custom_endpoints, overridden_by_env, scheme_handler, Account, Config, ConfigFile, Managed,
    Profiles, Route, SchemeHandler, DEEP_LINK_SCHEME, KEYS,
};

use crate::views::{FileSettingsView, ReadOnlyField, ReadOnlyReason, SettingsField, SettingsView};

/// The environment variables that set a field of the form (the shared environment contract);
/// the others, such as the base URLs, have no field and are only listed.
const ENV_FIELDS: [(&str, SettingsField); 5] = [
    ("FEISHU_APP_ID", SettingsField::AppId),
    ("FEISHU_APP_SECRET", SettingsField::AppSecret),
    ("FEISHU_BRAND", SettingsField::Brand),
    ("FEISHU_REDIRECT_URI", SettingsField::RedirectUri),
    ("FEISHU_SCOPES", SettingsField::Scopes),
];

/// The fields of the form by the key that sets them in a config file.
const KEY_FIELDS: [(&str, SettingsField); 5] = [
    ("app_id", SettingsField::AppId),
    ("app_secret", SettingsField::AppSecret),
    ("brand", SettingsField::Brand),
    ("redirect_uri", SettingsField::RedirectUri),
    ("scopes", SettingsField::Scopes),
];

/// The view of profile `profile`'s settings (its `account`).
pub fn view(profiles: &Profiles, profile: &str, account: &Account) -> SettingsView {
    let config = account.config();
    let (accounts_url, open_url) = custom_endpoints(config);
    let config_path = profiles.config_file(profile);
    // The form edits this file; one that cannot be read or parsed reads as empty, as a save
    // would replace it (and a read failure stops the save with its own error).
    let file = ConfigFile::read(&config_path).unwrap_or_default();
    let managed = profiles.managed(profile);
    let system_path = profiles
        .system()
        .ok()
        .flatten()
        .map(|s| s.path.display().to_string())
        .unwrap_or_default();
    // A locked key's variable is ignored: it neither makes a field read-only nor is listed.
    let locked = |var: &str| {
        managed.is_some_and(|m| KEYS.iter().any(|k| k.env == var && m.is_locked(k.name)))
    };
    let mut read_only = managed_read_only(managed, &system_path, config);
    read_only.extend(read_only_by_env(|name| {
        (!locked(name)).then(|| std::env::var(name).ok()).flatten()
    }));
    SettingsView {
        profile: profile.to_owned(),
        sandbox: config.is_sandbox(),
        app_id: config.app.as_ref().map(|a| a.app_id.clone()),
        app_secret_set: config.app.is_some(),
        app_secret_storage: config.app.as_ref().and(config.app_secret_storage),
        brand: config.brand.as_str().to_owned(),
        redirect_uri: config.redirect_uri.to_string(),
        loopback_redirect_uri: account.redirect_for(Route::Loopback).to_string(),
        deep_link_redirect_uri: account.redirect_for(Route::DeepLink).to_string(),
        scopes: config.scopes.iter().map(str::to_owned).collect(),
        config_path: config_path.display().to_string(),
        data_dir: config.data_dir.display().to_string(),
        overridden_by_env: overridden_by_env()
            .into_iter()
            .filter(|var| !locked(var))
            .map(str::to_owned)
            .collect(),
        read_only,
        in_file: in_file(&file),
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

/// The fields the system file locks (`managed`, found at `system_path`), with the value in effect.
fn managed_read_only(
    managed: Option<&Managed>,
    system_path: &str,
    config: &Config,
) -> Vec<ReadOnlyField> {
    let Some(managed) = managed else {
        return Vec::new();
    };
    KEY_FIELDS
        .into_iter()
        .filter(|(key, _)| managed.is_locked(key))
        .map(|(key, field)| ReadOnlyField {
            field,
            reason: ReadOnlyReason::Managed,
            source: system_path.to_owned(),
            // Write-only: the App Secret's value never reaches the window.
            value: match key {
                "app_id" => config.app.as_ref().map(|a| a.app_id.clone()),
                "brand" => Some(config.brand.as_str().to_owned()),
                "redirect_uri" => Some(config.redirect_uri.to_string()),
                "scopes" => Some(config.scopes.iter().collect::<Vec<_>>().join(" ")),
                _ => None,
            },
        })
        .collect()
}

/// The fields an environment variable sets (looked up by `env`), with the value in effect:
/// the variable's own, even when the settings did not load, so the window shows what is set.
fn read_only_by_env(env: impl Fn(&str) -> Option<String>) -> Vec<ReadOnlyField> {
    ENV_FIELDS
        .into_iter()
        .filter_map(|(variable, field)| {
            let value = env(variable)
                .map(|v| v.trim().to_owned())
                .filter(|v| !v.is_empty())?;
            Some(ReadOnlyField {
                field,
                reason: ReadOnlyReason::Env,
                source: variable.to_owned(),
                // Write-only: the App Secret's value never reaches the window.
                value: (field != SettingsField::AppSecret).then_some(value),
            })
        })
        .collect()
}

fn in_file(file: &ConfigFile) -> FileSettingsView {
    let set = |value: &Option<String>| value.clone().filter(|v| !v.trim().is_empty());
    FileSettingsView {
        app_id: set(&file.app_id),
        app_secret_set: set(&file.app_secret).is_some(),
        brand: set(&file.brand),
        redirect_uri: set(&file.redirect_uri),
        scopes: set(&file.scopes),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_field_set_by_the_environment_is_read_only_and_the_secret_stays_unsent() {
        let env = |name: &str| match name {
            "FEISHU_APP_ID" => Some(" cli_env ".to_owned()),
            "FEISHU_APP_SECRET" => Some("s3cr3t".to_owned()),
            "FEISHU_BRAND" => Some("  ".to_owned()),
            "FEISHU_OPEN_URL" => Some("http://127.0.0.1:1/".to_owned()),
            _ => None,
        };
        let fields = read_only_by_env(env);
        assert_eq!(
            fields,
            [
                ReadOnlyField {
                    field: SettingsField::AppId,
                    reason: ReadOnlyReason::Env,
                    source: "FEISHU_APP_ID".into(),
                    value: Some("cli_env".into()),
                },
                ReadOnlyField {
                    field: SettingsField::AppSecret,
                    reason: ReadOnlyReason::Env,
                    source: "FEISHU_APP_SECRET".into(),
                    value: None,
                },
            ],
            "a blank variable sets nothing; the base URLs have no field"
        );
        let json = serde_json::to_string(&fields).unwrap();
        assert!(!json.contains("s3cr3t"), "{json}");
        assert!(json.contains(r#""field":"appId","reason":"env""#), "{json}");
    }

    #[test]
    fn the_file_values_say_only_whether_a_secret_is_stored() {
        let file = ConfigFile {
            app_id: Some("cli_file".into()),
            app_secret: Some("s3cr3t".into()),
            scopes: Some(String::new()),
            ..ConfigFile::default()
        };
        let view = in_file(&file);
        assert_eq!(view.app_id.as_deref(), Some("cli_file"));
        assert!(view.app_secret_set);
        assert_eq!(view.scopes, None, "an empty key is no value");
        assert!(!serde_json::to_string(&view).unwrap().contains("s3cr3t"));
    }

    #[test]
    fn a_locked_field_is_read_only_as_managed_with_the_value_in_effect() {
        let file = ConfigFile {
            app_id: Some("cli_org".into()),
            app_secret: Some("s3cr3t".into()),
            ..ConfigFile::default()
        };
        let config = Config::from_sources(&file, |var| {
            (var == "FEISHU_SIGNIN_DATA_DIR").then(|| "/tmp/x".to_owned())
        })
        .unwrap();
        let managed = Managed {
            label: None,
            settings: file,
            locked: ["app_id", "app_secret", "demo"].into_iter().collect(),
        };
        let fields = managed_read_only(
            Some(&managed),
            "/etc/xdg/feishu-signin/config.toml",
            &config,
        );
        assert_eq!(
            fields,
            [
                ReadOnlyField {
                    field: SettingsField::AppId,
                    reason: ReadOnlyReason::Managed,
                    source: "/etc/xdg/feishu-signin/config.toml".into(),
                    value: Some("cli_org".into()),
                },
                ReadOnlyField {
                    field: SettingsField::AppSecret,
                    reason: ReadOnlyReason::Managed,
                    source: "/etc/xdg/feishu-signin/config.toml".into(),
                    value: None,
                },
            ],
        );
        let json = serde_json::to_string(&fields).unwrap();
        assert!(!json.contains("s3cr3t"), "{json}");
        assert!(json.contains(r#""reason":"managed""#), "{json}");
        assert!(managed_read_only(None, "", &config).is_empty());
    }
}
