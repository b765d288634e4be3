//! Deep links that match no pending sign-in, carry a wrong `state`, are malformed or huge are
//! logged and ignored, with no exchange attempted; the genuine one still completes the sign-in.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stderr)]

mod support;

use std::time::Duration;

use feishu_emulator::{
    browse::{Browser, Decision},
    Emulator, Endpoint,
};
use serde_json::json;
use support::{app, invoke, use_emulator};

const REDIRECT: &str = "dev.feishu-signin.app:/callback";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostile_deep_links_are_ignored_and_the_genuine_one_signs_in() {
    let dir = tempfile::tempdir().unwrap();
    let emulator = Emulator::builder()
        .redirect_uri(REDIRECT)
        .start()
        .await
        .unwrap();
    use_emulator(dir.path(), &emulator, REDIRECT);
    let url_file = dir.path().join("authorize-url");
    std::env::set_var(
        "FEISHU_SIGNIN_BROWSER",
        format!("printf '%s' >'{}'", url_file.display()),
    );
    let (app, webview) = app();
    let handle = app.handle().clone();

    // No sign-in is waiting: ignored.
    feishu_signin_lib::handle_deep_link(
        &handle,
        "dev.feishu-signin.app:/callback?code=abc&state=xyz",
    );

    let w = webview.clone();
    let signing_in = tokio::task::spawn_blocking(move || {
        invoke(
            &w,
            "sign_in",
            json!({"route": "deepLink", "scopes": ["offline_access"]}),
        )
    });
    let authorize = loop {
        if let Ok(url) = std::fs::read_to_string(&url_file) {
            if !url.is_empty() {
                break url::Url::parse(&url).unwrap();
            }
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    let state = authorize
        .query_pairs()
        .find(|(k, _)| k == "state")
        .unwrap()
        .1
        .into_owned();
    let genuine = Browser::new()
        .unwrap()
        .consent(&authorize, Decision::Approve)
        .await
        .unwrap();

    let huge = format!(
        "dev.feishu-signin.app:/callback?code={}&state={state}",
        "a".repeat(100_000)
    );
    for hostile in [
        "dev.feishu-signin.app:/callback?code=abc&state=forged".to_owned(),
        format!("dev.feishu-signin.app:/elsewhere?code=abc&state={state}"),
        format!("other.app:/callback?code=abc&state={state}"),
        format!("dev.feishu-signin.app:/callback?code=a&code=b&state={state}"),
        format!("dev.feishu-signin.app:/callback?state={state}"),
        "dev.feishu-signin.app:%%%".to_owned(),
        huge,
    ] {
        feishu_signin_lib::handle_deep_link(&handle, &hostile);
    }
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert!(
        !signing_in.is_finished(),
        "no hostile link ended the sign-in"
    );
    assert_eq!(
        emulator.calls(Endpoint::Token),
        0,
        "no exchange was attempted"
    );

    feishu_signin_lib::handle_deep_link(&handle, genuine.as_str());
    let view = signing_in.await.unwrap().unwrap();
    assert_eq!(view["session"]["profile"]["name"], "张三");
    assert_eq!(emulator.calls(Endpoint::Token), 1);

    // A replay of the used link after the sign-in ended: ignored.
    feishu_signin_lib::handle_deep_link(&handle, genuine.as_str());
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert_eq!(emulator.calls(Endpoint::Token), 1);
}
