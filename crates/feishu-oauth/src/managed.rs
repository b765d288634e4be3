//! Managed settings: the system-wide file an organisation installs, and the one merge of every
//! source of a setting (system file → user's file → environment) that the CLI's `config show`,
//! the window's Settings and the loading of a profile share.
//!
//! The system file is `feishu-signin/config.toml` in the first folder of `XDG_CONFIG_DIRS`
//! (default `/etc/xdg`) that has one. Its top-level keys are defaults for the profile `default`;
//! each `[profiles.NAME]` table defines a profile NAME with its own keys. `locked = [...]` (at
//! the top level, or in a profile's table) names keys the user's file, the Settings window and
//! the `FEISHU_*` environment cannot change: a value they give is ignored, with a warning logged
//! once, and `config show` says so.

use std::{
    collections::{BTreeMap, BTreeSet, HashSet},
    path::{Path, PathBuf},
    sync::{Mutex, OnceLock},
};

use crate::{
    config::{shown_url, Config, ConfigFile, CONFIG_DIR_NAME},
    error::{Error, Result},
};

/// A key of a config file: its name, the environment variable that overrides it, and whether
/// its value is a secret (never shown).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Key {
    /// The key as written in a config file (`app_id`).
    pub name: &'static str,
    /// The environment variable (`FEISHU_APP_ID`).
    pub env: &'static str,
    /// Whether the value is a secret: shown only as "set".
    pub secret: bool,
}

/// Every key a config file may hold, in the order `config show` lists them.
pub const KEYS: [Key; 9] = [
    key("app_id", "FEISHU_APP_ID", false),
    key("app_secret", "FEISHU_APP_SECRET", true),
    key("brand", "FEISHU_BRAND", false),
    key("accounts_url", "FEISHU_ACCOUNTS_URL", false),
    key("open_url", "FEISHU_OPEN_URL", false),
    key("redirect_uri", "FEISHU_REDIRECT_URI", false),
    key("scopes", "FEISHU_SCOPES", false),
    key("demo", "FEISHU_SIGNIN_DEMO", false),
    key("storage", "FEISHU_SIGNIN_STORAGE", false),
];

const fn key(name: &'static str, env: &'static str, secret: bool) -> Key {
    Key { name, env, secret }
}

fn find_key(name: &str) -> Option<Key> {
    KEYS.into_iter().find(|k| k.name == name)
}

/// The longest label a profile may have, in characters: it names the profile in a menu.
const LABEL_MAX: usize = 40;

/// One section of the system file: the top level (for `default`) or a `[profiles.NAME]` table.
#[derive(Debug, Clone, Default)]
pub struct Managed {
    /// How the profile is named to a person ("Feishu (work)"), where its name (`work`) is for
    /// commands.
    pub label: Option<String>,
    /// The values it gives.
    pub settings: ConfigFile,
    /// The keys it locks.
    pub locked: BTreeSet<&'static str>,
}

impl Managed {
    /// Whether `key` (`app_id`) is locked.
    pub fn is_locked(&self, key: &str) -> bool {
        self.locked.contains(key)
    }
}

/// The system-wide file, as read.
#[derive(Debug, Clone)]
pub struct SystemFile {
    /// Where it was found.
    pub path: PathBuf,
    /// Its top level: the profile `default`.
    pub default: Managed,
    /// Its `[profiles.NAME]` tables.
    pub profiles: BTreeMap<String, Managed>,
}

impl SystemFile {
    /// The system file through `XDG_CONFIG_DIRS` (default `/etc/xdg`): the first folder that has
    /// `feishu-signin/config.toml`. `None` when none has.
    pub fn find() -> Result<Option<Self>> {
        let dirs = std::env::var("XDG_CONFIG_DIRS")
            .ok()
            .filter(|v| !v.trim().is_empty())
            .unwrap_or_else(|| "/etc/xdg".to_owned());
        for dir in dirs.split(':').filter(|d| Path::new(d).is_absolute()) {
            let path = Path::new(dir).join(CONFIG_DIR_NAME).join("config.toml");
            if path.is_file() {
                return Self::read(&path).map(Some);
            }
        }
        Ok(None)
    }

    /// Reads and checks the system file: an unknown key, a lock on an unknown key or a profile
    /// name that is not one is an error naming the file and the key.
    pub fn read(path: &Path) -> Result<Self> {
        let fault = |reason: String| Error::ConfigFile {
            path: path.to_owned(),
            reason,
        };
        let text = std::fs::read_to_string(path).map_err(|e| fault(e.to_string()))?;
        let table: toml::Table = toml::from_str(&text).map_err(|e| {
            // TOML's message quotes the line, which may hold the App Secret: its kind only.
            let message = e.message().lines().next().unwrap_or_default();
            let kind: String = message
                .chars()
                .take_while(|c| !matches!(c, ':' | '`' | '"' | '\''))
                .collect();
            fault(format!(
                "{} (the line is not shown: it may hold a secret)",
                kind.trim()
            ))
        })?;
        let mut profiles = BTreeMap::new();
        let mut top = table;
        if let Some(value) = top.remove("profiles") {
            let toml::Value::Table(tables) = value else {
                return Err(fault(
                    "`profiles` must be tables: [profiles.NAME]".to_owned(),
                ));
            };
            for (name, value) in tables {
                crate::profiles::check_name(&name).map_err(|_| {
                    fault(format!(
                        "`[profiles.{name}]`: not a profile name: use letters, digits, `-` and `_`"
                    ))
                })?;
                let toml::Value::Table(section) = value else {
                    return Err(fault(format!("`profiles.{name}` must be a table")));
                };
                let managed = section_of(section, &format!("profiles.{name}."), &fault)?;
                profiles.insert(name, managed);
            }
        }
        let default = section_of(top, "", &fault)?;
        Ok(Self {
            path: path.to_owned(),
            default,
            profiles,
        })
    }

    /// The section for profile `name`: its table, or the top level for `default`.
    pub fn section(&self, name: &str) -> Option<&Managed> {
        if name == crate::profiles::DEFAULT_PROFILE {
            Some(&self.default)
        } else {
            self.profiles.get(name)
        }
    }
}

/// One section's keys, checked: `prefix` names the table in errors.
fn section_of(
    mut table: toml::Table,
    prefix: &str,
    fault: &dyn Fn(String) -> Error,
) -> Result<Managed> {
    let label = match table.remove("label") {
        None => None,
        Some(toml::Value::String(label))
            if !label.trim().is_empty()
                && label.chars().count() <= LABEL_MAX
                && !label.chars().any(char::is_control) =>
        {
            Some(label.trim().to_owned())
        }
        Some(_) => {
            return Err(fault(format!(
                "key `{prefix}label`: the profile's name for people, like \"Feishu (work)\": one line of at most {LABEL_MAX} characters"
            )))
        }
    };
    let mut locked = BTreeSet::new();
    if let Some(value) = table.remove("locked") {
        let toml::Value::Array(names) = value else {
            return Err(fault(format!(
                "key `{prefix}locked`: a list of keys, like [\"app_id\", \"app_secret\"]"
            )));
        };
        for name in names {
            let known = name.as_str().and_then(find_key);
            let Some(key) = known else {
                return Err(fault(format!(
                    "key `{prefix}locked`: `{}` is not a setting (the settings: {})",
                    name.as_str().unwrap_or("?"),
                    key_list()
                )));
            };
            locked.insert(key.name);
        }
    }
    if let Some(unknown) = table.keys().find(|k| find_key(k).is_none()) {
        return Err(fault(format!(
            "unknown key `{prefix}{unknown}` (the settings: {}, locked, label, [profiles.NAME])",
            key_list()
        )));
    }
    let settings: ConfigFile = toml::Value::Table(table).try_into().map_err(|e| {
        let message = e.message().lines().next().unwrap_or_default().to_owned();
        let kind: String = message
            .chars()
            .take_while(|c| !matches!(c, '`' | '"' | '\''))
            .collect();
        fault(format!("in `{prefix}…`: {}", kind.trim()))
    })?;
    Ok(Managed {
        label,
        settings,
        locked,
    })
}

fn key_list() -> String {
    KEYS.iter().map(|k| k.name).collect::<Vec<_>>().join(", ")
}

/// Where a setting's value came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    /// The built-in default.
    Default,
    /// The system file.
    System,
    /// The user's file (the profile's).
    User,
    /// An environment variable.
    Environment(&'static str),
}

impl Origin {
    /// `default`, `system`, `user`, `environment`.
    pub fn as_str(&self) -> &'static str {
        match self {
            Origin::Default => "default",
            Origin::System => "system",
            Origin::User => "user",
            Origin::Environment(_) => "environment",
        }
    }
}

/// One setting in effect.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Setting {
    /// The key.
    pub key: Key,
    /// Where the value in effect comes from.
    pub origin: Origin,
    /// Locked by the system file.
    pub locked: bool,
    /// The sources that gave a value which a lock set aside.
    pub ignored: Vec<Origin>,
}

/// The reason a value is set aside.
pub const LOCKED_REASON: &str = "locked by the system file";

/// The merge of a profile's sources: which value wins for every key, and the config file that
/// results (what the environment still overrides removed). `env` looks a variable up.
pub fn merge(
    system: Option<&Managed>,
    user: &ConfigFile,
    env: &dyn Fn(&str) -> Option<String>,
) -> (ConfigFile, Vec<Setting>) {
    let empty = Managed::default();
    let system = system.unwrap_or(&empty);
    let mut merged = ConfigFile::default();
    let mut settings = Vec::new();
    for key in KEYS {
        let candidates = [
            (Origin::Environment(key.env), env(key.env)),
            (Origin::User, get(user, key.name)),
            (Origin::System, get(&system.settings, key.name)),
        ];
        let locked = system.is_locked(key.name);
        let mut ignored = Vec::new();
        let mut chosen: Option<(Origin, String)> = None;
        for (origin, value) in candidates {
            let Some(value) = value.filter(|v| !v.trim().is_empty()) else {
                continue;
            };
            if locked && origin != Origin::System {
                ignored.push(origin);
                continue;
            }
            if chosen.is_none() {
                chosen = Some((origin, value));
            }
        }
        let origin = match chosen {
            Some((origin, value)) => {
                set(&mut merged, key.name, value);
                origin
            }
            None => Origin::Default,
        };
        settings.push(Setting {
            key,
            origin,
            locked,
            ignored,
        });
    }
    (merged, settings)
}

fn get(file: &ConfigFile, key: &str) -> Option<String> {
    match key {
        "app_id" => file.app_id.clone(),
        "app_secret" => file.app_secret.clone(),
        "brand" => file.brand.clone(),
        "accounts_url" => file.accounts_url.clone(),
        "open_url" => file.open_url.clone(),
        "redirect_uri" => file.redirect_uri.clone(),
        "scopes" => file.scopes.clone(),
        "demo" => file.demo.map(|d| d.to_string()),
        "storage" => file.storage.clone(),
        _ => None,
    }
}

/// Sets `key` of `file`; a `demo` that is not a yes/no is kept as a string for the environment's
/// check (see [`Config::from_sources`]).
fn set(file: &mut ConfigFile, key: &str, value: String) {
    let slot = match key {
        "app_id" => &mut file.app_id,
        "app_secret" => &mut file.app_secret,
        "brand" => &mut file.brand,
        "accounts_url" => &mut file.accounts_url,
        "open_url" => &mut file.open_url,
        "redirect_uri" => &mut file.redirect_uri,
        "scopes" => &mut file.scopes,
        "storage" => &mut file.storage,
        _ => return,
    };
    *slot = Some(value);
}

/// A profile's configuration with every setting's origin.
#[derive(Debug, Clone)]
pub struct Layered {
    /// The configuration in effect.
    pub config: Config,
    /// Each key's origin, in [`KEYS`] order.
    pub settings: Vec<Setting>,
    /// Where the App Secret in effect is kept (see [`crate::app_secret::storage_of`]).
    pub app_secret_storage: Option<&'static str>,
    /// The system file, if one was found.
    pub system_path: Option<PathBuf>,
    /// The profile's own settings file.
    pub user_path: PathBuf,
}

impl Layered {
    /// Merges the sources of a profile and loads the configuration they make. The environment
    /// is `env`; a locked key's variable is not consulted.
    pub fn load(
        system: Option<&Managed>,
        user: &ConfigFile,
        env: impl Fn(&str) -> Option<String>,
    ) -> Result<(Config, Vec<Setting>)> {
        let (merged, settings) = merge(system, user, &env);
        let demo = settings
            .iter()
            .find(|s| s.key.name == "demo")
            .map(|s| s.origin.clone());
        // The merged file holds every key's winner; the demo flag is the file's own bool unless
        // the environment's variable won (it is checked there).
        let mut file = merged;
        file.demo = match demo {
            Some(Origin::User) => user.demo,
            Some(Origin::System) => system.and_then(|m| m.settings.demo),
            _ => None,
        };
        let keyed: Vec<&str> = KEYS.iter().map(|k| k.env).collect();
        let config = Config::from_sources(&file, |var| {
            if var == "FEISHU_SIGNIN_DEMO" {
                return (demo == Some(Origin::Environment("FEISHU_SIGNIN_DEMO")))
                    .then(|| env(var))
                    .flatten();
            }
            if keyed.contains(&var) {
                return None;
            }
            env(var)
        })?;
        warn_once(&settings);
        Ok((config, settings))
    }

    /// The value in effect of `key` as it may be shown: a secret only as `set`, a URL without
    /// credentials or query. `None`: not set.
    pub fn shown_value(&self, key: &str) -> Option<String> {
        let c = &self.config;
        match key {
            "app_id" => c.app.as_ref().map(|a| a.app_id.clone()),
            "app_secret" => c.app.as_ref().map(|_| "set".to_owned()),
            "brand" => Some(c.brand.as_str().to_owned()),
            "accounts_url" => Some(shown_url(&c.accounts_url)),
            "open_url" => Some(shown_url(&c.open_url)),
            "redirect_uri" => Some(c.redirect_uri.to_string()),
            "scopes" => Some(c.scopes.to_string()),
            "demo" => Some(c.demo.to_string()),
            "storage" => Some(c.storage.as_str().to_owned()),
            _ => None,
        }
    }
}

/// Logs each value a lock set aside, once per process.
fn warn_once(settings: &[Setting]) {
    static WARNED: OnceLock<Mutex<HashSet<(&'static str, String)>>> = OnceLock::new();
    let warned = WARNED.get_or_init(Default::default);
    let Ok(mut warned) = warned.lock() else {
        return;
    };
    for setting in settings {
        for origin in &setting.ignored {
            let source = match origin {
                Origin::Environment(var) => (*var).to_owned(),
                other => format!("the {} file", other.as_str()),
            };
            if warned.insert((setting.key.name, source.clone())) {
                tracing::warn!(
                    key = setting.key.name,
                    source = %source,
                    "ignored: {LOCKED_REASON}"
                );
            }
        }
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

    fn system(text: &str) -> (tempfile::TempDir, Result<SystemFile>) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config.toml");
        std::fs::write(&path, text).unwrap();
        let read = SystemFile::read(&path);
        (dir, read)
    }

    fn origin_of<'a>(settings: &'a [Setting], key: &str) -> &'a Setting {
        settings.iter().find(|s| s.key.name == key).unwrap()
    }

    #[test]
    fn system_then_user_then_environment_and_locks_hold() {
        let (_dir, file) = system(
            "app_id = \"cli_org\"\napp_secret = \"org-s3cret\"\nbrand = \"lark\"\nscopes = \"offline_access\"\nlocked = [\"app_id\", \"app_secret\"]\n",
        );
        let file = file.unwrap();
        let user = ConfigFile {
            app_id: Some("cli_user".into()),
            brand: Some("feishu".into()),
            ..ConfigFile::default()
        };
        let env = env_of(&[
            ("FEISHU_APP_ID", "cli_env"),
            ("FEISHU_SCOPES", "offline_access contact:user.base:readonly"),
            ("FEISHU_SIGNIN_DATA_DIR", "/tmp/x"),
        ]);
        let (config, settings) = Layered::load(Some(&file.default), &user, env).unwrap();
        let app = config.app.unwrap();
        assert_eq!(app.app_id, "cli_org", "locked: neither user nor env");
        assert_eq!(app.app_secret.expose(), "org-s3cret");
        let id = origin_of(&settings, "app_id");
        assert_eq!(id.origin, Origin::System);
        assert!(id.locked);
        assert_eq!(
            id.ignored,
            [Origin::Environment("FEISHU_APP_ID"), Origin::User]
        );
        assert_eq!(config.brand, crate::brand::Brand::Feishu, "user overrides");
        assert_eq!(origin_of(&settings, "brand").origin, Origin::User);
        assert_eq!(
            origin_of(&settings, "scopes").origin,
            Origin::Environment("FEISHU_SCOPES")
        );
        assert_eq!(origin_of(&settings, "redirect_uri").origin, Origin::Default);
    }

    #[test]
    fn no_system_file_is_the_user_file_then_the_environment() {
        let user = ConfigFile {
            app_id: Some("cli_user".into()),
            app_secret: Some("s".into()),
            demo: Some(true),
            ..ConfigFile::default()
        };
        let env = env_of(&[
            ("FEISHU_APP_ID", "cli_env"),
            ("FEISHU_SIGNIN_DATA_DIR", "/tmp/x"),
        ]);
        let (config, settings) = Layered::load(None, &user, env).unwrap();
        assert_eq!(config.app.unwrap().app_id, "cli_env");
        assert!(config.demo);
        assert_eq!(origin_of(&settings, "demo").origin, Origin::User);
        assert_eq!(origin_of(&settings, "app_secret").origin, Origin::User);
    }

    #[test]
    fn a_locked_demo_flag_ignores_the_environment() {
        let (_dir, file) = system("demo = false\nlocked = [\"demo\"]\n");
        let file = file.unwrap();
        let env = env_of(&[
            ("FEISHU_SIGNIN_DEMO", "1"),
            ("FEISHU_SIGNIN_DATA_DIR", "/tmp/x"),
        ]);
        let (config, _) = Layered::load(Some(&file.default), &ConfigFile::default(), env).unwrap();
        assert!(!config.demo);
    }

    #[test]
    fn profiles_are_tables_with_their_own_locks() {
        let (_dir, file) = system(
            "brand = \"feishu\"\n[profiles.work]\napp_id = \"cli_work\"\napp_secret = \"w\"\nlocked = [\"app_id\"]\n",
        );
        let file = file.unwrap();
        assert!(file.default.locked.is_empty());
        let work = file.section("work").unwrap();
        assert!(work.is_locked("app_id"));
        assert_eq!(work.settings.app_id.as_deref(), Some("cli_work"));
        assert!(file.section("home").is_none());
    }

    #[test]
    fn unknown_keys_and_locks_are_errors_naming_file_and_key() {
        for (text, named) in [
            ("app_idd = \"x\"\n", "app_idd"),
            ("locked = [\"app_idd\"]\n", "app_idd"),
            ("locked = \"app_id\"\n", "locked"),
            ("[profiles.work]\nsecret = \"x\"\n", "profiles.work.secret"),
            ("[profiles.\"a b\"]\n", "a b"),
            ("app_secret = s3cr3tValue\n", "config.toml"),
        ] {
            let (_dir, read) = system(text);
            let err = read.unwrap_err().to_string();
            assert!(
                err.contains("config.toml") && err.contains(named),
                "{text}: {err}"
            );
            assert!(!err.contains("s3cr3tValue"), "{err}");
        }
    }
}
