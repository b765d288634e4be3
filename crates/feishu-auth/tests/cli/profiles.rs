//! Profiles: two apps signed in side by side, chosen per command by `--profile` or
//! `FEISHU_PROFILE` without touching the active one; unknown names refused with the list; a
//! sign-out that revokes at the emulator; a profile removed; the single-profile layout of an
//! earlier version read as the profile `default` with no re-login.

use std::{process::Output, time::Duration};

use crate::common::{text, Harness};

/// Runs `feishu-auth` with no app in the environment, `stdin` on standard input and `env` set.
async fn run(h: &Harness, args: &[&str], stdin: &str, env: &[(&str, &str)]) -> Output {
    h.run_bare(args, stdin, env).await
}

/// Adds profile `name` for harness `app`'s emulator, the App Secret on standard input.
async fn add(h: &Harness, name: &str, app: &Harness, brand: &str) {
    let out = h.add_profile(name, app, brand).await;
    assert!(out.status.success());
    assert!(
        !text(&out.stdout).contains(&app.secret) && !text(&out.stderr).contains(&app.secret),
        "the App Secret is never printed"
    );
}

fn token_in(h: &Harness, profile: &str) -> String {
    let path = if profile == "default" {
        h.dir.path().join("data/session.json")
    } else {
        h.dir
            .path()
            .join(format!("data/profiles/{profile}/session.json"))
    };
    let stored: serde_json::Value = serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
    stored["session"]["access_token"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// `profiles` as a table: a header in sentence case, every column starting where its header does,
/// the active profile marked. `default` is a signed-out sandbox; `partner` (Lark, `lark`'s app)
/// and `work` (active, `h`'s app) are signed in.
async fn assert_table(h: &Harness, lark: &Harness) {
    let table = text(&run(h, &["profiles"], "", &[]).await.stdout);
    let lines: Vec<&str> = table.lines().collect();
    assert_eq!(lines.len(), 4, "{table}");
    let column = |line: &str, cell: &str| {
        let at = line
            .find(cell)
            .unwrap_or_else(|| panic!("{cell} in {line:?}"));
        line[..at].chars().count()
    };
    let app = h.emulator.app_id();
    let lark_app = lark.emulator.app_id();
    for (header, cells) in [
        ("Profile", ["default", "partner", "work"]),
        ("Brand", ["Sandbox", "Lark", "Feishu"]),
        ("App ID", ["—", lark_app, app]),
        ("Token", ["—", "valid", "valid"]),
        ("User", ["not signed in", "张三", "张三"]),
    ] {
        let at = column(lines[0], header);
        for (line, cell) in lines[1..].iter().zip(cells) {
            // The cell at the header's column (searched from there: "—" is in two columns).
            let rest: String = line.chars().skip(at).collect();
            assert!(
                rest.starts_with(cell),
                "{header}: {cell:?} in {line:?}\n{table}"
            );
        }
    }
    assert!(
        lines[3].starts_with("* work"),
        "the active one is marked: {table}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn two_profiles_side_by_side_chosen_per_command() {
    let h = Harness::new(|b| b).await;
    let lark = Harness::new(|b| b).await;
    add(&h, "work", &h, "feishu").await;
    add(&h, "partner", &lark, "lark").await;
    assert!(run(&h, &["use", "work"], "", &[]).await.status.success());

    assert!(run(&h, &["login"], "", &[]).await.status.success());
    let out = run(&h, &["--profile", "partner", "login"], "", &[]).await;
    assert!(out.status.success());
    let (work, partner) = (token_in(&h, "work"), token_in(&h, "partner"));
    assert_ne!(work, partner);

    // The flag, the environment (the flag wins), and the active profile.
    let token = |out: Output| text(&out.stdout).trim().to_owned();
    assert_eq!(token(run(&h, &["token"], "", &[]).await), work);
    assert_eq!(
        token(run(&h, &["token"], "", &[("FEISHU_PROFILE", "partner")]).await),
        partner
    );
    assert_eq!(
        token(
            run(
                &h,
                &["--profile", "work", "token"],
                "",
                &[("FEISHU_PROFILE", "partner")]
            )
            .await
        ),
        work
    );
    let status: serde_json::Value = serde_json::from_slice(
        &run(&h, &["--profile", "partner", "status", "--json"], "", &[])
            .await
            .stdout,
    )
    .unwrap();
    assert_eq!(status["profile"], "partner");
    assert_eq!(status["brand"], "lark");
    assert_eq!(status["signedIn"], true);

    let listed: serde_json::Value =
        serde_json::from_slice(&run(&h, &["profiles", "--json"], "", &[]).await.stdout).unwrap();
    let names: Vec<&str> = listed
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["default", "partner", "work"]);
    let work_row = &listed[2];
    assert_eq!(work_row["active"], true);
    assert_eq!(work_row["user"], "张三");
    assert_eq!(work_row["tokenStatus"], "valid");
    assert_eq!(listed[0]["user"], serde_json::Value::Null);

    assert_table(&h, &lark).await;

    // An unknown profile: exit 2, with the ones there are.
    let out = run(&h, &["--profile", "nope", "token"], "", &[]).await;
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("default, partner, work"),
        "{}",
        text(&out.stderr)
    );

    // Sign-out revokes: the old refresh token is dead at the emulator.
    let before = std::fs::read(h.dir.path().join("data/profiles/work/session.json")).unwrap();
    let out = run(&h, &["logout"], "", &[]).await;
    assert!(out.status.success());
    assert!(
        text(&out.stdout).contains("Feishu revoked the tokens"),
        "{}",
        text(&out.stdout)
    );
    std::fs::write(h.dir.path().join("data/profiles/work/session.json"), before).unwrap();
    let out = run(&h, &["refresh"], "", &[]).await;
    assert!(!out.status.success());
    assert!(text(&out.stderr).contains("20064"), "{}", text(&out.stderr));
    // The other profile was untouched.
    assert_eq!(
        token(run(&h, &["--profile", "partner", "token"], "", &[]).await),
        partner
    );

    // Removing a profile signs it out (revoking) and forgets it.
    let out = run(&h, &["profile", "remove", "partner"], "", &[]).await;
    assert!(out.status.success());
    assert!(
        text(&out.stdout).contains("revoked"),
        "{}",
        text(&out.stdout)
    );
    assert!(!h.dir.path().join("data/profiles/partner").exists());
    let out = run(&h, &["--profile", "partner", "status"], "", &[]).await;
    assert_eq!(out.status.code(), Some(2));
}

#[tokio::test(flavor = "multi_thread")]
async fn an_earlier_versions_files_are_the_default_profile() {
    let h = Harness::new(|b| b).await;
    // What a single-profile version wrote: config.toml and data/session.json.
    let out = h.run(&["login"]).await;
    assert!(out.status.success());
    let before = token_in(&h, "default");
    let config = h.dir.path().join("config/feishu-signin/config.toml");
    std::fs::create_dir_all(config.parent().unwrap()).unwrap();
    let base = h.emulator.base_url().to_string();
    std::fs::write(
        &config,
        format!(
            "app_id = \"{}\"\napp_secret = \"{}\"\naccounts_url = \"{base}\"\nopen_url = \"{base}\"\nredirect_uri = \"{}\"\n",
            h.emulator.app_id(),
            h.secret,
            h.redirect_uri
        ),
    )
    .unwrap();
    let listed: serde_json::Value =
        serde_json::from_slice(&run(&h, &["profiles", "--json"], "", &[]).await.stdout).unwrap();
    assert_eq!(listed[0]["name"], "default");
    assert_eq!(listed[0]["active"], true);
    assert_eq!(listed[0]["user"], "张三", "signed in, no re-login");
    let out = run(&h, &["token"], "", &[]).await;
    assert_eq!(text(&out.stdout).trim(), before);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_revocation_feishu_does_not_confirm_still_signs_out_and_says_so() {
    let h = Harness::new(|b| b).await;
    assert!(h.run(&["login"]).await.status.success());
    h.emulator
        .fail_next(feishu_emulator::Endpoint::Revoke, 2, 20050);
    let out = h.run(&["logout"]).await;
    assert!(out.status.success());
    assert!(
        text(&out.stdout).contains("here; Feishu did not confirm the revocation"),
        "{}",
        text(&out.stdout)
    );
    assert_eq!(h.status().await["signedIn"], false);
    assert_eq!(h.emulator.revocations(), 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn stale_tokens_in_two_profiles_cause_one_refresh_each() {
    let ttl = |b: feishu_emulator::EmulatorBuilder| b.access_token_ttl(Duration::from_secs(4));
    let h = Harness::new(ttl).await;
    let other = Harness::new(ttl).await;
    add(&h, "a", &h, "feishu").await;
    add(&h, "b", &other, "lark").await;
    for profile in ["a", "b"] {
        let out = run(&h, &["--profile", profile, "login"], "", &[]).await;
        assert!(out.status.success());
    }
    // Past the refresh margin (half of 4 s) in both.
    tokio::time::sleep(Duration::from_millis(2500)).await;
    let runs: Vec<_> = ["a", "b", "a", "b", "a", "b", "a", "b"]
        .into_iter()
        .map(|profile| {
            let mut cmd = h.bare_command(&["--profile", profile, "token"]);
            cmd.stdout(std::process::Stdio::piped());
            tokio::spawn(async move { (profile, cmd.output().await.unwrap()) })
        })
        .collect();
    let mut tokens = std::collections::HashMap::<&str, Vec<String>>::new();
    for run in runs {
        let (profile, out) = run.await.unwrap();
        assert!(out.status.success(), "{}", text(&out.stderr));
        tokens.entry(profile).or_default().push(text(&out.stdout));
    }
    assert_eq!(h.emulator.refreshes(), 1, "one refresh for profile a");
    assert_eq!(other.emulator.refreshes(), 1, "one refresh for profile b");
    for (profile, list) in &tokens {
        assert!(list.iter().all(|t| t == &list[0]), "{profile}: one token");
    }
    assert_ne!(tokens["a"][0], tokens["b"][0]);
}

#[tokio::test(flavor = "multi_thread")]
async fn the_files_release_0_1_0_wrote_are_the_default_profile_untouched() {
    let h = Harness::new(|b| b).await;
    let fixture =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/release-0.1.0");
    let data = h.dir.path().join("data");
    std::fs::create_dir_all(&data).unwrap();
    for file in ["session.json", "sandbox-emulator.json"] {
        std::fs::copy(fixture.join(file), data.join(file)).unwrap();
        std::fs::set_permissions(
            data.join(file),
            std::os::unix::fs::PermissionsExt::from_mode(0o600),
        )
        .unwrap();
    }
    let before = std::fs::read(data.join("session.json")).unwrap();

    let listed: serde_json::Value =
        serde_json::from_slice(&run(&h, &["profiles", "--json"], "", &[]).await.stdout).unwrap();
    assert_eq!(listed[0]["name"], "default");
    assert_eq!(listed[0]["active"], true);
    assert_eq!(
        listed[0]["user"], "张三",
        "signed in, no re-login: {listed}"
    );
    let status: serde_json::Value =
        serde_json::from_slice(&run(&h, &["status", "--json"], "", &[]).await.stdout).unwrap();
    assert_eq!(status["profile"], "default");
    assert_eq!(status["signedIn"], true);
    assert_eq!(status["brand"], "sandbox");
    assert_eq!(
        std::fs::read(data.join("session.json")).unwrap(),
        before,
        "read, not rewritten: the older version still reads it"
    );
}

/// Release 0.1 kept its files in `~/.local/share/dev.feishu-signin.app`, named by the identifier
/// that has since changed: the first command moves the folder whole and finds the session there.
#[tokio::test(flavor = "multi_thread")]
async fn the_data_folder_of_release_0_1_0_moves_to_the_new_identifier_signed_in() {
    let h = Harness::new(|b| b).await;
    let fixture =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/release-0.1.0");
    let share = h.dir.path().join("share");
    let former = share.join(feishu_oauth::FORMER_APP_IDENTIFIER);
    std::fs::create_dir_all(&former).unwrap();
    for file in ["session.json", "sandbox-emulator.json"] {
        std::fs::copy(fixture.join(file), former.join(file)).unwrap();
        std::fs::set_permissions(
            former.join(file),
            std::os::unix::fs::PermissionsExt::from_mode(0o600),
        )
        .unwrap();
    }
    let before = std::fs::read(former.join("session.json")).unwrap();

    let mut cmd = h.bare_command(&["status", "--json"]);
    cmd.env_remove("FEISHU_SIGNIN_DATA_DIR")
        .env("XDG_DATA_HOME", &share);
    let out = cmd.output().await.unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    let status: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(status["signedIn"], true, "no re-login: {status}");
    assert_eq!(status["user"]["name"], "张三", "{status}");

    let current = share.join(feishu_oauth::APP_IDENTIFIER);
    assert!(!former.exists(), "the old folder is gone");
    assert_eq!(std::fs::read(current.join("session.json")).unwrap(), before);
}
