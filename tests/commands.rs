//! The app's commands through Tauri's IPC with the mock runtime, in the sandbox: the same code
//! path as the window, with `feishu-emulator browse` as the person in the browser.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::print_stderr,
    clippy::too_many_lines
)]

mod support;

use std::{os::unix::fs::PermissionsExt, path::Path};

use serde_json::{json, Value};
use support::{free_port, invoke, workspace_bin};

fn set_env(dir: &Path) {
    // One test function per process touches the environment, so this is not racy.
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
    std::env::set_var("XDG_CONFIG_HOME", dir.join("config"));
    std::env::set_var("XDG_DATA_HOME", dir.join("share"));
    std::env::set_var("FEISHU_SIGNIN_DATA_DIR", dir.join("data"));
    std::env::set_var(
        "FEISHU_REDIRECT_URI",
        format!("http://127.0.0.1:{}/callback", free_port()),
    );
    std::env::set_var(
        "FEISHU_SIGNIN_BROWSER",
        format!("{} browse", workspace_bin("feishu-emulator").display()),
    );
}

/// The state a new window opens on holds exactly what the three commands answer.
fn initial_state_matches_the_commands(
    app: &tauri::App<tauri::test::MockRuntime>,
    webview: &tauri::WebviewWindow<tauri::test::MockRuntime>,
) {
    let script = feishu_signin_lib::window::initial_state_script(app.handle());
    let json = script
        .strip_prefix("window.__FEISHU_SIGNIN_INITIAL__ = ")
        .and_then(|s| s.strip_suffix(';'))
        .unwrap_or_else(|| panic!("not the initial state: {script}"));
    let initial: Value = serde_json::from_str(json).unwrap();
    for part in ["session", "settings", "activity"] {
        assert_eq!(initial[part]["status"], "fulfilled", "{part}: {initial}");
        let mut answer = invoke(webview, part, json!({})).unwrap();
        let mut opened_on = initial[part]["value"].clone();
        if part == "settings" {
            // Who handles the deep-link scheme is looked up (xdg-mime) by the command, not for the
            // first paint: the window opens on "not known yet".
            assert_eq!(opened_on["deepLinkHandler"], Value::Null);
            assert!(answer["deepLinkHandler"]["state"].is_string(), "{answer}");
            opened_on["deepLinkHandler"] = Value::Null;
            answer["deepLinkHandler"] = Value::Null;
        }
        assert_eq!(opened_on, answer, "{part}");
    }
}

#[test]
fn commands_in_the_sandbox() {
    let dir = tempfile::tempdir().unwrap();
    set_env(dir.path());
    let (app, webview) = support::app();

    let first = invoke(&webview, "session", json!({})).unwrap();
    assert_eq!(first["session"], Value::Null);
    let first_revision = first["revision"].as_u64().unwrap();
    let settings = invoke(&webview, "settings", json!({})).unwrap();
    assert_eq!(settings["sandbox"], true);
    assert_eq!(settings["appSecretSet"], false);
    assert_eq!(
        settings["deepLinkRedirectUri"],
        "dev.feishu-signin.app:/callback"
    );

    let signed_in = invoke(
        &webview,
        "sign_in",
        json!({"route": "loopback", "scopes": ["offline_access", "contact:user.email:readonly"]}),
    )
    .unwrap();
    assert!(signed_in["flow"].as_u64().unwrap() >= 1, "{signed_in}");
    let signed_in_revision = signed_in["revision"].as_u64().unwrap();
    assert!(signed_in_revision > first_revision, "{signed_in}");
    let view = &signed_in["session"];
    assert_eq!(view["brand"], "sandbox");
    assert_eq!(view["profile"]["name"], "张三");
    assert!(view["profile"]["email"].is_string());
    assert_eq!(view["tokenStatus"], "valid");
    assert!(view["scopes"]
        .as_array()
        .unwrap()
        .contains(&json!("offline_access")));
    let text = view.to_string();
    assert!(!text.contains("eyJ"), "no token in the view: {text}");

    // The CLI's session file now holds the session, in the plugin-store layout, privately.
    let file = dir.path().join("data/session.json");
    let stored: Value = serde_json::from_slice(&std::fs::read(&file).unwrap()).unwrap();
    assert_eq!(stored["session"]["profile"]["name"], "张三");
    assert_eq!(
        std::fs::metadata(&file).unwrap().permissions().mode() & 0o777,
        0o600
    );

    let before = stored["session"]["access_token_expires_at"].clone();
    std::thread::sleep(std::time::Duration::from_millis(1100));
    let refreshed = invoke(&webview, "refresh", json!({})).unwrap();
    assert_ne!(refreshed["session"]["accessTokenExpiresAt"], before);
    assert!(refreshed["revision"].as_u64().unwrap() > signed_in_revision);
    let unchanged = invoke(&webview, "session", json!({})).unwrap();
    assert_eq!(unchanged, refreshed, "the same session keeps its revision");

    let activity = invoke(&webview, "activity", json!({})).unwrap();
    let entries = activity.as_array().unwrap();
    let kinds: Vec<&str> = entries
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    for kind in [
        "started",
        "browserOpened",
        "callbackReceived",
        "signedIn",
        "refreshed",
    ] {
        assert!(kinds.contains(&kind), "{kind} missing from {kinds:?}");
    }
    // Entries are numbered in order, and carry parameters for the window to word, not sentences.
    let seqs: Vec<u64> = entries.iter().map(|e| e["seq"].as_u64().unwrap()).collect();
    assert!(seqs.windows(2).all(|w| w[0] < w[1]), "{seqs:?}");
    let signed_in_entry = entries.iter().find(|e| e["kind"] == "signedIn").unwrap();
    assert_eq!(
        signed_in_entry["params"]["name"], "张三",
        "{signed_in_entry}"
    );
    assert!(
        entries.iter().all(|e| e.get("message").is_none()),
        "{activity}"
    );
    initial_state_matches_the_commands(&app, &webview);

    // Bad settings are refused with the setting named, and nothing is written.
    let err = invoke(&webview, "save_settings", json!({"settings": {"appId": "cli_x", "appSecret": null, "brand": "feishu", "redirectUri": null, "scopes": []}})).unwrap_err();
    assert_eq!(err["kind"], "config");
    assert!(
        err["message"].as_str().unwrap().contains("app_secret"),
        "{err}"
    );
    let err = invoke(&webview, "save_settings", json!({"settings": {"appId": null, "appSecret": null, "brand": "feishu", "redirectUri": "https://example.com/cb", "scopes": []}})).unwrap_err();
    assert!(
        err["message"].as_str().unwrap().contains("redirect_uri"),
        "{err}"
    );

    let signed_out = invoke(&webview, "sign_out", json!({})).unwrap();
    assert_eq!(signed_out["session"], Value::Null);
    assert_eq!(signed_out["revoked"], true, "{signed_out}");
    let after = invoke(&webview, "session", json!({})).unwrap();
    assert_eq!(after["revision"], signed_out["revision"]);
    assert_eq!(after["session"], Value::Null);
    // The sandbox's emulator revoked the tokens, and the activity says so.
    let activity = invoke(&webview, "activity", json!({})).unwrap();
    let entry = activity
        .as_array()
        .unwrap()
        .iter()
        .rfind(|e| e["kind"] == "signedOut")
        .unwrap();
    assert_eq!(entry["params"]["revoked"], true, "{entry}");
    let err = invoke(&webview, "refresh", json!({})).unwrap_err();
    assert_eq!(err["kind"], "signedOut");

    // A corrupt session file: reported once with where it was kept, then signed out; no crash.
    std::fs::write(&file, b"{\"session\": [garbage").unwrap();
    let err = invoke(&webview, "session", json!({})).unwrap_err();
    assert_eq!(err["kind"], "store");
    assert!(
        err["message"].as_str().unwrap().contains("kept as"),
        "{err}"
    );
    assert_eq!(
        invoke(&webview, "session", json!({})).unwrap()["session"],
        Value::Null
    );
    // A failure is handed over as the command would reject, for the page's error panel.
    std::fs::write(&file, b"{\"session\": [garbage").unwrap();
    let script = feishu_signin_lib::window::initial_state_script(app.handle());
    assert!(
        script.contains(r#""session":{"status":"rejected","reason":{"kind":"store""#),
        "{script}"
    );
}
