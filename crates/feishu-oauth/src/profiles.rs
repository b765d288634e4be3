//! Profiles: named configurations, each with its own session, side by side.
//!
//! The profile `default` is what a single configuration always was: `config.toml` and the session
//! in the data folder's `session.json`, where an older version reads and writes them, so nothing
//! moves when a version with profiles first starts (no re-login) and a downgrade still finds the
//! default profile as it was (the others it does not know and leaves alone). Every other profile
//! `NAME` has `profiles/NAME.toml` beside `config.toml`, and its session, locks and sandbox grants
//! in `<data folder>/profiles/NAME/`: each profile is stored, locked and refreshed on its own.
//! Which one commands use when none is named is in `active-profile` beside `config.toml`.
//!
//! The system file (see [`crate::managed`]) may define profiles too (`[profiles.NAME]`): they are
//! listed with the user's, their settings the system's under the user's `profiles/NAME.toml`
//! (which need not exist), and they cannot be removed.

use std::{
    fs, io,
    path::{Path, PathBuf},
};

use crate::{
    app_secret,
    config::{Config, ConfigFile},
    error::{Error, Result},
    managed::{Layered, Managed, SystemFile},
};

/// The profile every installation has.
pub const DEFAULT_PROFILE: &str = "default";
/// The environment variable that selects a profile for one command.
pub const PROFILE_ENV: &str = "FEISHU_PROFILE";
/// The longest profile name.
const MAX_NAME_LEN: usize = 40;

/// The profiles of this user: where their settings and sessions live.
#[derive(Debug, Clone)]
pub struct Profiles {
    /// The folder of `config.toml`.
    config_dir: PathBuf,
    /// The system file, if there is one; or why it could not be read (each profile's load says
    /// so, rather than no command running at all).
    system: std::result::Result<Option<SystemFile>, (PathBuf, String)>,
}

fn io_error(path: &Path, e: &io::Error) -> Error {
    Error::ConfigFile {
        path: path.to_owned(),
        reason: e.to_string(),
    }
}

/// Checks a profile name: letters, digits, `-` and `_`, at most 40, so it is a file name anywhere.
pub fn check_name(name: &str) -> Result<()> {
    let fits = !name.is_empty()
        && name.len() <= MAX_NAME_LEN
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if fits {
        Ok(())
    } else {
        Err(Error::config(
            "profile",
            format!("`{name}` is not a profile name: use letters, digits, `-` and `_` (at most {MAX_NAME_LEN})"),
        ))
    }
}

impl Profiles {
    /// The profiles beside the user's `config.toml`.
    pub fn open() -> Result<Self> {
        let config_file = crate::settings::config_path()?;
        let system = match SystemFile::find() {
            Ok(found) => Ok(found),
            Err(Error::ConfigFile { path, reason }) => Err((path, reason)),
            Err(other) => Err((PathBuf::from("/etc/xdg"), other.to_string())),
        };
        if let Err((path, reason)) = &system {
            tracing::warn!(path = %path.display(), %reason, "the system config file could not be read");
        }
        Ok(Self {
            config_dir: config_file
                .parent()
                .map_or_else(|| PathBuf::from("."), Path::to_path_buf),
            system,
        })
    }

    /// Profiles in `config_dir` with `system` as the system file (for tests).
    #[cfg(test)]
    pub(crate) fn at(config_dir: PathBuf, system: Option<SystemFile>) -> Self {
        Self {
            config_dir,
            system: Ok(system),
        }
    }

    /// The folder of `config.toml`, the profiles' settings files and the active profile's name.
    pub fn config_dir(&self) -> &Path {
        &self.config_dir
    }

    /// The system file, if one was found (an error when it could not be read).
    pub fn system(&self) -> Result<Option<&SystemFile>> {
        match &self.system {
            Ok(found) => Ok(found.as_ref()),
            Err((path, reason)) => Err(Error::ConfigFile {
                path: path.clone(),
                reason: reason.clone(),
            }),
        }
    }

    /// What the system file says of profile `name`: its values and locks (none when there is no
    /// system file or it does not name the profile; unreadable: the profile's keys are unlocked).
    pub fn managed(&self, name: &str) -> Option<&Managed> {
        self.system().ok().flatten().and_then(|s| s.section(name))
    }

    /// How profile `name` is named to a person, when the system file gives it a `label`.
    pub fn label(&self, name: &str) -> Option<String> {
        self.managed(name).and_then(|m| m.label.clone())
    }

    /// Whether the system file defines profile `name` (other than `default`).
    pub fn is_managed_profile(&self, name: &str) -> bool {
        name != DEFAULT_PROFILE
            && self
                .system()
                .ok()
                .flatten()
                .is_some_and(|s| s.profiles.contains_key(name))
    }

    /// The settings file of profile `name`.
    pub fn config_file(&self, name: &str) -> PathBuf {
        if name == DEFAULT_PROFILE {
            self.config_dir.join("config.toml")
        } else {
            self.config_dir
                .join("profiles")
                .join(format!("{name}.toml"))
        }
    }

    fn active_file(&self) -> PathBuf {
        self.config_dir.join("active-profile")
    }

    /// Every profile's name, `default` first, then the others in order.
    pub fn names(&self) -> Result<Vec<String>> {
        let dir = self.config_dir.join("profiles");
        let mut names = match fs::read_dir(&dir) {
            Ok(entries) => entries
                .filter_map(|entry| {
                    let name = entry.ok()?.file_name().into_string().ok()?;
                    let stem = name.strip_suffix(".toml")?.to_owned();
                    (check_name(&stem).is_ok() && stem != DEFAULT_PROFILE).then_some(stem)
                })
                .collect(),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Vec::new(),
            Err(e) => return Err(io_error(&dir, &e)),
        };
        if let Ok(Some(system)) = self.system() {
            names.extend(
                system
                    .profiles
                    .keys()
                    .filter(|n| *n != DEFAULT_PROFILE)
                    .cloned(),
            );
        }
        names.sort();
        names.dedup();
        names.insert(0, DEFAULT_PROFILE.to_owned());
        Ok(names)
    }

    /// Whether profile `name` exists.
    pub fn exists(&self, name: &str) -> bool {
        name == DEFAULT_PROFILE || self.is_managed_profile(name) || self.config_file(name).is_file()
    }

    fn known(&self, name: &str) -> Result<()> {
        if self.exists(name) {
            return Ok(());
        }
        Err(Error::UnknownProfile {
            name: name.to_owned(),
            known: self.names()?,
        })
    }

    /// The active profile: the one commands use when none is named. One that no longer exists
    /// (removed by hand) is `default`.
    pub fn active(&self) -> String {
        fs::read_to_string(self.active_file())
            .ok()
            .map(|text| text.trim().to_owned())
            .filter(|name| check_name(name).is_ok() && self.exists(name))
            .unwrap_or_else(|| DEFAULT_PROFILE.to_owned())
    }

    /// Makes `name` the active profile.
    pub fn set_active(&self, name: &str) -> Result<()> {
        self.known(name)?;
        let path = self.active_file();
        crate::fsutil::write_private_atomic(&path, format!("{name}\n").as_bytes())
            .map_err(|e| io_error(&path, &e))
    }

    /// The profile for one command: `flag` (`--profile`), else `FEISHU_PROFILE`, else the active
    /// one. A name that is not a profile is an error listing the ones that are.
    pub fn select(&self, flag: Option<&str>) -> Result<String> {
        let env = std::env::var(PROFILE_ENV)
            .ok()
            .filter(|v| !v.trim().is_empty());
        match flag.map(str::to_owned).or(env) {
            Some(name) => {
                let name = name.trim().to_owned();
                check_name(&name)?;
                self.known(&name)?;
                Ok(name)
            }
            None => Ok(self.active()),
        }
    }

    /// The settings of profile `name`: the system file, its file, then the environment (with the
    /// system file's locks); its session and sandbox grants in its own data folder.
    pub fn load(&self, name: &str) -> Result<Config> {
        Ok(self.layered(name)?.config)
    }

    /// Profile `name`'s settings with where each one comes from (`config show`, the window).
    pub fn layered(&self, name: &str) -> Result<Layered> {
        self.known(name)?;
        let system = self.system()?;
        let user_path = self.config_file(name);
        let user = ConfigFile::read(&user_path)?;
        let mut file = user.clone();
        app_secret::resolve(&mut file, name, self.managed(name))?;
        let (mut config, settings) =
            Layered::load(self.managed(name), &file, crate::config::env_var)?;
        config.data_dir = self.data_dir(&config.data_dir, name);
        name.clone_into(&mut config.profile);
        let app_secret_storage = app_secret::storage_of(&settings, &user);
        config.app_secret_storage = app_secret_storage;
        Ok(Layered {
            config,
            app_secret_storage,
            settings,
            system_path: system.map(|s| s.path.clone()),
            user_path,
        })
    }

    /// Profile `name`'s data folder under the data folder `base`.
    pub fn data_dir(&self, base: &Path, name: &str) -> PathBuf {
        if name == DEFAULT_PROFILE {
            base.to_path_buf()
        } else {
            base.join("profiles").join(name)
        }
    }

    /// Adds profile `name` with `file` as its settings (checked first: it must load).
    pub fn add(&self, name: &str, file: &ConfigFile) -> Result<()> {
        check_name(name)?;
        if self.exists(name) {
            return Err(Error::config(
                "profile",
                format!("a profile `{name}` exists already"),
            ));
        }
        Config::from_sources(file, |var| {
            (var == "FEISHU_SIGNIN_DATA_DIR").then(|| ".".to_owned())
        })?;
        let path = self.config_file(name);
        if let Some(dir) = path.parent() {
            crate::fsutil::ensure_private_dir(dir).map_err(|e| io_error(dir, &e))?;
        }
        let mut file = file.clone();
        app_secret::keep(&mut file, &ConfigFile::default(), name, self.managed(name))?;
        file.write(&path)
    }

    /// Whether profile `name` may be removed: it exists, is not `default`, and the system file
    /// does not define it. Checked before anything is signed out.
    pub fn check_removable(&self, name: &str) -> Result<()> {
        self.known(name)?;
        if name == DEFAULT_PROFILE {
            return Err(Error::config(
                "profile",
                "the default profile cannot be removed (`feishu-auth logout` signs it out)",
            ));
        }
        if self.is_managed_profile(name) {
            return Err(Error::config(
                "profile",
                format!("the profile `{name}` is managed by your organisation (the system config file defines it) and cannot be removed (`feishu-auth --profile {name} logout` signs it out)"),
            ));
        }
        Ok(())
    }

    /// Removes profile `name`'s settings and its data folder (its session is the caller's to sign
    /// out first). `default` cannot be removed: it is where the settings of a single-profile
    /// installation live.
    pub fn remove(&self, name: &str) -> Result<()> {
        self.check_removable(name)?;
        // Not `load`: a profile whose App Secret the keyring no longer holds (or cannot give
        // here) must still be removable.
        let base = crate::config::data_folder(crate::config::env_var("FEISHU_SIGNIN_DATA_DIR"))?;
        let data_dir = self.data_dir(&base, name);
        let was_active = self.active() == name;
        let path = self.config_file(name);
        let settings = ConfigFile::read(&path).unwrap_or_default();
        fs::remove_file(&path).map_err(|e| io_error(&path, &e))?;
        app_secret::forget(&settings, name);
        match fs::remove_dir_all(&data_dir) {
            Ok(()) => {}
            Err(e) if e.kind() == io::ErrorKind::NotFound => {}
            Err(e) => return Err(io_error(&data_dir, &e)),
        }
        // A profile added later under the same name must not become active by surprise.
        if was_active {
            let _ = fs::remove_file(self.active_file());
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn profiles() -> (tempfile::TempDir, Profiles) {
        let dir = tempfile::tempdir().unwrap();
        let profiles = Profiles {
            config_dir: dir.path().join("feishu-signin"),
            system: Ok(None),
        };
        (dir, profiles)
    }

    #[test]
    fn default_is_config_toml_and_always_there() {
        let (_dir, p) = profiles();
        assert_eq!(p.names().unwrap(), ["default"]);
        assert_eq!(p.active(), "default");
        assert!(p
            .config_file("default")
            .ends_with("feishu-signin/config.toml"));
        assert!(p.remove("default").is_err());
    }

    #[test]
    fn add_use_and_remove() {
        let (_dir, p) = profiles();
        let file = ConfigFile {
            brand: Some("lark".into()),
            ..ConfigFile::default()
        };
        p.add("work-2", &file).unwrap();
        assert!(p.add("work-2", &file).is_err(), "no second of a name");
        assert_eq!(p.names().unwrap(), ["default", "work-2"]);
        p.set_active("work-2").unwrap();
        assert_eq!(p.active(), "work-2");
        p.remove("work-2").unwrap();
        assert_eq!(p.active(), "default", "the active one removed");
        assert_eq!(p.names().unwrap(), ["default"]);
        p.add("work-2", &file).unwrap();
        assert_eq!(
            p.active(),
            "default",
            "a new one of the same name is not active"
        );
    }

    #[test]
    fn names_are_checked_and_unknown_ones_listed() {
        let (_dir, p) = profiles();
        for bad in ["", "../x", "a b", "x.toml", &"n".repeat(41)] {
            assert!(check_name(bad).is_err(), "{bad:?}");
        }
        let err = p.set_active("nope").unwrap_err();
        assert!(matches!(err, Error::UnknownProfile { .. }), "{err}");
        assert!(err.to_string().contains("default"), "{err}");
    }

    #[test]
    fn a_profile_whose_app_id_lacks_its_secret_is_refused() {
        let (_dir, p) = profiles();
        let file = ConfigFile {
            app_id: Some("cli_a".into()),
            ..ConfigFile::default()
        };
        assert!(p.add("x", &file).is_err());
        assert!(!p.exists("x"));
    }

    #[test]
    fn a_profile_the_system_file_defines_is_listed_loaded_and_kept() {
        let (dir, mut p) = profiles();
        let system = dir.path().join("system.toml");
        std::fs::write(
            &system,
            "[profiles.work]\napp_id = \"cli_work\"\napp_secret = \"w\"\nlocked = [\"app_id\"]\n",
        )
        .unwrap();
        p.system = Ok(Some(SystemFile::read(&system).unwrap()));
        assert_eq!(p.names().unwrap(), ["default", "work"]);
        assert!(p.exists("work"));
        assert!(p.managed("work").unwrap().is_locked("app_id"));
        assert!(p.add("work", &ConfigFile::default()).is_err());
        let err = p.remove("work").unwrap_err().to_string();
        assert!(err.contains("organisation"), "{err}");
        p.set_active("work").unwrap();
        assert_eq!(p.active(), "work");
    }
}
