//! Injected failures and call counting.

use feishu_emulator::browse::{BrowseError, Decision};
use feishu_emulator::Endpoint;

use crate::common::{
    assert_oauth_error, authorize_url, browser, code_for, emulator, exchange_body, sign_in, token,
    user_info,
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
