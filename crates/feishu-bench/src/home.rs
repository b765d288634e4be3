//! A private home for the programs under test: their own config, data and cache folders in a
//! temporary directory, so a run never reads or touches the user's session, and both apps start
//! from the same state.

use std::{
    path::{Path, PathBuf},
    process::{Command, Stdio},
};

use feishu_oauth::SESSION_FILE_NAME;

/// Temporary XDG folders and a session data directory.
#[derive(Debug)]
pub struct Home {
    dir: tempfile::TempDir,
    /// The session bus its programs get, when not the caller's (a home with no keyring).
    bus: Option<String>,
}

impl Home {
    pub fn new() -> std::io::Result<Self> {
        Ok(Self {
            dir: tempfile::Builder::new().prefix("feishu-bench-").tempdir()?,
            bus: None,
        })
    }

    /// A home whose programs find no session bus, so no keyring: the session is stored unsealed.
    pub fn without_keyring() -> std::io::Result<Self> {
        Ok(Self {
            bus: Some("unix:path=/nonexistent/feishu-bench/bus".to_owned()),
            ..Self::new()?
        })
    }

    /// The folder holding all of this home's folders (`config/`, `share/`, `cache/`, `data/`).
    pub fn root(&self) -> &Path {
        self.dir.path()
    }

    /// `FEISHU_SIGNIN_DATA_DIR`: where the session lives.
    pub fn data_dir(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    /// The shared session file.
    pub fn session_file(&self) -> PathBuf {
        self.data_dir().join(SESSION_FILE_NAME)
    }

    /// `program` with this home's folders and none of the caller's `FEISHU_*` settings, so the
    /// sandbox is used unless the caller sets an App ID on the command. Output is discarded unless
    /// the caller pipes it.
    pub fn command(&self, program: &Path) -> Command {
        let mut cmd = Command::new(program);
        for (name, _) in std::env::vars_os() {
            if name.to_string_lossy().starts_with("FEISHU_") {
                cmd.env_remove(&name);
            }
        }
        cmd.env_remove("RUST_LOG")
            .env("XDG_CONFIG_HOME", self.dir.path().join("config"))
            .env("XDG_DATA_HOME", self.dir.path().join("share"))
            .env("XDG_CACHE_HOME", self.dir.path().join("cache"))
            .env("FEISHU_SIGNIN_DATA_DIR", self.data_dir())
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        if let Some(bus) = &self.bus {
            cmd.env("DBUS_SESSION_BUS_ADDRESS", bus);
        }
        cmd
    }

    /// Signs in to the sandbox with `feishu-auth login`, `feishu-emulator browse` standing in for
    /// the person at the browser, as a user of the sandbox would: the session the apps then show.
    pub fn sign_in_to_sandbox(&self, feishu_auth: &Path, emulator: &Path) -> Result<(), String> {
        let output = self
            .command(feishu_auth)
            .args(["login", "--timeout", "60"])
            .env(
                "FEISHU_SIGNIN_BROWSER",
                format!("{} browse", emulator.display()),
            )
            .stderr(Stdio::piped())
            .output()
            .map_err(|e| format!("{}: {e}", feishu_auth.display()))?;
        if output.status.success() && self.session_file().is_file() {
            Ok(())
        } else {
            Err(format!(
                "feishu-auth login failed ({}): {}",
                output.status,
                String::from_utf8_lossy(&output.stderr).trim()
            ))
        }
    }
}
