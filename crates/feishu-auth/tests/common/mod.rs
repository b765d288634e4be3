//! Shared set-up for the CLI's tests: an emulator, a data folder, and `feishu-auth` run against
//! them with `feishu-emulator browse` standing in for the person in the browser.

#![allow(
    dead_code,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::print_stderr
)]

use std::{
    net::TcpListener,
    path::{Path, PathBuf},
    process::Output,
    time::Duration,
};

use feishu_emulator::{Emulator, EmulatorBuilder};

pub const CLI: &str = env!("CARGO_BIN_EXE_feishu-auth");

/// The emulator's binary sits beside this package's in the target directory.
pub fn emulator_bin() -> PathBuf {
    let path = Path::new(CLI).with_file_name("feishu-emulator");
    assert!(
        path.exists(),
        "{} is missing: run `cargo build --workspace` (the README's test command does)",
        path.display()
    );
    path
}

pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A session bus address where nothing listens: no keyring, so the session is stored in its
/// 0600 file, whatever the machine running the tests has.
pub const NO_BUS: &str = "unix:path=/nonexistent/feishu-signin-tests/bus";

pub struct Harness {
    pub emulator: Emulator,
    pub dir: tempfile::TempDir,
    pub redirect_uri: String,
    pub browser: String,
    pub secret: String,
    /// The session bus `feishu-auth` is given: [`NO_BUS`] unless a test gives it a keyring.
    pub bus: String,
}

impl Harness {
    pub async fn new(customize: impl FnOnce(EmulatorBuilder) -> EmulatorBuilder) -> Self {
        let redirect_uri = format!("http://127.0.0.1:{}/callback", free_port());
        let emulator = customize(Emulator::builder().redirect_uri(redirect_uri.clone()))
            .start()
            .await
            .unwrap();
        let secret = emulator.app_secret().to_owned();
        Self {
            emulator,
            dir: tempfile::tempdir().unwrap(),
            redirect_uri,
            browser: format!("{} browse", emulator_bin().display()),
            secret,
            bus: NO_BUS.to_owned(),
        }
    }

    /// `feishu-auth` is run with `keyring` on its session bus.
    pub fn use_keyring(&mut self, keyring: &feishu_oauth::test_support::TestKeyring) {
        keyring.address().clone_into(&mut self.bus);
    }

    /// The session file of the default profile.
    pub fn session_file(&self) -> PathBuf {
        self.dir.path().join("data").join("session.json")
    }

    pub fn command(&self, args: &[&str]) -> tokio::process::Command {
        let base = self.emulator.base_url().to_string();
        let mut cmd = tokio::process::Command::new(CLI);
        cmd.args(args)
            .env_remove("RUST_LOG")
            .env("XDG_CONFIG_HOME", self.dir.path().join("config"))
            .env("FEISHU_SIGNIN_DATA_DIR", self.dir.path().join("data"))
            .env("FEISHU_APP_ID", self.emulator.app_id())
            .env("FEISHU_APP_SECRET", &self.secret)
            .env("FEISHU_BRAND", "feishu")
            .env("FEISHU_ACCOUNTS_URL", &base)
            .env("FEISHU_OPEN_URL", &base)
            .env("FEISHU_REDIRECT_URI", &self.redirect_uri)
            .env(
                "FEISHU_SCOPES",
                "offline_access contact:user.email:readonly",
            )
            .env("FEISHU_SIGNIN_BROWSER", &self.browser)
            .env("DBUS_SESSION_BUS_ADDRESS", &self.bus)
            .env_remove("FEISHU_SIGNIN_STORAGE")
            .kill_on_drop(true);
        cmd
    }

    /// `feishu-auth` with nothing configured by the environment: the profiles' own files say
    /// which app each one is.
    pub fn bare_command(&self, args: &[&str]) -> tokio::process::Command {
        let mut cmd = tokio::process::Command::new(CLI);
        cmd.args(args)
            .env_remove("RUST_LOG")
            .env("XDG_CONFIG_HOME", self.dir.path().join("config"))
            .env("FEISHU_SIGNIN_DATA_DIR", self.dir.path().join("data"))
            .env("FEISHU_SIGNIN_BROWSER", &self.browser)
            .env("DBUS_SESSION_BUS_ADDRESS", &self.bus)
            .kill_on_drop(true);
        for var in [
            "FEISHU_SIGNIN_STORAGE",
            "FEISHU_APP_ID",
            "FEISHU_APP_SECRET",
            "FEISHU_BRAND",
            "FEISHU_ACCOUNTS_URL",
            "FEISHU_OPEN_URL",
            "FEISHU_REDIRECT_URI",
            "FEISHU_SCOPES",
            "FEISHU_PROFILE",
        ] {
            cmd.env_remove(var);
        }
        cmd
    }

    pub async fn run(&self, args: &[&str]) -> Output {
        output(self.command(args), args, "").await
    }

    /// `feishu-auth` as [`Self::bare_command`] makes it, with `env` added and `stdin` written to
    /// it.
    pub async fn run_bare(&self, args: &[&str], stdin: &str, env: &[(&str, &str)]) -> Output {
        let mut cmd = self.bare_command(args);
        cmd.envs(env.iter().copied());
        output(cmd, args, stdin).await
    }

    /// `profile add NAME` in this harness's folders for `app`'s emulator (brand `brand`), the App
    /// Secret on standard input as a person would give it.
    pub async fn add_profile(&self, name: &str, app: &Harness, brand: &str) -> Output {
        let base = app.emulator.base_url().to_string();
        let args = [
            "profile",
            "add",
            name,
            "--brand",
            brand,
            "--app-id",
            app.emulator.app_id(),
            "--redirect-uri",
            &app.redirect_uri,
            "--accounts-url",
            &base,
            "--open-url",
            &base,
            "--scope",
            "offline_access",
        ];
        self.run_bare(&args, &format!("{}\n", app.secret), &[])
            .await
    }

    pub async fn status(&self) -> serde_json::Value {
        let out = self.run(&["status", "--json"]).await;
        assert!(out.status.success());
        serde_json::from_slice(&out.stdout).unwrap()
    }
}

/// Runs `cmd` (`feishu-auth args`) to its end, at most a minute, with `stdin` written to it, and
/// logs what it printed.
pub async fn output(mut cmd: tokio::process::Command, args: &[&str], stdin: &str) -> Output {
    use tokio::io::AsyncWriteExt as _;
    cmd.stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    let mut child = cmd.spawn().unwrap();
    let mut input = child.stdin.take().unwrap();
    // A command that reads nothing may have exited already: its stdin is then a closed pipe.
    let _ = input.write_all(stdin.as_bytes()).await;
    drop(input);
    let out = tokio::time::timeout(Duration::from_secs(60), child.wait_with_output())
        .await
        .expect("feishu-auth hung")
        .unwrap();
    eprintln!(
        "$ feishu-auth {}\n  exit {:?}\n  stdout: {}\n  stderr: {}",
        args.join(" "),
        out.status.code(),
        text(&out.stdout),
        text(&out.stderr)
    );
    out
}

pub fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}
