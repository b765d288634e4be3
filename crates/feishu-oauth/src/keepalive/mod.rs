//! "Keep me signed in while the app is closed": a systemd user timer per profile that runs
//! `feishu-auth --profile NAME refresh --if-due` twice a day, so a refresh token (7 days) is
//! renewed as long as the machine runs now and then, not only while the app is open. Feishu's
//! forced re-authorization (365 days after the sign-in) still applies; nothing can renew past it.
//!
//! Enabling writes the two units into `$XDG_CONFIG_HOME/systemd/user`, links the timer into
//! `timers.target.wants` (what `systemctl --user enable` does for `WantedBy=timers.target`), and
//! then, when the user's systemd instance is reachable, reloads it and starts the timer. Without
//! one (a container, a login without systemd) the timer is enabled for the next session and the
//! outcome says so.

mod systemctl;
mod units;

use std::{
    fs, io,
    path::{Path, PathBuf},
};

use serde::Serialize;
use time::OffsetDateTime;

pub use units::NEXT_RUN_IN_SECONDS;

/// A keepalive that could not be set up or removed.
#[derive(Debug, thiserror::Error)]
pub enum KeepaliveError {
    /// No folder is known for the user's configuration (no `$HOME`).
    #[error("no configuration folder is known for this user (set XDG_CONFIG_HOME or HOME)")]
    NoConfigDir,
    /// `feishu-auth`, which the timer runs, was not found.
    #[error("the keepalive runs feishu-auth, which is neither beside this program nor on PATH: install the package")]
    ProgramNotFound,
    /// A unit file or link could not be written or removed.
    #[error("{path}: {source}")]
    File {
        /// The file.
        path: PathBuf,
        /// Why.
        source: io::Error,
    },
}

/// One profile's keepalive.
#[derive(Debug, Clone)]
pub struct Keepalive {
    profile: String,
    unit_dir: PathBuf,
}

/// What enabling did.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Enabled {
    /// The timer unit's name.
    pub timer: String,
    /// The unit files' folder.
    pub unit_dir: PathBuf,
    /// Whether the user's systemd started the timer now; when it could not be reached the timer
    /// starts at the next login, and `not_started` says why.
    pub started: bool,
    /// Why it was not started now.
    pub not_started: Option<String>,
}

/// Where a profile's keepalive stands.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct KeepaliveStatus {
    /// The profile.
    pub profile: String,
    /// Whether the units are in place and the timer is wanted by `timers.target`.
    pub enabled: bool,
    /// The timer unit's name.
    pub timer: String,
    /// The unit files' folder.
    pub unit_dir: PathBuf,
    /// The program the service runs, as written in the unit.
    pub program: Option<String>,
    /// Whether that program still exists (an uninstalled or moved `feishu-auth` breaks the timer).
    pub program_found: bool,
    /// Whether the timer is active in the user's systemd now.
    pub active: Option<bool>,
    /// When it runs next.
    #[serde(with = "time::serde::rfc3339::option")]
    pub next_run: Option<OffsetDateTime>,
    /// When it last ran.
    #[serde(with = "time::serde::rfc3339::option")]
    pub last_run: Option<OffsetDateTime>,
    /// How the last run ended (`success`, `exit-code`, …).
    pub last_result: Option<String>,
    /// The last run's exit status (`feishu-auth`'s: 3 means the session could not be renewed).
    pub last_exit_status: Option<i32>,
    /// Why systemd could not be asked, when it could not.
    pub systemd_unreachable: Option<String>,
    /// Whether the user's systemd runs without a login (`loginctl enable-linger`); without it the
    /// timer runs only while the user is logged in.
    pub lingering: bool,
}

impl Keepalive {
    /// The keepalive of `profile`, with units under the user's configuration folder.
    pub fn for_profile(profile: &str) -> Result<Self, KeepaliveError> {
        let config_home = dirs::config_dir().ok_or(KeepaliveError::NoConfigDir)?;
        Ok(Self::in_config_home(profile, &config_home))
    }

    /// The keepalive of `profile`, with units under `config_home`.
    pub fn in_config_home(profile: &str, config_home: &Path) -> Self {
        Self {
            profile: profile.to_owned(),
            unit_dir: units::unit_dir(config_home),
        }
    }

    fn name(&self) -> String {
        units::unit_name(&self.profile)
    }

    fn service_path(&self) -> PathBuf {
        self.unit_dir.join(format!("{}.service", self.name()))
    }

    fn timer_path(&self) -> PathBuf {
        self.unit_dir.join(format!("{}.timer", self.name()))
    }

    fn wants_link(&self) -> PathBuf {
        self.unit_dir
            .join("timers.target.wants")
            .join(format!("{}.timer", self.name()))
    }

    /// The `feishu-auth` the timer should run: this program when it is `feishu-auth`, else the
    /// one beside it or on `PATH`.
    pub fn program() -> Result<PathBuf, KeepaliveError> {
        let exe = std::env::current_exe().ok();
        match exe {
            Some(exe) if exe.file_name().is_some_and(|n| n == "feishu-auth") => Ok(exe),
            _ => crate::program::find_program("feishu-auth").ok_or(KeepaliveError::ProgramNotFound),
        }
    }

    /// Writes the units running `program`, with the folders of this process's environment
    /// passed on, enables the timer and starts it when systemd is reachable. Enabling again
    /// rewrites the units (a moved program, a changed folder) and restarts the timer.
    pub fn enable(&self, program: &Path) -> Result<Enabled, KeepaliveError> {
        let env = units::environment(|name| std::env::var(name).ok());
        let (service, timer) = units::render(&self.profile, program, &env);
        write_unit(&self.service_path(), &service)?;
        write_unit(&self.timer_path(), &timer)?;
        let link = self.wants_link();
        let file_error = |source| KeepaliveError::File {
            path: link.clone(),
            source,
        };
        fs::create_dir_all(link.parent().unwrap_or(&self.unit_dir)).map_err(file_error)?;
        match fs::remove_file(&link) {
            Err(e) if e.kind() != io::ErrorKind::NotFound => return Err(file_error(e)),
            _ => {}
        }
        std::os::unix::fs::symlink(self.timer_path(), &link).map_err(file_error)?;

        let timer_unit = format!("{}.timer", self.name());
        let started = systemctl::run(&["daemon-reload"])
            .and_then(|_| self.ours_in_systemd())
            .and_then(|()| systemctl::run(&["restart", &timer_unit]));
        tracing::info!(profile = %self.profile, started = started.is_ok(), "keepalive enabled");
        Ok(Enabled {
            timer: timer_unit,
            unit_dir: self.unit_dir.clone(),
            started: started.is_ok(),
            not_started: started.err(),
        })
    }

    /// Stops the timer (when systemd is reachable) and removes the units and the link. Whether
    /// anything was there.
    pub fn disable(&self) -> Result<bool, KeepaliveError> {
        let timer_unit = format!("{}.timer", self.name());
        let reachable = self
            .ours_in_systemd()
            .and_then(|()| systemctl::run(&["stop", &timer_unit]))
            .is_ok();
        let mut removed = false;
        for path in [self.wants_link(), self.timer_path(), self.service_path()] {
            match fs::remove_file(&path) {
                Ok(()) => removed = true,
                Err(e) if e.kind() == io::ErrorKind::NotFound => {}
                Err(source) => return Err(KeepaliveError::File { path, source }),
            }
        }
        if reachable {
            let _ = systemctl::run(&["daemon-reload"]);
        }
        tracing::info!(profile = %self.profile, removed, "keepalive disabled");
        Ok(removed)
    }

    /// Ok when the user's systemd loads this timer from this folder: a systemd whose
    /// `XDG_CONFIG_HOME` differs (a test's, a second configuration) has another unit of that name
    /// or none, and must not be started or stopped on this one's behalf.
    fn ours_in_systemd(&self) -> Result<(), String> {
        let timer_unit = format!("{}.timer", self.name());
        let shown = systemctl::run(&["show", "-p", "FragmentPath", &timer_unit])?;
        let fragment = shown.trim().strip_prefix("FragmentPath=").unwrap_or("");
        if Path::new(fragment) == self.timer_path() {
            Ok(())
        } else {
            Err(format!(
                "the user's systemd does not read its units from {} (its XDG_CONFIG_HOME differs)",
                self.unit_dir.display()
            ))
        }
    }

    /// Whether the units are in place (no systemd needed: the window asks this on every view).
    pub fn is_enabled(&self) -> bool {
        self.service_path().is_file() && self.timer_path().is_file() && self.wants_link().exists()
    }

    /// Where the keepalive stands, asking the user's systemd when it is reachable.
    pub fn status(&self) -> KeepaliveStatus {
        let program = fs::read_to_string(self.service_path())
            .ok()
            .and_then(|text| exec_program(&text));
        let program_found = program.as_deref().is_some_and(|p| Path::new(p).is_file());
        let enabled = self.is_enabled();
        let shown = if enabled {
            systemctl::show(&self.name()).map(Some)
        } else {
            Ok(None)
        };
        let (shown, unreachable) = match shown {
            Ok(shown) => (shown, None),
            Err(why) => (None, Some(why)),
        };
        KeepaliveStatus {
            profile: self.profile.clone(),
            enabled,
            timer: format!("{}.timer", self.name()),
            unit_dir: self.unit_dir.clone(),
            program,
            program_found,
            active: shown.as_ref().map(|s| s.timer_state == "active"),
            next_run: shown.as_ref().and_then(|s| s.next_run),
            last_run: shown.as_ref().and_then(|s| s.last_run),
            last_result: shown.as_ref().and_then(|s| s.last_result.clone()),
            last_exit_status: shown.as_ref().and_then(|s| s.last_exit_status),
            systemd_unreachable: unreachable,
            lingering: lingering(),
        }
    }
}

/// The program of the unit's `ExecStart=` line (as written: quoted when it has a space).
fn exec_program(service: &str) -> Option<String> {
    let line = service.lines().find_map(|l| l.strip_prefix("ExecStart="))?;
    let program = match line.strip_prefix('"') {
        Some(rest) => rest.split('"').next()?.replace("\\\\", "\\"),
        None => line.split_whitespace().next()?.to_owned(),
    };
    Some(program.replace("%%", "%"))
}

/// Whether logind keeps this user's systemd running without a login.
fn lingering() -> bool {
    let user = std::env::var("USER").or_else(|_| std::env::var("LOGNAME"));
    user.is_ok_and(|u| Path::new("/var/lib/systemd/linger").join(u).exists())
}

/// Writes a unit file whole (temporary file, rename): systemd must never read half a unit.
fn write_unit(path: &Path, text: &str) -> Result<(), KeepaliveError> {
    let error = |source| KeepaliveError::File {
        path: path.to_owned(),
        source,
    };
    let dir = path.parent().unwrap_or(Path::new("."));
    fs::create_dir_all(dir).map_err(error)?;
    let tmp = dir.join(format!(
        ".{}.{}.tmp",
        path.file_name().unwrap_or_default().to_string_lossy(),
        std::process::id()
    ));
    fs::write(&tmp, text)
        .and_then(|()| fs::rename(&tmp, path))
        .map_err(|e| {
            let _ = fs::remove_file(&tmp);
            error(e)
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn enabling_writes_both_units_and_the_wants_link_and_disabling_removes_them() {
        let home = tempfile::tempdir().unwrap();
        let k = Keepalive::in_config_home("work", home.path());
        assert!(!k.is_enabled());
        let enabled = k.enable(Path::new("/opt/My Apps/feishu-auth")).unwrap();
        assert_eq!(enabled.timer, "feishu-signin-keepalive-work.timer");
        assert!(k.is_enabled());
        let link = fs::read_link(k.wants_link()).unwrap();
        assert_eq!(link, k.timer_path());
        let status = k.status();
        assert!(status.enabled);
        assert_eq!(status.program.as_deref(), Some("/opt/My Apps/feishu-auth"));
        assert!(!status.program_found);

        assert!(k.disable().unwrap());
        assert!(!k.is_enabled());
        assert!(!k.disable().unwrap(), "nothing left to remove");
        let left: Vec<_> = walk(home.path());
        assert!(left.iter().all(|p| p.is_dir()), "{left:?}");
    }

    fn walk(dir: &Path) -> Vec<PathBuf> {
        let mut out = Vec::new();
        for entry in fs::read_dir(dir).unwrap().flatten() {
            let p = entry.path();
            if p.is_dir() {
                out.extend(walk(&p));
            }
            out.push(p);
        }
        out
    }
}
