//! The end-to-end tests' harness, shared by tests/e2e.rs and tests/e2e_a11y.rs: the real app under
//! tauri-driver (WebKitWebDriver) with its own config and data folders, and the ways the tests
//! drive it.

#![allow(
    dead_code,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::print_stderr
)]

use std::{
    path::{Path, PathBuf},
    process::Stdio,
    time::Duration,
};

use fantoccini::{Client, ClientBuilder, Locator};

/// The app under test: this build's, or `FEISHU_SIGNIN_E2E_APP` (scripts/test.sh sets it to the
/// release build, whose UI is the one bundled script that releases ship).
pub fn app() -> PathBuf {
    std::env::var_os("FEISHU_SIGNIN_E2E_APP").map_or_else(
        || PathBuf::from(env!("CARGO_BIN_EXE_feishu-signin")),
        |app| {
            std::fs::canonicalize(&app).unwrap_or_else(|e| {
                panic!("FEISHU_SIGNIN_E2E_APP={}: {e}", Path::new(&app).display())
            })
        },
    )
}
/// Registers the app as the handler of its deep-link scheme in the test's own XDG folders, as
/// the package does system-wide: a desktop file whose `Exec` runs the app with the link (`%u`),
/// made the scheme's default.
fn register_deep_link(dir: &Path) {
    let applications = dir.join("share/applications");
    std::fs::create_dir_all(&applications).unwrap();
    std::fs::write(
        applications.join("feishu-signin.desktop"),
        format!(
            "[Desktop Entry]\nType=Application\nName=Feishu Sign-in\nExec={} %u\nMimeType=x-scheme-handler/{};\n",
            app().display(),
            feishu_oauth::DEEP_LINK_SCHEME
        ),
    )
    .unwrap();
    std::fs::create_dir_all(dir.join("config")).unwrap();
    std::fs::write(
        dir.join("config/mimeapps.list"),
        format!(
            "[Default Applications]\nx-scheme-handler/{}=feishu-signin.desktop\n",
            feishu_oauth::DEEP_LINK_SCHEME
        ),
    )
    .unwrap();
}

/// One app at a time: they share the single-instance D-Bus name.
pub static ONE_AT_A_TIME: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

pub fn enabled() -> bool {
    let on = std::env::var_os("FEISHU_SIGNIN_E2E").is_some();
    if !on {
        eprintln!("end-to-end tests need FEISHU_SIGNIN_E2E=1, a display and a session bus: run scripts/test.sh");
    }
    on
}

/// The emulator that plays the browser: the one built beside the app under test, or, for an
/// installed app (`/usr/bin/feishu-signin`, which the package ships without it), this build's.
pub fn emulator_bin() -> PathBuf {
    let beside_app = app().with_file_name("feishu-emulator");
    let bin = if beside_app.exists() {
        beside_app
    } else {
        PathBuf::from(env!("CARGO_BIN_EXE_feishu-signin")).with_file_name("feishu-emulator")
    };
    assert!(
        bin.exists(),
        "{} is missing: run `cargo build --workspace` first",
        bin.display()
    );
    bin
}

/// The environment that makes `emulator`'s app the configured one, with `redirect` its registered
/// redirect URI (as a company's own app would be set up).
pub fn app_env(
    emulator: &feishu_emulator::Emulator,
    redirect: &str,
) -> Vec<(&'static str, String)> {
    let base = emulator.base_url().to_string();
    vec![
        ("FEISHU_APP_ID", emulator.app_id().to_owned()),
        ("FEISHU_APP_SECRET", emulator.app_secret().to_owned()),
        ("FEISHU_ACCOUNTS_URL", base.clone()),
        ("FEISHU_OPEN_URL", base),
        ("FEISHU_REDIRECT_URI", redirect.to_owned()),
    ]
}

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// The app under tauri-driver, with its own config and data folders.
pub struct App {
    pub client: Client,
    driver: tokio::process::Child,
    dir: tempfile::TempDir,
}

impl App {
    /// The folder the app's XDG folders and data are in (`config/`, `share/`, `data/`).
    pub fn dir(&self) -> &std::path::Path {
        self.dir.path()
    }

    pub async fn launch(extra_env: &[(&str, String)]) -> Self {
        let dir = tempfile::tempdir().unwrap();
        register_deep_link(dir.path());
        let port = free_port();
        let mut driver = tokio::process::Command::new("tauri-driver");
        driver
            .args([
                "--port",
                &port.to_string(),
                "--native-port",
                &free_port().to_string(),
            ])
            .env("XDG_CONFIG_HOME", dir.path().join("config"))
            .env("XDG_DATA_HOME", dir.path().join("share"))
            .env("FEISHU_SIGNIN_DATA_DIR", dir.path().join("data"))
            .env(
                "FEISHU_REDIRECT_URI",
                format!("http://127.0.0.1:{}/callback", free_port()),
            )
            .env(
                "FEISHU_SIGNIN_BROWSER",
                format!("{} browse --delay-ms 300", emulator_bin().display()),
            )
            .env("FEISHU_EMULATOR_DEEP_LINK_HANDLER", app())
            // The demo, chosen as the README's first command chooses it; a test of the first run
            // sets it empty.
            .env("FEISHU_SIGNIN_DEMO", "1")
            .env("RUST_LOG", "info")
            .env_remove("FEISHU_APP_ID")
            .env_remove("FEISHU_APP_SECRET")
            .env_remove("FEISHU_ACCOUNTS_URL")
            .env_remove("FEISHU_OPEN_URL")
            .env_remove("FEISHU_SCOPES")
            .stdout(Stdio::null())
            .kill_on_drop(true)
            // Its own process group, so a test that fails takes the driver, WebKitWebDriver and
            // the app down together (see `Drop`): an app left running would keep the
            // single-instance name, and the next test's app would hand itself over to it.
            .process_group(0);
        for (k, v) in extra_env {
            driver.env(k, v);
        }
        let driver = driver
            .spawn()
            .expect("tauri-driver is on PATH (cargo install tauri-driver --locked)");
        let url = format!("http://127.0.0.1:{port}");
        let mut caps = serde_json::Map::new();
        caps.insert(
            "tauri:options".into(),
            serde_json::json!({ "application": app() }),
        );
        caps.insert("browserName".into(), "wry".into());
        let mut last = None;
        for _ in 0..100 {
            let mut builder = ClientBuilder::native();
            builder.capabilities(caps.clone());
            match tokio::time::timeout(Duration::from_secs(60), builder.connect(&url))
                .await
                .expect("the WebDriver session started within a minute")
            {
                Ok(client) => {
                    let app = Self {
                        client,
                        driver,
                        dir,
                    };
                    app.wait_for("body[data-state]").await;
                    return app;
                }
                Err(e) => last = Some(e),
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        panic!("could not start a WebDriver session: {last:?}");
    }

    /// Waits until `css` matches an element.
    pub async fn wait_for(&self, css: &str) {
        self.client
            .wait()
            .at_most(Duration::from_secs(30))
            .for_element(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("never found {css}: {e}"));
    }

    /// Whether `css` matches an element that is shown (not `hidden`, nor inside one).
    pub async fn shown(&self, css: &str) -> bool {
        let script = format!(
            "const e = document.querySelector({}); return Boolean(e && !e.closest('[hidden]'));",
            serde_json::to_string(css).unwrap()
        );
        self.client.execute(&script, vec![]).await.unwrap() == serde_json::json!(true)
    }

    pub async fn wait_state(&self, state: &str) {
        let css = format!("body[data-state='{state}']");
        self.client
            .wait()
            .at_most(Duration::from_secs(30))
            .for_element(Locator::Css(&css))
            .await
            .unwrap_or_else(|e| panic!("the window never reached {state}: {e}"));
    }

    /// Clicks the element `css` matches. The window re-renders lists (the switcher, the scopes)
    /// whenever an answer or an event arrives, so an element found a moment ago may have been
    /// replaced: it is then found again, a few times at most.
    pub async fn click(&self, css: &str) {
        let mut attempt = 0;
        loop {
            let element = self
                .client
                .wait()
                .at_most(Duration::from_secs(10))
                .for_element(Locator::Css(css))
                .await
                .unwrap();
            // To the middle of the window first: WebDriver scrolls an element only to an edge,
            // where the sticky header may cover it.
            let scrolled = self
                .client
                .execute(
                    "arguments[0].scrollIntoView({ block: 'center' })",
                    vec![serde_json::to_value(&element).unwrap()],
                )
                .await;
            let clicked = match scrolled {
                Ok(_scrolled) => element.click().await.map(|_clicked| ()),
                Err(e) => Err(e),
            };
            match clicked {
                Ok(()) => return,
                Err(e) if attempt < 5 && format!("{e:?}").contains("StaleElementReference") => {
                    attempt += 1;
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
                Err(e) => panic!("click {css}: {e:?}"),
            }
        }
    }

    pub async fn text(&self, css: &str) -> String {
        self.client
            .find(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("{css}: {e}"))
            .text()
            .await
            .unwrap()
    }

    pub async fn texts(&self, css: &str) -> Vec<String> {
        let mut out = Vec::new();
        for element in self.client.find_all(Locator::Css(css)).await.unwrap() {
            out.push(element.text().await.unwrap());
        }
        out
    }

    /// Waits until the switcher shows profile `name`.
    pub async fn wait_profile(&self, name: &str) {
        self.client
            .wait()
            .at_most(Duration::from_secs(10))
            .for_element(Locator::XPath(&format!(
                "//span[@id='profile-button-label' and normalize-space()='{name}']"
            )))
            .await
            .unwrap_or_else(|e| panic!("the switcher never showed {name}: {e}"));
    }

    /// A screenshot of the window, kept in `FEISHU_SIGNIN_E2E_SHOTS` when that names a folder:
    /// for a person to look at what the test saw.
    pub async fn shoot(&self, name: &str) {
        let Some(dir) = std::env::var_os("FEISHU_SIGNIN_E2E_SHOTS") else {
            return;
        };
        let dir = PathBuf::from(dir);
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join(format!("{name}.png"));
        // The X screen, trimmed to the window (ImageMagick's `import`), not WebKitWebDriver's
        // screenshot: that one waits for a rendering update which an idle view may never make,
        // and every later command of the session waits behind it.
        tokio::time::sleep(Duration::from_millis(500)).await;
        let taken = tokio::process::Command::new("import")
            .args(["-window", "root", "-trim", "+repage"])
            .arg(&path)
            .status()
            .await;
        assert!(
            taken.is_ok_and(|s| s.success()),
            "the screenshot {name} could not be taken (is ImageMagick installed?)"
        );
    }

    pub async fn close(mut self) {
        let _ = self.client.clone().close().await;
        let _ = self.driver.kill().await;
    }
}

impl Drop for App {
    /// Ends the driver's process group and every process of this test's app (found by the data
    /// folder in its environment: WebKitWebDriver starts the app outside the group), also when a
    /// test panics.
    fn drop(&mut self) {
        if let Some(pid) = self.driver.id() {
            let _ = std::process::Command::new("kill")
                .args(["-KILL", "--", &format!("-{pid}")])
                .status();
        }
        let marker = format!(
            "FEISHU_SIGNIN_DATA_DIR={}",
            self.dir.path().join("data").display()
        );
        let Ok(processes) = std::fs::read_dir("/proc") else {
            return;
        };
        for process in processes.flatten() {
            let Ok(environ) = std::fs::read(process.path().join("environ")) else {
                continue;
            };
            if environ
                .split(|b| *b == 0)
                .any(|var| var == marker.as_bytes())
            {
                let _ = std::process::Command::new("kill")
                    .args(["-KILL", &process.file_name().to_string_lossy()])
                    .status();
            }
        }
    }
}
