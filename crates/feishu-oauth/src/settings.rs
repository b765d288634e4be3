//! The settings as a person edits them (the window's Settings form): which file they live in,
//! which environment variables override them, and how a form becomes the config file, with its
//! rules (an App ID needs its App Secret; no App ID means the sandbox) in one place.

use std::path::PathBuf;

use serde::Deserialize;

use crate::{
    brand::Brand,
    config::{shown_url, Config, ConfigFile},
    error::{Error, Result},
    profiles::Profiles,
    redirect::RedirectUri,
    scope::Scopes,
};

/// The variables that override the config file, as [`Config::load`] reads them.
pub const ENV_OVERRIDES: [&str; 8] = [
    "FEISHU_APP_ID",
    "FEISHU_APP_SECRET",
    "FEISHU_BRAND",
    "FEISHU_REDIRECT_URI",
    "FEISHU_SCOPES",
    "FEISHU_ACCOUNTS_URL",
    "FEISHU_OPEN_URL",
    "FEISHU_SIGNIN_DEMO",
];

/// The override variables set in this process's environment: what a saved form will not change.
pub fn overridden_by_env() -> Vec<&'static str> {
    ENV_OVERRIDES
        .into_iter()
        .filter(|var| std::env::var(var).is_ok_and(|v| !v.trim().is_empty()))
        .collect()
}

/// The user's config file.
pub fn config_path() -> Result<PathBuf> {
    ConfigFile::default_path()
        .ok_or_else(|| Error::config("config file", "no config directory is known for this user"))
}

/// Profile `name`'s settings, or, when they cannot be loaded, the sandbox (in that profile's data
/// folder) with the reason: a window opens anyway, so the person sees what is wrong and can fix
/// it in Settings.
pub fn load_or_sandbox(profiles: &Profiles, name: &str) -> Result<(Config, Option<Error>)> {
    match profiles.load(name) {
        Ok(config) => Ok((config, None)),
        Err(error) => {
            let data_dir = |var: &str| {
                (var == "FEISHU_SIGNIN_DATA_DIR")
                    .then(|| std::env::var(var).ok())
                    .flatten()
            };
            let mut config = Config::from_sources(&ConfigFile::default(), data_dir)?;
            config.data_dir = profiles.data_dir(&config.data_dir, name);
            Ok((config, Some(error)))
        }
    }
}

/// An endpoint's base URL as shown to a person (no credentials or query), when it is not the
/// brand's own (a proxy, an emulator); `None` in the sandbox, whose emulator is the app's.
pub fn custom_endpoints(config: &Config) -> (Option<String>, Option<String>) {
    if config.is_sandbox() {
        return (None, None);
    }
    let custom = |url: &url::Url, default: url::Url| (*url != default).then(|| shown_url(url));
    (
        custom(&config.accounts_url, config.brand.accounts_url()),
        custom(&config.open_url, config.brand.open_url()),
    )
}

/// New settings from a form; an empty or absent `app_secret` keeps the stored one.
#[derive(Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SettingsForm {
    /// The App ID; empty: the sandbox.
    pub app_id: Option<String>,
    /// A new App Secret, write-only.
    pub app_secret: Option<String>,
    /// `feishu` or `lark`.
    pub brand: String,
    /// The redirect URI; empty: the default.
    pub redirect_uri: Option<String>,
    /// The scopes to request; empty: the default.
    pub scopes: Vec<String>,
}

impl std::fmt::Debug for SettingsForm {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SettingsForm")
            .field("app_id", &self.app_id)
            .field(
                "app_secret",
                &self.app_secret.as_ref().map(|_| "[redacted]"),
            )
            .field("brand", &self.brand)
            .field("redirect_uri", &self.redirect_uri)
            .field("scopes", &self.scopes)
            .finish()
    }
}

/// What a save did.
#[derive(Debug)]
pub struct Saved {
    /// The configuration the saved file makes (with the environment applied).
    pub config: Config,
    /// Where a settings file that did not parse was kept, if it was replaced.
    pub kept_broken: Option<PathBuf>,
}

fn non_empty(value: Option<String>) -> Option<String> {
    value.map(|s| s.trim().to_owned()).filter(|s| !s.is_empty())
}

impl SettingsForm {
    /// Applies the form to a config file, checking every value first: nothing is changed when one
    /// is invalid.
    pub fn apply_to(self, file: &mut ConfigFile) -> Result<()> {
        self.apply_over(file, &ConfigFile::default())
    }

    /// Applies the form to a user's config file over `system`, the system file's values for the
    /// profile (an App ID or App Secret there counts as given).
    fn apply_over(self, file: &mut ConfigFile, system: &ConfigFile) -> Result<()> {
        let app_id = non_empty(self.app_id);
        let has_app_id = app_id.is_some() || non_empty(system.app_id.clone()).is_some();
        let app_secret = match (has_app_id, non_empty(self.app_secret)) {
            // No App ID: the sandbox. The secret belongs to the App ID, so it goes too.
            (false, _) => None,
            (true, Some(secret)) => Some(secret),
            (true, None) => file.app_secret.clone(),
        };
        if has_app_id && app_secret.is_none() && non_empty(system.app_secret.clone()).is_none() {
            return Err(Error::config(
                "app_secret",
                "an App ID needs its App Secret (developer console → Credentials & Basic Info)",
            ));
        }
        let brand = self
            .brand
            .parse::<Brand>()
            .map_err(|e| Error::config("brand", e))?;
        let redirect_uri = non_empty(self.redirect_uri)
            .map(|uri| RedirectUri::parse(&uri).map_err(|e| Error::config("redirect_uri", e)))
            .transpose()?;
        let scopes =
            Scopes::from_iter_checked(&self.scopes).map_err(|e| Error::config("scopes", e))?;
        file.app_id = app_id;
        file.app_secret = app_secret;
        file.brand = Some(brand.as_str().to_owned());
        file.redirect_uri = redirect_uri.map(|uri| uri.to_string());
        file.scopes = (!scopes.is_empty()).then(|| scopes.to_string());
        Ok(())
    }

    /// Writes the form into profile `name`'s settings file and loads the configuration it makes.
    /// A file that does not parse is replaced (the form is how the window tells a person to fix
    /// it) and kept beside it.
    ///
    /// A key the system file locks cannot be changed: the form may give it back as the user's
    /// file holds it or as the system file sets it (the window does), and it stays as the user's
    /// file holds it; any other value is refused, naming the key and the system file.
    pub fn save(self, profiles: &Profiles, name: &str) -> Result<Saved> {
        let path = profiles.config_file(name);
        let before = ConfigFile::read_for_edit(&path)?;
        let mut file = before.clone();
        let managed = profiles.managed(name).cloned().unwrap_or_default();
        self.apply_over(&mut file, &managed.settings)?;
        for key in &managed.locked {
            let given = field(&file, key);
            if given != field(&before, key) && given != field(&managed.settings, key) {
                let system = profiles
                    .system()
                    .ok()
                    .flatten()
                    .map(|s| s.path.display().to_string())
                    .unwrap_or_default();
                return Err(Error::config(
                    *key,
                    format!("managed by your organisation: the system config file {system} locks it, so it cannot be changed here"),
                ));
            }
            set_field(&mut file, key, field(&before, key));
        }
        crate::app_secret::keep(&mut file, &before, name, Some(&managed))?;
        let kept_broken = file.write_replacing(&path)?;
        Ok(Saved {
            config: profiles.load(name)?,
            kept_broken,
        })
    }
}

/// A key of a settings file as the form sets it, blank as none.
fn field(file: &ConfigFile, key: &str) -> Option<String> {
    let value = match key {
        "app_id" => file.app_id.clone(),
        "app_secret" => file.app_secret.clone(),
        "brand" => file.brand.clone(),
        "redirect_uri" => file.redirect_uri.clone(),
        "scopes" => file.scopes.clone(),
        "accounts_url" => file.accounts_url.clone(),
        "open_url" => file.open_url.clone(),
        "demo" => file.demo.map(|d| d.to_string()),
        "storage" => file.storage.clone(),
        _ => None,
    };
    non_empty(value)
}

fn set_field(file: &mut ConfigFile, key: &str, value: Option<String>) {
    match key {
        "app_id" => file.app_id = value,
        "app_secret" => file.app_secret = value,
        "brand" => file.brand = value,
        "redirect_uri" => file.redirect_uri = value,
        "scopes" => file.scopes = value,
        "accounts_url" => file.accounts_url = value,
        "open_url" => file.open_url = value,
        "demo" => file.demo = value.and_then(|v| v.parse().ok()),
        "storage" => file.storage = value,
        _ => {}
    }
}

/// Profile `name` runs the sandbox on purpose from now on ("Try the demo"): `demo = true` in its
/// settings file, every other key kept. Returns the configuration it makes.
pub fn choose_demo(profiles: &Profiles, name: &str) -> Result<Config> {
    let path = profiles.config_file(name);
    if profiles.managed(name).is_some_and(|m| m.is_locked("demo")) {
        return Err(Error::config(
            "demo",
            "managed by your organisation: the system config file locks it",
        ));
    }
    let mut file = ConfigFile::read_for_edit(&path)?;
    file.demo = Some(true);
    file.write_replacing(&path)?;
    profiles.load(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(app_id: Option<&str>, secret: Option<&str>) -> SettingsForm {
        SettingsForm {
            app_id: app_id.map(str::to_owned),
            app_secret: secret.map(str::to_owned),
            brand: "lark".into(),
            redirect_uri: Some(" ".into()),
            scopes: vec!["offline_access".into()],
        }
    }

    #[test]
    fn an_app_id_needs_its_secret_and_a_stored_one_is_kept() {
        let mut file = ConfigFile::default();
        let err = form(Some("cli_1"), None).apply_to(&mut file).unwrap_err();
        assert!(err.to_string().contains("app_secret"), "{err}");
        assert_eq!(file, ConfigFile::default(), "nothing changed");

        form(Some("cli_1"), Some(" s1 "))
            .apply_to(&mut file)
            .unwrap();
        assert_eq!(file.app_secret.as_deref(), Some("s1"));
        form(Some("cli_2"), Some("")).apply_to(&mut file).unwrap();
        assert_eq!(file.app_id.as_deref(), Some("cli_2"));
        assert_eq!(file.app_secret.as_deref(), Some("s1"), "kept");
        assert_eq!(file.brand.as_deref(), Some("lark"));
        assert_eq!(file.redirect_uri, None);
    }

    #[test]
    fn no_app_id_is_the_sandbox_and_drops_the_secret() {
        let mut file = ConfigFile {
            app_id: Some("cli_1".into()),
            app_secret: Some("s1".into()),
            ..ConfigFile::default()
        };
        form(None, Some("typed")).apply_to(&mut file).unwrap();
        assert_eq!((file.app_id, file.app_secret), (None, None));
    }

    #[test]
    fn an_invalid_value_changes_nothing() {
        let mut file = ConfigFile::default();
        let mut bad = form(None, None);
        bad.redirect_uri = Some("http://example.com/cb".into());
        assert!(bad.apply_to(&mut file).is_err());
        let mut bad = form(None, None);
        bad.brand = "slack".into();
        assert!(bad.apply_to(&mut file).is_err());
        assert_eq!(file, ConfigFile::default());
    }

    #[test]
    fn a_locked_field_is_kept_and_a_change_to_it_refused() {
        let dir = tempfile::tempdir().unwrap();
        let system = dir.path().join("system.toml");
        std::fs::write(
            &system,
            "app_id = \"cli_org\"\napp_secret = \"org\"\nbrand = \"lark\"\nlocked = [\"app_id\", \"app_secret\", \"brand\"]\n",
        )
        .unwrap();
        let system = crate::managed::SystemFile::read(&system).unwrap();
        let profiles = Profiles::at(dir.path().join("user"), Some(system));
        let path = profiles.config_file("default");

        // As the window sends it: the locked fields as the user's file holds them (none), no
        // secret, the brand as the system sets it; the editable scopes changed.
        let mut sent = form(None, None);
        sent.scopes = vec!["offline_access".into(), "contact:user.base:readonly".into()];
        let saved = sent.save(&profiles, "default").unwrap();
        let app = saved.config.app.unwrap();
        assert_eq!(
            app.app_id, "cli_org",
            "no App Secret asked for: the system gives it"
        );
        let file = ConfigFile::read(&path).unwrap();
        assert_eq!(
            (file.app_id, file.app_secret, file.brand),
            (None, None, None)
        );
        assert!(file.scopes.unwrap().contains("contact:user.base:readonly"));

        // Another App ID, or another brand, is refused and nothing is written.
        let before = std::fs::read_to_string(&path).unwrap();
        let err = form(Some("cli_mine"), Some("mine"))
            .save(&profiles, "default")
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("app_id") && err.contains("organisation"),
            "{err}"
        );
        let mut other_brand = form(None, None);
        other_brand.brand = "feishu".into();
        assert!(other_brand.save(&profiles, "default").is_err());
        assert_eq!(std::fs::read_to_string(&path).unwrap(), before);
    }
}
