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
    data_dir,
    error::{Error, Result},
    redirect::RedirectUri,
    scope::Scopes,
    secret::AppSecret,
    storage::StoragePolicy,
};

/// The folder name under the user's config directory (the data folder is named by the app's
/// identifier, see [`crate::data_dir`]).
pub const CONFIG_DIR_NAME: &str = "feishu-signin";

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
    /// Token revocation (`/oauth/v1/revoke` on the accounts host; see [`crate::revoke`]).
    pub revoke: Url,
    /// Device authorization (`/oauth/v1/device_authorization` on the accounts host; see
    /// [`crate::device`]).
    pub device_authorization: Url,
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
            revoke: join(accounts_url, crate::revoke::PATH, "FEISHU_ACCOUNTS_URL")?,
            device_authorization: join(accounts_url, crate::device::PATH, "FEISHU_ACCOUNTS_URL")?,
        })
    }
}

/// The session file's name in the data directory.
pub const SESSION_FILE_NAME: &str = "session.json";

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
    /// Where tokens are kept at rest (`storage`, `FEISHU_SIGNIN_STORAGE`).
    pub storage: StoragePolicy,
    /// The profile these settings belong to: the sealed session file is bound to it.
    pub profile: String,
    /// Where the App Secret in effect is kept: `keyring`, `config`, `system`, `environment`
    /// (`None`: no App Secret, or settings not read from a profile).
    pub app_secret_storage: Option<&'static str>,
    /// The person chose the sandbox ("Try the demo", `demo = true`, `FEISHU_SIGNIN_DEMO=1`): with
    /// no App ID and without this, the window says the app is not set up rather than quietly
    /// signing anyone in to the demo.
    pub demo: bool,
}

/// The config file as written on disk: every key optional.
#[derive(Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
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
    /// `demo`: the sandbox was chosen on purpose (meaningful without an App ID).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub demo: Option<bool>,
    /// `storage`: `auto`, `keyring` or `file` (see [`StoragePolicy`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub storage: Option<String>,
}

impl std::fmt::Debug for ConfigFile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The file holds the App Secret as a plain string: never printed.
        f.debug_struct("ConfigFile")
            .field("app_id", &self.app_id)
            .field(
                "app_secret",
                &self.app_secret.as_ref().map(|_| "[redacted]"),
            )
            .field("brand", &self.brand)
            .field("accounts_url", &self.accounts_url)
            .field("open_url", &self.open_url)
            .field("redirect_uri", &self.redirect_uri)
            .field("scopes", &self.scopes)
            .field("demo", &self.demo)
            .field("storage", &self.storage)
            .finish()
    }
}

impl ConfigFile {
    /// The default path: `<config dir>/feishu-signin/config.toml`.
    pub fn default_path() -> Option<PathBuf> {
        dirs::config_dir().map(|d| d.join(CONFIG_DIR_NAME).join("config.toml"))
    }

    /// Reads the file; a missing file is an empty one. A file that does not parse is reported by
    /// line and key, never by quoting it: the line may hold the App Secret.
    pub fn read(path: &Path) -> Result<Self> {
        match std::fs::read_to_string(path) {
            Ok(text) => toml::from_str(&text).map_err(|e| Error::ConfigFile {
                path: path.to_owned(),
                reason: parse_fault(&text, &e),
            }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Self::default()),
            Err(e) => Err(Error::ConfigFile {
                path: path.to_owned(),
                reason: e.to_string(),
            }),
        }
    }

    /// Reads the file for editing (the Settings form): a file that does not parse reads as an
    /// empty one, to be replaced by [`Self::write_replacing`].
    pub fn read_for_edit(path: &Path) -> Result<Self> {
        match Self::read(path) {
            Err(Error::ConfigFile { .. }) if path.is_file() => Ok(Self::default()),
            other => other,
        }
    }

    /// Writes the file like [`Self::write`]; a file there that does not parse is first moved
    /// aside (mode 0600, as it may hold the App Secret), and the answer says where it was kept.
    pub fn write_replacing(&self, path: &Path) -> Result<Option<PathBuf>> {
        let kept = match Self::read(path) {
            Err(Error::ConfigFile { reason, .. }) if path.is_file() => {
                let kept = keep_broken(path).map_err(|source| Error::Store {
                    path: path.to_owned(),
                    source,
                })?;
                tracing::warn!(path = %path.display(), kept = %kept.display(), %reason, "the config file did not parse and was set aside");
                Some(kept)
            }
            _ => None,
        };
        self.write(path)?;
        Ok(kept)
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

/// The keys a config file may hold.
const FILE_KEYS: [&str; 8] = [
    "app_id",
    "app_secret",
    "brand",
    "accounts_url",
    "open_url",
    "redirect_uri",
    "scopes",
    "storage",
];

/// What is wrong with a config file, by line and key. TOML's own message quotes the offending
/// line (and its value), so only its first words are kept: a kind such as "invalid string".
fn parse_fault(text: &str, e: &toml::de::Error) -> String {
    let message = e.message().lines().next().unwrap_or_default();
    let unknown = message.starts_with("unknown field");
    let kind: String = message
        .chars()
        .take_while(|c| !matches!(c, ':' | '`' | '"' | '\'' | ','))
        .collect();
    let kind = kind.trim();
    let kind = if kind.is_empty() {
        "not valid TOML"
    } else {
        kind
    };
    let Some(start) = e.span().map(|span| span.start.min(text.len())) else {
        return kind.to_owned();
    };
    let line_no = text
        .get(..start)
        .map_or(1, |before| before.matches('\n').count() + 1);
    // The key at the start of that line, if it is one a person would write (a known key, or the
    // unknown one the error is about), never something else that could be a value.
    let key = text
        .lines()
        .nth(line_no - 1)
        .and_then(|line| line.split_once('='))
        .map(|(key, _)| key.trim())
        .filter(|key| {
            FILE_KEYS.contains(key)
                || (unknown
                    && !key.is_empty()
                    && key.len() <= 40
                    && key
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-'))
        });
    match key {
        Some(key) => format!(
            "line {line_no}, key `{key}`: {kind} (the value is not shown: it may be a secret)"
        ),
        None => format!("line {line_no}: {kind} (the line is not shown: it may hold a secret)"),
    }
}

/// Moves a config file that does not parse aside as `<name>.broken-<time>`, mode 0600.
fn keep_broken(path: &Path) -> std::io::Result<PathBuf> {
    use std::os::unix::fs::PermissionsExt as _;
    let now = time::OffsetDateTime::now_utc();
    let mut kept = path.as_os_str().to_owned();
    kept.push(format!(
        ".broken-{}-{:09}",
        now.unix_timestamp(),
        now.nanosecond()
    ));
    let kept = PathBuf::from(kept);
    // A link never replaces an existing file, then the old name goes.
    std::fs::hard_link(path, &kept)?;
    std::fs::set_permissions(&kept, std::fs::Permissions::from_mode(0o600))?;
    std::fs::remove_file(path)?;
    Ok(kept)
}

/// Whether `url`'s host is on this machine (127.0.0.0/8, ::1 or `localhost`), where plain HTTP
/// never crosses a network.
fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        Some(url::Host::Domain(name)) => name.eq_ignore_ascii_case("localhost"),
        None => false,
    }
}

/// A URL as it may be shown to a person or a page: without credentials or a query, which a proxy
/// URL may carry.
pub fn shown_url(url: &Url) -> String {
    let mut shown = url.clone();
    let _ = shown.set_username("");
    let _ = shown.set_password(None);
    shown.set_query(None);
    shown.set_fragment(None);
    shown.to_string()
}

/// The data folder: `FEISHU_SIGNIN_DATA_DIR`, else the app's folder in the user's data folder
/// (0.1's moved there first).
pub(crate) fn data_folder(from_env: Option<String>) -> Result<PathBuf> {
    match from_env {
        Some(dir) => Ok(PathBuf::from(dir)),
        None => dirs::data_dir()
            .map(|d| data_dir::settle(&d))
            .ok_or_else(|| {
                Error::config(
                    "FEISHU_SIGNIN_DATA_DIR",
                    "no data directory is known for this user: set FEISHU_SIGNIN_DATA_DIR",
                )
            }),
    }
}

/// Where tokens are kept at rest, from `FEISHU_SIGNIN_STORAGE` or the file's `storage`.
fn storage(value: Option<String>) -> Result<StoragePolicy> {
    value.map_or(Ok(StoragePolicy::default()), |raw| {
        raw.parse()
            .map_err(|e| Error::config("FEISHU_SIGNIN_STORAGE / storage", e))
    })
}

/// Whether the sandbox was chosen on purpose: `FEISHU_SIGNIN_DEMO`, else the file's `demo`.
fn demo(file: &ConfigFile, env: impl Fn(&str) -> Option<String>) -> Result<bool> {
    match env("FEISHU_SIGNIN_DEMO") {
        Some(raw) => parse_flag(&raw).ok_or_else(|| {
            Error::config(
                "FEISHU_SIGNIN_DEMO",
                format!("`{raw}` is not 1, 0, true or false"),
            )
        }),
        None => Ok(file.demo.unwrap_or(false)),
    }
}

/// A yes/no environment value.
fn parse_flag(raw: &str) -> Option<bool> {
    match raw.trim().to_ascii_lowercase().as_str() {
        "1" | "true" | "yes" | "on" => Some(true),
        "0" | "false" | "no" | "off" => Some(false),
        _ => None,
    }
}

/// Reads one variable; an empty value counts as unset.
pub(crate) fn env_var(name: &str) -> Option<String> {
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

        // A real app sends its App Secret and refresh tokens to these: never in clear text over a
        // network. Loopback hosts (an emulator, a local proxy) may use plain HTTP.
        if app.is_some() {
            for (var, url) in [
                ("FEISHU_ACCOUNTS_URL / accounts_url", &accounts_url),
                ("FEISHU_OPEN_URL / open_url", &open_url),
            ] {
                if url.scheme() != "https" && !is_loopback(url) {
                    return Err(Error::config(var, format!("`{}` must be an https:// URL: over http the App Secret and the tokens would cross the network in clear text (plain http is allowed only for loopback hosts such as a local emulator)", shown_url(url))));
                }
            }
        }

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
        let data_dir = data_folder(env("FEISHU_SIGNIN_DATA_DIR"))?;

        Ok(Self {
            brand,
            accounts_url,
            open_url,
            app,
            redirect_uri,
            scopes,
            browser: env("FEISHU_SIGNIN_BROWSER"),
            data_dir,
            profile: crate::profiles::DEFAULT_PROFILE.to_owned(),
            app_secret_storage: None,
            storage: storage(pick("FEISHU_SIGNIN_STORAGE", &file.storage))?,
            demo: demo(file, &env)?,
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
        self.data_dir.join(SESSION_FILE_NAME)
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
    fn storage_is_auto_unless_the_file_or_the_environment_says_and_a_typo_is_an_error() {
        let data = ("FEISHU_SIGNIN_DATA_DIR", "/tmp/x");
        let load = |file: &ConfigFile, env: &[(&str, &str)]| {
            Config::from_sources(file, env_of(env)).map(|c| c.storage)
        };
        assert_eq!(
            load(&ConfigFile::default(), &[data]).unwrap(),
            StoragePolicy::Auto
        );
        let file = ConfigFile {
            storage: Some("keyring".into()),
            ..ConfigFile::default()
        };
        assert_eq!(load(&file, &[data]).unwrap(), StoragePolicy::Keyring);
        let env = [data, ("FEISHU_SIGNIN_STORAGE", "file")];
        assert_eq!(load(&file, &env).unwrap(), StoragePolicy::File);
        let typo = ConfigFile {
            storage: Some("vault".into()),
            ..ConfigFile::default()
        };
        let err = load(&typo, &[data]).unwrap_err().to_string();
        assert!(
            err.contains("storage") && err.contains("auto, keyring or file"),
            "{err}"
        );
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

    #[test]
    fn a_file_that_does_not_parse_is_reported_by_line_and_key_never_by_value() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config.toml");
        let cases = [
            (
                "app_id = \"cli_a\"\napp_secret = s3cr3tValue42\n",
                "line 2",
                Some("app_secret"),
            ),
            (
                "app_id = \"cli_a\"\napp_secert = \"s3cr3tValue42\"\n",
                "line 2",
                Some("app_secert"),
            ),
            ("app_secret = 'abc\ns3cr3tValue42'\n", "line 2", None),
            ("s3cr3tValue42\n", "line 1", None),
            (
                "app_secret = 12345678\nscopes = \"s3cr3tValue42\"\n",
                "line 1",
                Some("app_secret"),
            ),
        ];
        for (text, line, key) in cases {
            std::fs::write(&path, text).unwrap();
            let err = ConfigFile::read(&path).unwrap_err().to_string();
            assert!(
                !err.contains("s3cr3tValue42") && !err.contains("12345678"),
                "{err}"
            );
            assert!(err.contains("config.toml") && err.contains(line), "{err}");
            if let Some(key) = key {
                assert!(err.contains(&format!("`{key}`")), "{err}");
            }
        }
    }

    #[test]
    fn settings_can_replace_a_file_that_does_not_parse() {
        use std::os::unix::fs::PermissionsExt as _;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config.toml");
        std::fs::write(&path, "app_secret = s3cr3t\n").unwrap();
        let file = ConfigFile::read_for_edit(&path).unwrap();
        assert_eq!(file, ConfigFile::default());
        assert!(
            path.exists(),
            "nothing is moved before the new settings are written"
        );
        let kept = ConfigFile {
            app_id: Some("cli_a".into()),
            ..Default::default()
        }
        .write_replacing(&path)
        .unwrap()
        .unwrap();
        assert_eq!(
            std::fs::read_to_string(&kept).unwrap(),
            "app_secret = s3cr3t\n"
        );
        assert_eq!(
            std::fs::metadata(&kept).unwrap().permissions().mode() & 0o777,
            0o600
        );
        // A readable file is edited in place.
        let file = ConfigFile::read_for_edit(&path).unwrap();
        assert_eq!(file.app_id.as_deref(), Some("cli_a"));
        assert!(file.write_replacing(&path).unwrap().is_none());
    }

    #[test]
    fn a_real_app_talks_https_except_to_loopback() {
        let app = [
            ("FEISHU_APP_ID", "cli_a"),
            ("FEISHU_APP_SECRET", "s"),
            ("FEISHU_SIGNIN_DATA_DIR", "/tmp/x"),
        ];
        for (var, url) in [
            ("FEISHU_OPEN_URL", "http://open.example.com"),
            ("FEISHU_ACCOUNTS_URL", "http://10.0.0.1:8080"),
        ] {
            let mut env = app.to_vec();
            env.push((var, url));
            let err = Config::from_sources(&ConfigFile::default(), env_of(&env))
                .unwrap_err()
                .to_string();
            assert!(err.contains(var) && err.contains("https"), "{err}");
        }
        for url in [
            "http://127.0.0.1:9",
            "http://localhost:9",
            "http://[::1]:9",
            "https://proxy.example.com",
        ] {
            let mut env = app.to_vec();
            env.push(("FEISHU_OPEN_URL", url));
            Config::from_sources(&ConfigFile::default(), env_of(&env)).unwrap();
        }
        // The sandbox sends nothing real: its emulator is on loopback anyway.
        Config::from_sources(
            &ConfigFile::default(),
            env_of(&[
                ("FEISHU_OPEN_URL", "http://127.0.0.1:9"),
                ("FEISHU_SIGNIN_DATA_DIR", "/tmp/x"),
            ]),
        )
        .unwrap();
    }
}
