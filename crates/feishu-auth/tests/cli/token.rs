//! `token` when the refresh ahead of expiry fails: a token that is still valid is printed (with a
//! warning on stderr); only a token that can no longer be used is a failure.

use feishu_emulator::Endpoint;
use time::{format_description::well_known::Rfc3339, Duration, OffsetDateTime};

use crate::common::{free_port, text, Harness};

/// Rewrites the stored session so that its access token was issued two hours ago and expires
/// `left` from now (negative: expired): inside its 5-minute refresh margin.
fn expire_in(h: &Harness, left: Duration) {
    let path = h.dir.path().join("data/session.json");
    let mut doc: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    let now = OffsetDateTime::now_utc();
    let at = |t: OffsetDateTime| serde_json::Value::from(t.format(&Rfc3339).unwrap());
    doc["session"]["access_token_issued_at"] = at(now - Duration::hours(2));
    doc["session"]["access_token_expires_at"] = at(now + left);
    std::fs::write(&path, serde_json::to_vec(&doc).unwrap()).unwrap();
}

async fn signed_in_token(h: &Harness) -> String {
    assert!(h.run(&["login"]).await.status.success());
    let out = h.run(&["token"]).await;
    assert!(out.status.success());
    text(&out.stdout)
}

#[tokio::test(flavor = "multi_thread")]
async fn a_feishu_fault_on_the_early_refresh_still_prints_the_valid_token() {
    let h = Harness::new(|b| b).await;
    let token = signed_in_token(&h).await;
    expire_in(&h, Duration::minutes(2));
    assert_eq!(h.status().await["tokenStatus"], "needsRefresh");

    // 20050 three times: every attempt the client makes.
    h.emulator.fail_next(Endpoint::Token, 3, 20050);
    let out = h.run(&["token"]).await;
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout), token, "the still-valid token");
    let err = text(&out.stderr);
    assert!(
        err.contains("Warning") && err.contains("20050") && err.contains("valid until"),
        "{err}"
    );
    assert!(
        !err.contains('\x1b'),
        "no terminal colours in a pipe: {err:?}"
    );
    assert_eq!(h.emulator.refreshes(), 0);

    // Once Feishu answers again, the next call refreshes.
    let out = h.run(&["token"]).await;
    assert!(out.status.success());
    assert!(out.stderr.is_empty(), "{}", text(&out.stderr));
    assert_ne!(text(&out.stdout), token);
    assert_eq!(h.emulator.refreshes(), 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn an_unreachable_feishu_on_the_early_refresh_still_prints_the_valid_token() {
    let h = Harness::new(|b| b).await;
    let token = signed_in_token(&h).await;
    expire_in(&h, Duration::minutes(2));

    // Nothing listens there: the network is down, as far as the refresh can tell.
    let down = format!("http://127.0.0.1:{}", free_port());
    let out = h
        .command(&["token"])
        .env("FEISHU_ACCOUNTS_URL", &down)
        .env("FEISHU_OPEN_URL", &down)
        .output()
        .await
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout), token);
    assert!(
        text(&out.stderr).contains("Warning"),
        "{}",
        text(&out.stderr)
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn an_expired_token_that_cannot_be_refreshed_is_a_failure() {
    let h = Harness::new(|b| b).await;
    signed_in_token(&h).await;
    expire_in(&h, Duration::seconds(-1));
    h.emulator.fail_next(Endpoint::Token, 3, 20050);
    let out = h.run(&["token"]).await;
    assert_eq!(out.status.code(), Some(6), "Feishu's error");
    assert!(out.stdout.is_empty(), "no expired token on stdout");
    assert!(text(&out.stderr).contains("20050"));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_refused_early_refresh_ends_the_session_and_prints_nothing() {
    let h = Harness::new(|b| b).await;
    signed_in_token(&h).await;
    expire_in(&h, Duration::minutes(2));
    // The grant ended at Feishu: the token is no longer one to hand out.
    h.emulator.revoke_refresh_tokens();
    let out = h.run(&["token"]).await;
    assert_eq!(out.status.code(), Some(3), "sign in again");
    assert!(out.stdout.is_empty());
    assert!(text(&out.stderr).contains("20064"), "{}", text(&out.stderr));
}
