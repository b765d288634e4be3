//! End to end: the real app in a real window (under Xvfb and a D-Bus session), driven through
//! WebDriver (tauri-driver + WebKitWebDriver), in the sandbox, with `feishu-emulator browse` as the
//! person in the browser.
//!
//! Needs a display, a session bus, `tauri-driver` and `WebKitWebDriver`: `scripts/test.sh` (the
//! README's test command) provides them and sets `FEISHU_SIGNIN_E2E=1`. Without that variable
//! these tests say so and do nothing, so a plain `cargo test` on a headless machine stays usable.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stderr)]

use std::{
    path::{Path, PathBuf},
    process::Stdio,
    time::Duration,
};

use fantoccini::{Client, ClientBuilder, Locator};
use feishu_emulator::{Emulator, Endpoint};

/// The app under test: this build's, or `FEISHU_SIGNIN_E2E_APP` (scripts/test.sh sets it to the
/// release build, whose UI is the one bundled script that releases ship).
fn app() -> PathBuf {
    std::env::var_os("FEISHU_SIGNIN_E2E_APP").map_or_else(
        || PathBuf::from(env!("CARGO_BIN_EXE_feishu-signin")),
        |app| {
            std::fs::canonicalize(&app).unwrap_or_else(|e| {
                panic!("FEISHU_SIGNIN_E2E_APP={}: {e}", Path::new(&app).display())
            })
        },
    )
}
/// One app at a time: they share the single-instance D-Bus name.
static ONE_AT_A_TIME: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

fn enabled() -> bool {
    let on = std::env::var_os("FEISHU_SIGNIN_E2E").is_some();
    if !on {
        eprintln!("end-to-end tests need FEISHU_SIGNIN_E2E=1, a display and a session bus: run scripts/test.sh");
    }
    on
}

fn emulator_bin() -> PathBuf {
    let bin = app().with_file_name("feishu-emulator");
    assert!(
        bin.exists(),
        "{} is missing: run `cargo build --workspace` first",
        bin.display()
    );
    bin
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// The app under tauri-driver, with its own config and data folders.
struct App {
    client: Client,
    driver: tokio::process::Child,
    _dir: tempfile::TempDir,
}

impl App {
    async fn launch(extra_env: &[(&str, String)]) -> Self {
        let dir = tempfile::tempdir().unwrap();
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
            .env("RUST_LOG", "info")
            .env_remove("FEISHU_APP_ID")
            .env_remove("FEISHU_APP_SECRET")
            .env_remove("FEISHU_ACCOUNTS_URL")
            .env_remove("FEISHU_OPEN_URL")
            .env_remove("FEISHU_SCOPES")
            .stdout(Stdio::null())
            .kill_on_drop(true);
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
            match ClientBuilder::native()
                .capabilities(caps.clone())
                .connect(&url)
                .await
            {
                Ok(client) => {
                    let app = Self {
                        client,
                        driver,
                        _dir: dir,
                    };
                    app.wait_state("signed-out").await;
                    return app;
                }
                Err(e) => last = Some(e),
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        panic!("could not start a WebDriver session: {last:?}");
    }

    async fn wait_state(&self, state: &str) {
        let css = format!("body[data-state='{state}']");
        self.client
            .wait()
            .at_most(Duration::from_secs(30))
            .for_element(Locator::Css(&css))
            .await
            .unwrap_or_else(|e| panic!("the window never reached {state}: {e}"));
    }

    async fn click(&self, css: &str) {
        let element = self
            .client
            .wait()
            .at_most(Duration::from_secs(10))
            .for_element(Locator::Css(css))
            .await
            .unwrap();
        element
            .click()
            .await
            .unwrap_or_else(|e| panic!("click {css}: {e}"));
    }

    async fn text(&self, css: &str) -> String {
        self.client
            .find(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("{css}: {e}"))
            .text()
            .await
            .unwrap()
    }

    async fn texts(&self, css: &str) -> Vec<String> {
        let mut out = Vec::new();
        for element in self.client.find_all(Locator::Css(css)).await.unwrap() {
            out.push(element.text().await.unwrap());
        }
        out
    }

    /// Waits until the switcher shows profile `name`.
    async fn wait_profile(&self, name: &str) {
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
    async fn shoot(&self, name: &str) {
        let Some(dir) = std::env::var_os("FEISHU_SIGNIN_E2E_SHOTS") else {
            return;
        };
        let png = self.client.screenshot().await.unwrap();
        let dir = PathBuf::from(dir);
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join(format!("{name}.png")), png).unwrap();
    }

    async fn close(mut self) {
        let _ = self.client.close().await;
        let _ = self.driver.kill().await;
    }
}

#[tokio::test]
async fn sign_in_refresh_and_sign_out_in_the_window() {
    if !enabled() {
        return;
    }
    let _one = ONE_AT_A_TIME.lock().await;
    let app = App::launch(&[]).await;
    assert!(
        app.client
            .find(Locator::Css("#sandbox-badge"))
            .await
            .is_ok(),
        "the sandbox badge is shown"
    );

    app.click("#sign-in").await;
    app.wait_state("signed-in").await;
    assert_eq!(app.text("#profile-name").await, "张三");
    assert!(app
        .texts("#scopes li")
        .await
        .iter()
        .any(|s| s.contains("offline_access")));
    let access = app.text("#access-expires").await;
    let refresh = app.text("#refresh-expires").await;
    assert!(
        !access.trim().is_empty() && !refresh.trim().is_empty(),
        "both expiries shown: {access:?} {refresh:?}"
    );
    assert!(
        app.text("#token-status")
            .await
            .to_lowercase()
            .contains("valid")
            || app.text("#token-status").await.contains("有效")
    );

    app.click("#refresh").await;
    app.client
        .wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::Css("#activity [data-kind='refreshed']"))
        .await
        .expect("the refresh shows in the activity list");
    // Activity arrives as kinds with parameters; the window words them, in either language.
    let signed_in = "#activity [data-kind='signedIn'] .activity-message";
    assert!(
        app.text(signed_in).await.contains("Signed in as 张三"),
        "{}",
        app.text(signed_in).await
    );
    app.shoot("signed-in-en").await;
    app.client
        .execute(
            "document.getElementById('activity-card').scrollIntoView()",
            vec![],
        )
        .await
        .unwrap();
    app.shoot("activity-en").await;
    app.click("#lang-toggle").await;
    assert!(
        app.text(signed_in).await.contains("已以 张三 身份登录"),
        "{}",
        app.text(signed_in).await
    );
    app.shoot("signed-in-zh").await;
    app.click("#lang-toggle").await;

    app.click("#sign-out").await;
    app.wait_state("signed-out").await;
    app.close().await;
}

#[tokio::test]
async fn two_profiles_signed_in_and_switched_between_in_the_window() {
    if !enabled() {
        return;
    }
    let _one = ONE_AT_A_TIME.lock().await;
    let app = App::launch(&[]).await;
    app.wait_profile("default").await;
    app.click("#sign-in").await;
    app.wait_state("signed-in").await;

    // A second profile: added from the switcher, shown at once (signed out), its Settings open.
    app.click("#profile-button").await;
    app.client
        .find(Locator::Css("#profile-add-name"))
        .await
        .unwrap()
        .send_keys("second")
        .await
        .unwrap();
    app.click("#profile-add button[type=submit]").await;
    app.wait_state("signed-out").await;
    app.click("#close-settings").await;
    app.wait_profile("second").await;
    app.click("#sign-in").await;
    app.wait_state("signed-in").await;
    app.shoot("profiles-menu").await;

    // Switching shows each one's session at once; neither signs the other out.
    for name in ["default", "second", "default"] {
        app.click("#profile-button").await;
        app.click(&format!("[data-profile='{name}']")).await;
        app.wait_profile(name).await;
        app.wait_state("signed-in").await;
        assert_eq!(app.text("#profile-name").await, "张三");
    }
    app.click("#profile-button").await;
    app.shoot("profiles-menu-open").await;
    // Read from the page rather than as rendered: without a CJK font (issue of the package, not
    // of the switcher) WebKit reports the glyph-less name as empty text.
    let users = app
        .client
        .execute(
            "return [...document.querySelectorAll('#profile-list .profile-user')].map(e => e.textContent)",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(users, serde_json::json!(["张三", "张三"]), "both signed in");

    // Removing the second from the switcher: two clicks, then only `default` is left, still
    // signed in.
    app.click("[data-remove='second']").await;
    app.click("[data-remove='second']").await;
    app.client
        .wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::Css("#activity [data-kind='profileRemoved']"))
        .await
        .expect("the removal shows in the activity list");
    app.wait_profile("default").await;
    app.wait_state("signed-in").await;
    app.click("#profile-button").await;
    assert!(app
        .client
        .find(Locator::Css("[data-profile='second']"))
        .await
        .is_err());
    app.close().await;
}

#[tokio::test]
async fn sign_in_through_the_deep_link() {
    if !enabled() {
        return;
    }
    let _one = ONE_AT_A_TIME.lock().await;
    let app = App::launch(&[]).await;
    app.click("#route-deep-link").await;
    app.click("#sign-in").await;
    // The browser stand-in hands `dev.feishu-signin.app:/callback?…` to a second app process, which
    // forwards it to this one over D-Bus (single-instance) and exits.
    app.wait_state("signed-in").await;
    assert_eq!(app.text("#profile-name").await, "张三");
    app.close().await;
}

#[tokio::test]
async fn a_feishu_error_shows_its_code_and_meaning() {
    if !enabled() {
        return;
    }
    let _one = ONE_AT_A_TIME.lock().await;
    let redirect = format!("http://127.0.0.1:{}/callback", free_port());
    let emulator = Emulator::builder()
        .redirect_uri(redirect.clone())
        .start()
        .await
        .unwrap();
    let base = emulator.base_url().to_string();
    emulator.fail_next(Endpoint::Token, 1, 20071);
    let app = App::launch(&[
        ("FEISHU_APP_ID", emulator.app_id().to_owned()),
        ("FEISHU_APP_SECRET", emulator.app_secret().to_owned()),
        ("FEISHU_ACCOUNTS_URL", base.clone()),
        ("FEISHU_OPEN_URL", base),
        ("FEISHU_REDIRECT_URI", redirect),
    ])
    .await;
    app.click("#sign-in").await;
    app.client
        .wait()
        .at_most(Duration::from_secs(30))
        .for_element(Locator::Css("#error:not([hidden]) #error-code"))
        .await
        .unwrap();
    assert!(app.text("#error-code").await.contains("20071"));
    assert!(
        app.text("#error-message").await.contains("redirect"),
        "the meaning is shown"
    );
    app.close().await;
}
