//! Managed settings: a system file (found through `XDG_CONFIG_DIRS`, here in a temporary folder)
//! read before the user's file, whose locks hold against the user's file and the environment;
//! `config show` saying where each setting came from, secrets only as "set"; a profile the
//! system file defines, listed and ready to sign in.

use std::{path::PathBuf, process::Output};

use crate::common::{text, Harness};

const ORG_SECRET: &str = "org-s3cret-7f1c";
const USER_SECRET: &str = "user-s3cret-2b9d";
const ENV_SECRET: &str = "env-s3cret-c4e0";

/// Writes the system file under a fresh `XDG_CONFIG_DIRS` folder of `h`, and returns the folder.
fn system_dir(h: &Harness, text: &str) -> PathBuf {
    let dir = h.dir.path().join("xdg");
    std::fs::create_dir_all(dir.join("feishu-signin")).unwrap();
    std::fs::write(dir.join("feishu-signin/config.toml"), text).unwrap();
    dir
}

/// Writes the user's `config.toml` (under `XDG_CONFIG_HOME`, as the harness sets it).
fn user_file(h: &Harness, text: &str) {
    let dir = h.dir.path().join("config/feishu-signin");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("config.toml"), text).unwrap();
}

async fn run(h: &Harness, args: &[&str], env: &[(&str, &str)]) -> Output {
    h.run_bare(args, "", env).await
}

fn no_secret(out: &Output) {
    for secret in [ORG_SECRET, USER_SECRET, ENV_SECRET] {
        assert!(
            !text(&out.stdout).contains(secret) && !text(&out.stderr).contains(secret),
            "a secret was printed"
        );
    }
}

/// `config show` in words: each setting's source, the lock, and what it set aside.
async fn assert_human(h: &Harness, env: &[(&str, &str)]) {
    let out = run(h, &["config", "show"], env).await;
    assert!(out.status.success());
    no_secret(&out);
    let human = text(&out.stdout);
    let line = |key: &str| {
        human
            .lines()
            .find(|l| l.trim_start().starts_with(&format!("{key} ")))
            .unwrap_or_else(|| panic!("{key} in {human}"))
            .to_owned()
    };
    assert!(
        line("app_id").contains("system file, locked") && line("app_id").contains("cli_org"),
        "{human}"
    );
    assert!(line("app_secret").contains("set"), "{human}");
    assert!(line("brand").contains("user file"), "{human}");
    assert!(
        line("scopes").contains("environment (FEISHU_SCOPES)"),
        "{human}"
    );
    assert!(
        human.contains("app_id: the value from the environment (FEISHU_APP_ID) was ignored: locked by the system file"),
        "{human}"
    );
    assert!(
        human.contains(
            "app_id: the value from the user file was ignored: locked by the system file"
        ),
        "{human}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn config_show_says_where_each_setting_came_from_and_a_lock_holds() {
    let h = Harness::new(|b| b).await;
    let xdg = system_dir(
        &h,
        &format!(
            "app_id = \"cli_org\"\napp_secret = \"{ORG_SECRET}\"\nbrand = \"lark\"\nscopes = \"offline_access\"\nlocked = [\"app_id\", \"app_secret\"]\n"
        ),
    );
    user_file(
        &h,
        &format!("app_id = \"cli_user\"\napp_secret = \"{USER_SECRET}\"\nbrand = \"feishu\"\n"),
    );
    let xdg = xdg.display().to_string();
    let env = [
        ("XDG_CONFIG_DIRS", xdg.as_str()),
        ("FEISHU_APP_ID", "cli_env"),
        ("FEISHU_APP_SECRET", ENV_SECRET),
        ("FEISHU_SCOPES", "offline_access contact:user.base:readonly"),
    ];

    let out = run(&h, &["config", "show", "--json"], &env).await;
    assert!(out.status.success());
    no_secret(&out);
    let shown: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(shown["profile"], "default");
    assert!(shown["systemFile"]
        .as_str()
        .unwrap()
        .ends_with("xdg/feishu-signin/config.toml"));
    assert!(shown["userFile"]
        .as_str()
        .unwrap()
        .ends_with("config/feishu-signin/config.toml"));
    let setting = |key: &str| {
        shown["settings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["key"] == key)
            .unwrap_or_else(|| panic!("{key} in {shown}"))
            .clone()
    };
    let app_id = setting("app_id");
    assert_eq!(app_id["value"], "cli_org", "{app_id}");
    assert_eq!(app_id["source"], "system");
    assert_eq!(app_id["locked"], true);
    assert_eq!(
        app_id["ignored"],
        serde_json::json!([
            { "source": "environment", "variable": "FEISHU_APP_ID", "reason": "locked by the system file" },
            { "source": "user", "reason": "locked by the system file" },
        ])
    );
    let secret = setting("app_secret");
    assert_eq!(secret["value"], "set");
    assert_eq!(secret["source"], "system");
    assert_eq!(secret["ignored"].as_array().unwrap().len(), 2);
    // Not locked: the user's file over the system's default, the environment over both.
    assert_eq!(setting("brand")["value"], "feishu");
    assert_eq!(setting("brand")["source"], "user");
    assert_eq!(setting("scopes")["source"], "environment");
    assert_eq!(setting("scopes")["variable"], "FEISHU_SCOPES");
    assert_eq!(setting("redirect_uri")["source"], "default");
    assert_eq!(setting("data_dir")["source"], "environment");

    assert_human(&h, &env).await;
    // Every command runs with the locked App ID, and the log says what was set aside.
    let out = run(&h, &["status", "--json"], &env).await;
    assert!(
        text(&out.stderr).contains("locked by the system file"),
        "warned"
    );
    no_secret(&out);

    // Without a system file, the user's file and the environment as before.
    let out = run(&h, &["config", "show", "--json"], &env[1..]).await;
    let shown: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(shown["systemFile"], serde_json::Value::Null);
    assert_eq!(shown["settings"][0]["value"], "cli_env");
    assert_eq!(shown["settings"][0]["source"], "environment");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_profile_the_system_file_defines_is_listed_and_signs_in() {
    let h = Harness::new(|b| b).await;
    let base = h.emulator.base_url().to_string();
    let xdg = system_dir(
        &h,
        &format!(
            "[profiles.work]\nlabel = \"Feishu (work)\"\napp_id = \"{}\"\napp_secret = \"{}\"\naccounts_url = \"{base}\"\nopen_url = \"{base}\"\nredirect_uri = \"{}\"\nscopes = \"offline_access\"\nlocked = [\"app_id\", \"app_secret\"]\n",
            h.emulator.app_id(),
            h.secret,
            h.redirect_uri
        ),
    );
    let xdg = xdg.display().to_string();
    let env = [("XDG_CONFIG_DIRS", xdg.as_str())];

    let out = run(&h, &["profiles", "--json"], &env).await;
    assert!(out.status.success());
    let listed: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let names: Vec<&str> = listed
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["default", "work"]);
    assert_eq!(listed[1]["appId"], h.emulator.app_id());
    assert_eq!(listed[1]["label"], "Feishu (work)");
    assert!(text(&run(&h, &["profiles"], &env).await.stdout).contains("work (Feishu (work))"));

    // Ready to use: the employee signs in without configuring anything.
    let out = run(&h, &["--profile", "work", "login"], &env).await;
    assert!(out.status.success());
    assert!(!text(&out.stdout).contains(&h.secret) && !text(&out.stderr).contains(&h.secret));
    let out = run(&h, &["--profile", "work", "status", "--json"], &env).await;
    let status: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(status["signedIn"], true, "{status}");

    // The organisation's profile stays.
    let out = run(&h, &["profile", "remove", "work"], &env).await;
    assert!(!out.status.success());
    assert!(
        text(&out.stderr).contains("managed by your organisation"),
        "{}",
        text(&out.stderr)
    );
    let out = run(&h, &["--profile", "work", "status", "--json"], &env).await;
    let status: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(status["signedIn"], true, "not signed out either: {status}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_label_that_is_not_one_line_of_text_is_an_error_naming_the_key() {
    let h = Harness::new(|b| b).await;
    let xdg = system_dir(&h, "[profiles.work]\nlabel = \"line one\\nline two\"\n");
    let xdg = xdg.display().to_string();
    let out = run(
        &h,
        &["config", "show"],
        &[("XDG_CONFIG_DIRS", xdg.as_str())],
    )
    .await;
    assert!(!out.status.success());
    assert!(
        text(&out.stderr).contains("profiles.work.label"),
        "{}",
        text(&out.stderr)
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn an_unknown_key_in_the_system_file_is_an_error_naming_the_file_and_key() {
    let h = Harness::new(|b| b).await;
    let xdg = system_dir(&h, "app_id = \"cli_org\"\napp_secert = \"x\"\n");
    let xdg = xdg.display().to_string();
    for args in [&["config", "show"][..], &["status"][..]] {
        let out = run(&h, args, &[("XDG_CONFIG_DIRS", xdg.as_str())]).await;
        assert!(!out.status.success());
        let err = text(&out.stderr);
        assert!(
            err.contains("xdg/feishu-signin/config.toml") && err.contains("`app_secert`"),
            "{err}"
        );
        assert!(!err.contains("panicked"), "{err}");
    }
}
