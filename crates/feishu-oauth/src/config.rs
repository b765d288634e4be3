//! Settings shared by the app and the CLI: from `feishu-signin/config.toml` in the user's config
//! directory, overridden by the environment (`FEISHU_*`). Validated once, at load, with errors that
//! name the setting.
//!
//! No App ID means the sandbox: the caller runs a local emulator and points the endpoints at it.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use url::Url;

use crate::{
    brand::Brand,
    error::{Error, Result},
    redirect::RedirectUri,
    scope::Scopes,
    secret::AppSecret,
};

/// The folder name under the user's config directory, and the app's identifier under the data
/// directory (where tauri-plugin-store keeps the app's files).
pub const CONFIG_DIR_NAME: &str = "feishu-signin";
/// The Tauri app identifier, which names the data directory the app and the CLI share.
pub const APP_IDENTIFIER: &str = "dev.feishu-signin.app";

/// The App ID (`client_id`) and App Secret (`client_secret`) from the developer console.
#[derive(Debug, Clone)]
pub struct AppCredentials {
    /// The App ID, `cli_…`.
    pub app_id: String,
    /// The App Secret.
    pub app_secret: AppSecret,
}

/// Where the three endpoints are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoints {
    /// The authorize page (`/open-apis/authen/v1/authorize` on the accounts host).
    pub authorize: Url,
    /// The token endpoint, for the code exchange and refresh (`/open-apis/authen/v2/oauth/token`).
    pub token: Url,
    /// User info (`/open-apis/authen/v1/user_info`).
    pub user_info: Url,
}

impl Endpoints {
    /// The endpoints under an accounts base URL and an Open API base URL.
    pub fn new(accounts_url: &Url, open_url: &Url) -> Result<Self> {
        let join = |base: &Url, path: &str, setting: &str| {
            base.join(path)
                .map_err(|e| Error::config(setting, format!("cannot join {path} to {base}: {e}")))
        };
        Ok(Self {
            authorize: join(
                accounts_url,
                "open-apis/authen/v1/authorize",
                "FEISHU_ACCOUNTS_URL",
            )?,
            token: join(
                open_url,
                "open-apis/authen/v2/oauth/token",
                "FEISHU_OPEN_URL",
            )?,
            user_info: join(open_url, "open-apis/authen/v1/user_info", "FEISHU_OPEN_URL")?,
        })
    }
}

/// The validated settings.
#[derive(Debug, Clone)]
pub struct Config {
    /// Feishu or Lark.
    pub brand: Brand,
    /// The accounts base URL (brand default unless overridden).
    pub accounts_url: Url,
    /// The Open API base URL (brand default unless overridden).
    pub open_url: Url,
    /// `None`: no App ID configured, so the sandbox is used.
    pub app: Option<AppCredentials>,
    /// The redirect URI registered in the developer console.
    pub redirect_uri: RedirectUri,
    /// The scopes to request.
    pub scopes: Scopes,
    /// The browser command (`FEISHU_SIGNIN_BROWSER`), the URL appended; `None` for the system browser.
    pub browser: Option<String>,
    /// Where the session store lives.
    pub data_dir: PathBuf,
}

/// The config file as written on disk: every key optional.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct ConfigFile {
    /// `app_id`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub app_id: Option<String>,
    /// `app_secret`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub app_secret: Option<String>,
    /// `brand`: `feishu` or `lark`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub brand: Option<String>,
    /// `accounts_url`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub accounts_url: Option<String>,
    /// `open_url`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub open_url: Option<String>,
    /// `redirect_uri`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub redirect_uri: Option<String>,
    /// `scopes`, space-separated.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scopes: Option<String>,
}

impl ConfigFile {
    /// The default path: `<config dir>/feishu-signin/config.toml`.
    pub fn default_path() -> Option<PathBuf> {
        dirs::config_dir().map(|d| d.join(CONFIG_DIR_NAME).join("config.toml"))
    }

    /// Reads the file; a missing file is an empty one.
    pub fn read(path: &Path) -> Result<Self> {
        match std::fs::read_to_string(path) {
            Ok(text) => toml::from_str(&text).map_err(|e| Error::ConfigFile {
                path: path.to_owned(),
                reason: e.to_string(),
            }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Self::default()),
            Err(e) => Err(Error::ConfigFile {
                path: path.to_owned(),
                reason: e.to_string(),
            }),
        }
    }

    /// Writes the file privately (it may hold the App Secret): atomically, mode 0600.
    pub fn write(&self, path: &Path) -> Result<()> {
        let text = toml::to_string_pretty(self).map_err(|e| Error::ConfigFile {
            path: path.to_owned(),
            reason: e.to_string(),
        })?;
        crate::fsutil::write_private_atomic(path, text.as_bytes()).map_err(|source| Error::Store {
            path: path.to_owned(),
            source,
        })
    }
}

/// Reads one variable; an empty value counts as unset.
fn env_var(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

impl Config {
    /// Loads the default config file, then applies the environment.
    pub fn load() -> Result<Self> {
        let file = match ConfigFile::default_path() {
            Some(path) => ConfigFile::read(&path)?,
            None => ConfigFile::default(),
        };
        Self::from_sources(&file, env_var)
    }

    /// Merges a config file and an environment (a lookup function, so tests need not touch the
    /// process environment), environment first.
    pub fn from_sources(file: &ConfigFile, env: impl Fn(&str) -> Option<String>) -> Result<Self> {
        let pick = |var: &str, key: &Option<String>| {
            env(var).or_else(|| key.clone().filter(|v| !v.trim().is_empty()))
        };

        let brand = match pick("FEISHU_BRAND", &file.brand) {
            Some(b) => b
                .parse::<Brand>()
                .map_err(|e| Error::config("FEISHU_BRAND / brand", e))?,
            None => Brand::default(),
        };
        let base_url = |var: &str, key: &Option<String>, default: Url| -> Result<Url> {
            match pick(var, key) {
                None => Ok(default),
                Some(raw) => {
                    let mut url = Url::parse(raw.trim())
                        .map_err(|e| Error::config(var, format!("`{raw}` is not a URL ({e})")))?;
                    if !matches!(url.scheme(), "https" | "http") || url.host_str().is_none() {
                        return Err(Error::config(
                            var,
                            format!("`{raw}` must be an http(s) URL with a host"),
                        ));
                    }
                    if !url.path().ends_with('/') {
                        let path = format!("{}/", url.path());
                        url.set_path(&path);
                    }
                    Ok(url)
                }
            }
        };
        let accounts_url = base_url(
            "FEISHU_ACCOUNTS_URL",
            &file.accounts_url,
            brand.accounts_url(),
        )?;
        let open_url = base_url("FEISHU_OPEN_URL", &file.open_url, brand.open_url())?;

        let app = match (pick("FEISHU_APP_ID", &file.app_id), pick("FEISHU_APP_SECRET", &file.app_secret)) {
            (None, _) => None,
            (Some(app_id), Some(secret)) => {
                let app_id = app_id.trim().to_owned();
                if !app_id.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-') {
                    return Err(Error::config("FEISHU_APP_ID / app_id", format!("`{app_id}` is not an App ID (like cli_a5ca35a685b0x26e)")));
                }
                Some(AppCredentials { app_id, app_secret: AppSecret::new(secret.trim()) })
            }
            (Some(_), None) => {
                return Err(Error::config(
                    "FEISHU_APP_SECRET / app_secret",
                    "an App ID is set but no App Secret: Feishu requires the App Secret at the token step (developer console → Credentials & Basic Info)",
                ))
            }
        };

        let redirect_uri = match pick("FEISHU_REDIRECT_URI", &file.redirect_uri) {
            Some(raw) => RedirectUri::parse(&raw)
                .map_err(|e| Error::config("FEISHU_REDIRECT_URI / redirect_uri", e))?,
            None => RedirectUri::default_loopback(),
        };
        let scopes = match pick("FEISHU_SCOPES", &file.scopes) {
            Some(raw) => {
                Scopes::parse(&raw).map_err(|e| Error::config("FEISHU_SCOPES / scopes", e))?
            }
            None => Scopes::default_request(),
        };
        let data_dir = match env("FEISHU_SIGNIN_DATA_DIR") {
            Some(dir) => PathBuf::from(dir),
            None => dirs::data_dir()
                .map(|d| d.join(APP_IDENTIFIER))
                .ok_or_else(|| {
                    Error::config(
                        "FEISHU_SIGNIN_DATA_DIR",
                        "no data directory is known for this user: set FEISHU_SIGNIN_DATA_DIR",
                    )
                })?,
        };

        Ok(Self {
            brand,
            accounts_url,
            open_url,
            app,
            redirect_uri,
            scopes,
            browser: env("FEISHU_SIGNIN_BROWSER"),
            data_dir,
        })
    }

    /// Whether no App ID is configured, so the sandbox is used.
    pub fn is_sandbox(&self) -> bool {
        self.app.is_none()
    }

    /// The endpoints for these base URLs.
    pub fn endpoints(&self) -> Result<Endpoints> {
        Endpoints::new(&self.accounts_url, &self.open_url)
    }

    /// Points the configuration at a local emulator with its credentials (the sandbox).
    pub fn use_sandbox(&mut self, base_url: &Url, credentials: AppCredentials) {
        self.accounts_url = base_url.clone();
        self.open_url = base_url.clone();
        self.app = Some(credentials);
    }

    /// The session file in the data directory.
    pub fn session_path(&self) -> PathBuf {
        self.data_dir.join(crate::store::SESSION_FILE_NAME)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn env_of(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        move |k| map.get(k).cloned()
    }

    #[test]
    fn no_app_id_is_the_sandbox() {
        let c = Config::from_sources(
            &ConfigFile::default(),
            env_of(&[("FEISHU_SIGNIN_DATA_DIR", "/tmp/x")]),
        )
        .unwrap();
        assert!(c.is_sandbox());
        assert_eq!(c.redirect_uri, RedirectUri::default_loopback());
        assert!(c.scopes.contains("offline_access"));
    }

    #[test]
    fn environment_wins_over_the_file() {
        let file = ConfigFile {
            app_id: Some("cli_file".into()),
            app_secret: Some("s".into()),
            brand: Some("feishu".into()),
            ..Default::default()
        };
        let c = Config::from_sources(
            &file,
            env_of(&[
                ("FEISHU_APP_ID", "cli_env"),
                ("FEISHU_BRAND", "lark"),
                ("FEISHU_SIGNIN_DATA_DIR", "/tmp/x"),
            ]),
        )
        .unwrap();
        assert_eq!(c.app.as_ref().unwrap().app_id, "cli_env");
        assert_eq!(c.brand, Brand::Lark);
        assert_eq!(
            c.endpoints().unwrap().token.as_str(),
            "https://open.larksuite.com/open-apis/authen/v2/oauth/token"
        );
        assert_eq!(
            c.endpoints().unwrap().authorize.as_str(),
            "https://accounts.larksuite.com/open-apis/authen/v1/authorize"
        );
    }

    #[test]
    fn base_url_override_keeps_a_path_prefix() {
        let c = Config::from_sources(
            &ConfigFile::default(),
            env_of(&[
                ("FEISHU_OPEN_URL", "http://127.0.0.1:9/proxy"),
                ("FEISHU_SIGNIN_DATA_DIR", "/tmp/x"),
            ]),
        )
        .unwrap();
        assert_eq!(
            c.endpoints().unwrap().user_info.as_str(),
            "http://127.0.0.1:9/proxy/open-apis/authen/v1/user_info"
        );
    }

    #[test]
    fn errors_name_the_setting() {
        let cases = [
            ("FEISHU_BRAND", "wechat"),
            ("FEISHU_REDIRECT_URI", "https://example.com/cb"),
            ("FEISHU_OPEN_URL", "ftp://x"),
            ("FEISHU_APP_ID", "cli_only_id"),
        ];
        for (var, value) in cases {
            let err = Config::from_sources(
                &ConfigFile::default(),
                env_of(&[(var, value), ("FEISHU_SIGNIN_DATA_DIR", "/tmp/x")]),
            )
            .unwrap_err();
            let msg = err.to_string();
            let named = if var == "FEISHU_APP_ID" {
                "FEISHU_APP_SECRET"
            } else {
                var
            };
            assert!(msg.contains(named), "{var}: {msg}");
        }
    }

    #[test]
    fn unknown_file_keys_are_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config.toml");
        std::fs::write(&path, "app_idd = \"x\"\n").unwrap();
        let err = ConfigFile::read(&path).unwrap_err().to_string();
        assert!(
            err.contains("config.toml") && err.contains("app_idd"),
            "{err}"
        );
    }

    #[test]
    fn written_file_is_private_and_reads_back() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub/config.toml");
        let file = ConfigFile {
            app_id: Some("cli_x".into()),
            app_secret: Some("secret".into()),
            ..Default::default()
        };
        file.write(&path).unwrap();
        assert_eq!(
            std::fs::metadata(&path).unwrap().permissions().mode() & 0o777,
            0o600
        );
        assert_eq!(ConfigFile::read(&path).unwrap(), file);
    }
}
