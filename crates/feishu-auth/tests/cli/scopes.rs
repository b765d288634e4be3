//! Scopes from a terminal, against the emulator (whose rules are the token page's): a token
//! narrowed for a script while the session keeps its full one and its refresh token, also with
//! others asking at once; a scope never granted explained with the ones held; more scopes asked
//! for the signed-in user (granted, declined, another user approving); `check`'s exit statuses.

use std::time::Duration;

use feishu_emulator::{Emulator, Profile};

use crate::common::{output, text, Harness};

const EMAIL: &str = "contact:user.email:readonly";
const USER_ID: &str = "contact:user.employee_id:readonly";

/// Signed in with `offline_access`, the email and the user ID.
async fn signed_in() -> Harness {
    let h = Harness::new(|b| b).await;
    let out = h
        .run(&[
            "login",
            "--scope",
            "offline_access",
            "--scope",
            EMAIL,
            "--scope",
            USER_ID,
        ])
        .await;
    assert!(out.status.success(), "{}", text(&out.stderr));
    h
}

/// The user-info fields `token` reaches: the email and user ID only with their scopes.
async fn reach(h: &Harness, token: &str) -> (bool, bool) {
    let url = h
        .emulator
        .base_url()
        .join("open-apis/authen/v1/user_info")
        .unwrap();
    let body: serde_json::Value = reqwest::Client::new()
        .get(url)
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let data = &body["data"];
    (data["email"].is_string(), data["user_id"].is_string())
}

async fn token(h: &Harness, scopes: &[&str]) -> std::process::Output {
    let mut args = vec!["token"];
    for scope in scopes {
        args.extend(["--scope", scope]);
    }
    h.run(&args).await
}

#[tokio::test(flavor = "multi_thread")]
async fn a_narrowed_token_holds_only_its_scopes_and_the_session_stays_whole() {
    let h = signed_in().await;
    let out = token(&h, &[EMAIL]).await;
    assert!(out.status.success(), "{}", text(&out.stderr));
    let narrowed = text(&out.stdout).trim().to_owned();
    assert_eq!(
        reach(&h, &narrowed).await,
        (true, false),
        "narrowed to the email"
    );
    assert_eq!(
        h.emulator.refreshes(),
        2,
        "two refresh calls per narrowed token"
    );
    // The session: full scopes, a full token, and it still refreshes.
    let full = text(&h.run(&["token"]).await.stdout).trim().to_owned();
    assert_ne!(full, narrowed);
    assert_eq!(reach(&h, &full).await, (true, true));
    let status = h.status().await;
    let scopes: Vec<&str> = status["scopes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_str().unwrap())
        .collect();
    assert!(
        scopes.contains(&EMAIL) && scopes.contains(&USER_ID),
        "{status}"
    );
    assert!(status["refreshTokenExpiresAt"].is_string(), "{status}");
    assert!(h.run(&["refresh"]).await.status.success());

    // Several scripts at once, narrowed and not: each gets its token, at most two refreshes a
    // narrowed one, and the session is whole afterwards.
    let before = h.emulator.refreshes();
    let mut runs = Vec::new();
    for i in 0..6 {
        let args: &'static [&'static str] = if i % 2 == 0 {
            &["token", "--scope", USER_ID]
        } else {
            &["token"]
        };
        runs.push(output(h.command(args), args, ""));
    }
    let outs = futures_join(runs).await;
    for out in &outs {
        assert!(out.status.success(), "{}", text(&out.stderr));
    }
    assert!(
        h.emulator.refreshes() - before <= 6,
        "{}",
        h.emulator.refreshes() - before
    );
    let full = text(&h.run(&["token"]).await.stdout).trim().to_owned();
    assert_eq!(
        reach(&h, &full).await,
        (true, true),
        "the session is not left narrowed"
    );
    assert!(h.run(&["refresh"]).await.status.success());
}

/// Runs futures at once, in order of their results.
async fn futures_join<F: std::future::Future<Output = std::process::Output> + Send + 'static>(
    runs: Vec<F>,
) -> Vec<std::process::Output> {
    let handles: Vec<_> = runs.into_iter().map(tokio::spawn).collect();
    let mut outs = Vec::new();
    for handle in handles {
        outs.push(handle.await.unwrap());
    }
    outs
}

#[tokio::test(flavor = "multi_thread")]
async fn a_scope_never_granted_is_explained_and_spends_nothing() {
    let h = signed_in().await;
    let out = token(&h, &["contact:user.phone:readonly"]).await;
    assert_eq!(out.status.code(), Some(7), "{}", text(&out.stderr));
    let said = text(&out.stderr);
    assert!(
        said.contains("The scope contact:user.phone:readonly was not granted (Feishu error 20068)")
            && said.contains(EMAIL)
            && said.contains("feishu-auth login --add-scope contact:user.phone:readonly"),
        "{said}"
    );
    assert!(out.stdout.is_empty());
    assert_eq!(h.emulator.refreshes(), 0, "nothing was spent");
    assert!(
        h.run(&["refresh"]).await.status.success(),
        "the session still refreshes"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn check_exits_0_when_every_scope_is_held_and_7_naming_the_missing() {
    let h = Harness::new(|b| b).await;
    let out = h.run(&["check", "--scope", EMAIL]).await;
    assert_eq!(out.status.code(), Some(3), "signed out");
    assert!(h.run(&["login"]).await.status.success());
    let out = h
        .run(&["check", "--scope", EMAIL, "--scope", "offline_access"])
        .await;
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let out = h
        .run(&["check", "--scope", EMAIL, "--scope", USER_ID])
        .await;
    assert_eq!(out.status.code(), Some(7));
    let said = text(&out.stdout);
    assert!(
        said.contains(&format!("Not granted: {USER_ID}")) && said.contains("--add-scope"),
        "{said}"
    );
    let out = h.run(&["check", "--json", "--scope", USER_ID]).await;
    assert_eq!(out.status.code(), Some(7));
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["ok"], false);
    assert_eq!(doc["missing"], serde_json::json!([USER_ID]));
    assert!(doc["granted"]
        .as_array()
        .unwrap()
        .iter()
        .any(|s| s == EMAIL));
}

/// Another user of the same tenant.
fn li_si() -> Profile {
    let mut profile = Profile::default();
    profile.name = "李四".into();
    profile.en_name = "Li Si".into();
    profile.email = "lisi@example.com".into();
    profile.user_id = "7a1c22b9".into();
    profile
}

#[tokio::test(flavor = "multi_thread")]
async fn more_scopes_for_the_same_user_replace_the_session_and_nothing_else_does() {
    let h = Harness::new(|b| b).await;
    assert!(h.run(&["login"]).await.status.success());
    // Declined: the session stays as it was.
    let before = std::fs::read(h.session_file()).unwrap();
    let mut declined = h.command(&["login", "--add-scope", USER_ID]);
    declined.env("FEISHU_SIGNIN_BROWSER", format!("{} --deny", h.browser));
    let out = output(declined, &["login", "--add-scope"], "").await;
    assert_eq!(out.status.code(), Some(5), "{}", text(&out.stderr));
    assert_eq!(std::fs::read(h.session_file()).unwrap(), before);

    // Approved by the same user: the granted scopes plus the new one.
    let out = h.run(&["login", "--add-scope", USER_ID]).await;
    assert!(out.status.success(), "{}", text(&out.stderr));
    let said = text(&out.stderr);
    let asked = said
        .lines()
        .find_map(|l| l.strip_prefix("Asking 张三 for: "))
        .unwrap_or_else(|| panic!("{said}"));
    for scope in ["offline_access", EMAIL, USER_ID] {
        assert!(asked.split(' ').any(|s| s == scope), "{asked}");
    }
    let out = h
        .run(&["check", "--scope", USER_ID, "--scope", EMAIL])
        .await;
    assert_eq!(out.status.code(), Some(0));

    // Approved by someone else (an identity provider signed in as another user): refused,
    // nothing saved, 张三 stays.
    let other = Emulator::builder()
        .app_id(h.emulator.app_id())
        .app_secret(h.secret.clone())
        .redirect_uri(h.redirect_uri.clone())
        .profile(li_si())
        .start()
        .await
        .unwrap();
    let before = std::fs::read(h.session_file()).unwrap();
    let base = other.base_url().to_string();
    let mut elsewhere = h.command(&["login", "--add-scope", "contact:user.phone:readonly"]);
    elsewhere
        .env("FEISHU_ACCOUNTS_URL", &base)
        .env("FEISHU_OPEN_URL", &base);
    let out = output(elsewhere, &["login", "--add-scope"], "").await;
    assert!(!out.status.success());
    let said = text(&out.stderr);
    assert!(
        said.contains("李四 approved") && said.contains("张三 stays signed in"),
        "{said}"
    );
    assert_eq!(std::fs::read(h.session_file()).unwrap(), before);
    assert_eq!(h.status().await["user"]["name"], "张三");
    tokio::time::sleep(Duration::from_millis(10)).await;
}
