//! Injected failures and call counting.

use std::time::{Duration, Instant};

use feishu_emulator::browse::{BrowseError, Decision};
use feishu_emulator::{Emulator, Endpoint};

use crate::common::{
    assert_oauth_error, authorize_url, browser, code_for, emulator, exchange_body, refresh_body,
    sign_in, token, user_info,
};

#[tokio::test]
async fn token_failures_use_the_table_status_then_stop() {
    let emulator = emulator().await;
    let code = code_for(&emulator, "offline_access").await;
    let body = exchange_body(&emulator, &code);
    emulator.fail_next(Endpoint::Token, 2, 20050);
    emulator.fail_next(Endpoint::Token, 1, 20072);
    emulator.fail_next(Endpoint::Token, 1, 12345);
    let first = token(&emulator, &body).await;
    assert_oauth_error(&first, 500, 20050);
    assert_eq!(first.body["error"], "server_error");
    assert_eq!(
        first.body["error_description"],
        "An unexpected server error occurred. Please retry your request."
    );
    assert_oauth_error(&token(&emulator, &body).await, 500, 20050);
    assert_oauth_error(&token(&emulator, &body).await, 503, 20072);
    assert_oauth_error(&token(&emulator, &body).await, 400, 12345);
    // The faulted calls did not spend the code.
    assert_eq!(token(&emulator, &body).await.status, 200);
    assert_eq!(emulator.calls(Endpoint::Token), 5);
}

#[tokio::test]
async fn user_info_failures() {
    let emulator = emulator().await;
    let body = sign_in(&emulator, "").await;
    let access_token = body["access_token"].as_str().unwrap();
    emulator.fail_next(Endpoint::UserInfo, 1, 99_991_677);
    let faulted = user_info(&emulator, access_token).await;
    assert_eq!(
        (faulted.status, &faulted.body["code"]),
        (401, &99_991_677.into())
    );
    assert_eq!(user_info(&emulator, access_token).await.status, 200);
    assert_eq!(emulator.calls(Endpoint::UserInfo), 2);
}

#[tokio::test]
async fn authorize_failures_show_an_error_page() {
    let emulator = emulator().await;
    emulator.fail_next(Endpoint::Authorize, 1, 20050);
    let url = authorize_url(&emulator, "");
    match browser().consent(&url, Decision::Approve).await {
        Err(BrowseError::ErrorPage(message)) => assert!(message.contains("20050"), "{message}"),
        other => panic!("{other:?}"),
    }
    assert!(browser().consent(&url, Decision::Approve).await.is_ok());
    assert_eq!(emulator.calls(Endpoint::Authorize), 2);
    assert_eq!(emulator.calls(Endpoint::Token), 0);
}

/// Waits (polling) until `count` requests have reached `endpoint`.
async fn arrived(emulator: &Emulator, endpoint: Endpoint, count: u32) {
    while emulator.calls(endpoint) < count {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

#[tokio::test]
async fn a_delayed_refresh_rotates_only_after_the_delay() {
    let emulator = emulator().await;
    let first = sign_in(&emulator, "offline_access").await;
    let body = refresh_body(&emulator, first["refresh_token"].as_str().unwrap());
    let delay = Duration::from_millis(600);
    emulator.delay_next(Endpoint::Token, 1, delay);
    let started = Instant::now();
    let (answer, ()) = tokio::join!(token(&emulator, &body), async {
        // The refresh has arrived (the sign-in's exchange was call 1) but is not processed yet.
        arrived(&emulator, Endpoint::Token, 2).await;
        assert_eq!(emulator.refreshes(), 0);
    });
    assert_eq!(answer.status, 200, "{}", answer.body);
    assert!(started.elapsed() >= delay, "{:?}", started.elapsed());
    assert_eq!(emulator.refreshes(), 1);

    // Only one request was delayed: the next answers at once (the spent token: 20073).
    let started = Instant::now();
    assert_oauth_error(&token(&emulator, &body).await, 400, 20073);
    assert!(started.elapsed() < delay, "{:?}", started.elapsed());
}

#[tokio::test]
async fn a_revocation_during_a_delayed_refresh_is_seen_by_it() {
    let emulator = emulator().await;
    let first = sign_in(&emulator, "offline_access").await;
    let body = refresh_body(&emulator, first["refresh_token"].as_str().unwrap());
    emulator.delay_next(Endpoint::Token, 1, Duration::from_millis(300));
    let (answer, ()) = tokio::join!(token(&emulator, &body), async {
        arrived(&emulator, Endpoint::Token, 2).await;
        // Signing out while the refresh is on its way: the grant is processed after this.
        emulator.revoke_refresh_tokens();
    });
    assert_oauth_error(&answer, 400, 20064);
    assert_eq!(emulator.refreshes(), 0);
}

#[tokio::test]
async fn a_delayed_request_can_fail_too() {
    let emulator = emulator().await;
    let delay = Duration::from_millis(200);
    emulator.delay_next(Endpoint::UserInfo, 1, delay);
    emulator.fail_next(Endpoint::UserInfo, 1, 99_991_677);
    let started = Instant::now();
    let faulted = user_info(&emulator, "t-anything").await;
    assert!(started.elapsed() >= delay, "{:?}", started.elapsed());
    assert_eq!(
        (faulted.status, &faulted.body["code"]),
        (401, &99_991_677.into())
    );
}
