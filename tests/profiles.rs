//! Profiles in the window: one added from the window, signed in from the CLI while another is
//! shown, appears signed in in the window's list (the keeper reads every profile), and switching
//! to it shows its session; the first profile stays signed in throughout.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::print_stderr,
    clippy::too_many_lines
)]

mod support;

use std::time::{Duration, Instant};

use serde_json::{json, Value};
use support::{free_port, invoke, workspace_bin};

#[test]
fn a_profile_signed_in_by_the_cli_shows_in_the_window() {
    let dir = tempfile::tempdir().unwrap();
    for var in [
        "FEISHU_APP_ID",
        "FEISHU_APP_SECRET",
        "FEISHU_ACCOUNTS_URL",
        "FEISHU_OPEN_URL",
        "FEISHU_SCOPES",
        "FEISHU_BRAND",
        "FEISHU_PROFILE",
    ] {
        std::env::remove_var(var);
    }
    std::env::set_var("XDG_CONFIG_HOME", dir.path().join("config"));
    std::env::set_var("XDG_DATA_HOME", dir.path().join("share"));
    std::env::set_var("FEISHU_SIGNIN_DATA_DIR", dir.path().join("data"));
    std::env::set_var(
        "FEISHU_REDIRECT_URI",
        format!("http://127.0.0.1:{}/callback", free_port()),
    );
    std::env::set_var(
        "FEISHU_SIGNIN_BROWSER",
        format!("{} browse", workspace_bin("feishu-emulator").display()),
    );
    let (_app, webview) = support::app();

    let signed_in = invoke(
        &webview,
        "sign_in",
        json!({"route": "loopback", "scopes": ["offline_access"]}),
    )
    .unwrap();
    assert_eq!(signed_in["session"]["profile"]["name"], "张三");

    // A second profile, added in the window: shown at once, signed out.
    let added = invoke(&webview, "add_profile", json!({"name": "second"})).unwrap();
    assert_eq!(added["session"], Value::Null);
    assert_eq!(
        invoke(&webview, "settings", json!({})).unwrap()["profile"],
        "second"
    );
    // Back to the first; the CLI signs the second in meanwhile.
    let back = invoke(&webview, "switch_profile", json!({"name": "default"})).unwrap();
    assert_eq!(back["session"]["profile"]["name"], "张三");
    let out = std::process::Command::new(workspace_bin("feishu-auth"))
        .args(["--profile", "second", "login"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    let deadline = Instant::now() + Duration::from_secs(15);
    let second = loop {
        let list = invoke(&webview, "profiles", json!({})).unwrap();
        let second = list
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["name"] == "second")
            .cloned()
            .unwrap();
        if !second["user"].is_null() {
            break second;
        }
        assert!(Instant::now() < deadline, "the window never saw it: {list}");
        std::thread::sleep(Duration::from_millis(200));
    };
    assert_eq!(second["user"]["name"], "张三");
    assert_eq!(second["shown"], false);
    assert_eq!(second["tokenStatus"], "valid");

    let switched = invoke(&webview, "switch_profile", json!({"name": "second"})).unwrap();
    assert_eq!(switched["session"]["profile"]["name"], "张三");
    let list = invoke(&webview, "profiles", json!({})).unwrap();
    assert!(
        list.as_array()
            .unwrap()
            .iter()
            .all(|p| !p["user"].is_null()),
        "both stay signed in: {list}"
    );
    // Removed from the window while shown: signed out at the emulator (revoked), `default` shown.
    let after = invoke(&webview, "remove_profile", json!({"name": "second"})).unwrap();
    assert_eq!(after["session"]["profile"]["name"], "张三");
    assert_eq!(
        invoke(&webview, "settings", json!({})).unwrap()["profile"],
        "default"
    );
    let activity = invoke(&webview, "activity", json!({})).unwrap();
    let removed = activity
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["kind"] == "profileRemoved")
        .unwrap();
    assert_eq!(removed["params"]["revoked"], true, "{removed}");
    let names: Vec<Value> = invoke(&webview, "profiles", json!({}))
        .unwrap()
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].clone())
        .collect();
    assert_eq!(names, [json!("default")]);
    let unknown = invoke(&webview, "switch_profile", json!({"name": "nope"})).unwrap_err();
    assert!(
        unknown["message"]
            .as_str()
            .unwrap()
            .contains("the profiles here are: default"),
        "{unknown}"
    );
}
