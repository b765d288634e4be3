//! What the window must survive, through its commands on the mock runtime in the sandbox: a
//! settings file that does not parse (reported without its values, and replaceable from
//! Settings), and a second sign-in started while the first still listens (a second click, a
//! reloaded window), which ends the first and gets its port.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stderr)]

mod support;

use std::time::Duration;

use feishu_emulator::browse::{Browser, Decision};
use serde_json::json;
use support::{free_port, invoke};

/// Waits for the "browser" (a command that writes the URL down) to be handed a URL.
fn next_url(file: &std::path::Path) -> url::Url {
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    loop {
        if let Ok(url) = std::fs::read_to_string(file) {
            if !url.is_empty() {
                std::fs::remove_file(file).unwrap();
                return url::Url::parse(&url).unwrap();
            }
        }
        assert!(
            std::time::Instant::now() < deadline,
            "no browser was opened"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn a_broken_settings_file_and_a_second_sign_in() {
    let dir = tempfile::tempdir().unwrap();
    for var in [
        "FEISHU_APP_ID",
        "FEISHU_APP_SECRET",
        "FEISHU_ACCOUNTS_URL",
        "FEISHU_OPEN_URL",
        "FEISHU_SCOPES",
        "FEISHU_BRAND",
    ] {
        std::env::remove_var(var);
    }
    std::env::set_var("XDG_CONFIG_HOME", dir.path().join("config"));
    std::env::set_var("XDG_DATA_HOME", dir.path().join("share"));
    std::env::set_var("FEISHU_SIGNIN_DATA_DIR", dir.path().join("data"));
    let redirect = format!("http://127.0.0.1:{}/callback", free_port());
    std::env::set_var("FEISHU_REDIRECT_URI", &redirect);
    let url_file = dir.path().join("authorize-url");
    std::env::set_var(
        "FEISHU_SIGNIN_BROWSER",
        format!("printf '%s' >'{}'", url_file.display()),
    );
    let config = dir.path().join("config/feishu-signin/config.toml");
    std::fs::create_dir_all(config.parent().unwrap()).unwrap();
    std::fs::write(
        &config,
        "app_id = \"cli_a5ca35a685b0x26e\"\napp_secret = Th3S3cretValue\n",
    )
    .unwrap();

    // The app starts (in the sandbox) and says what is wrong, without the value.
    let (_app, webview) = support::app();
    let activity = invoke(&webview, "activity", json!({})).unwrap().to_string();
    assert!(
        activity.contains("config.toml") && activity.contains("line 2"),
        "{activity}"
    );
    assert!(!activity.contains("Th3S3cretValue"), "{activity}");
    // Settings can replace the broken file; the old one is kept aside, private.
    let saved = invoke(
        &webview,
        "save_settings",
        json!({"settings": {"appId": null, "appSecret": null, "brand": "feishu",
                            "redirectUri": redirect, "scopes": ["offline_access"]}}),
    );
    let saved = saved.unwrap_or_else(|e| panic!("Settings could not save: {e}"));
    assert_eq!(saved["sandbox"], true);
    assert!(feishu_oauth::ConfigFile::read(&config).is_ok());
    let activity = invoke(&webview, "activity", json!({})).unwrap().to_string();
    assert!(activity.contains("settingsFileKept"), "{activity}");
    assert!(activity.contains("config.toml.broken-"), "{activity}");
    assert!(!activity.contains("Th3S3cretValue"), "{activity}");

    // A sign-in, then another before the browser came back: the first ends, the second listens
    // on the same port and completes.
    let sign_in = || {
        let webview = webview.clone();
        std::thread::spawn(move || {
            invoke(
                &webview,
                "sign_in",
                json!({"route": "loopback", "scopes": ["offline_access"]}),
            )
        })
    };
    let first = sign_in();
    let _first_url = next_url(&url_file);
    let second = sign_in();
    let second_url = next_url(&url_file);
    let first = first.join().unwrap();
    let error = first.unwrap_err().to_string();
    assert!(error.contains("cancelled"), "{error}");
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        let browser = Browser::new().unwrap();
        let callback = browser
            .consent(&second_url, Decision::Approve)
            .await
            .unwrap();
        browser.deliver(&callback).await.unwrap();
    });
    let view = second.join().unwrap().unwrap();
    assert_eq!(view["session"]["profile"]["name"], "张三", "{view}");
}
