//! A whole sign-in over real loopback HTTP against the emulator: begin, listen, consent in the
//! "browser", exchange, user info.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stderr)]

mod common;

use std::time::Duration;

use common::{arrive, browse, setup};
use feishu_emulator::{browse::Decision, Endpoint};
use feishu_oauth::{begin, Error, LoopbackListener};

#[tokio::test]
async fn sign_in_end_to_end() {
    let s = setup(|b| b).await;
    let (url, pending) = begin(s.request("offline_access contact:user.email:readonly"));
    let listener = LoopbackListener::bind(&s.redirect_uri).await.unwrap();
    let browser = tokio::spawn(browse(url, Decision::Approve));
    let arrival = listener
        .wait(pending.state_matcher(), Duration::from_secs(10))
        .await
        .unwrap();
    let session = pending.complete(arrival.callback, &s.client).await.unwrap();
    arrival.responder.succeeded(&session.profile.name).await;
    browser.await.unwrap();

    assert_eq!(session.profile.name, "张三");
    assert!(session.profile.email.is_some(), "email scope granted");
    assert!(session.scopes.contains("offline_access"));
    assert!(session.refresh_token.is_some());
    assert!(session.access_token_expires_at > session.access_token_issued_at);
    assert_eq!(s.emulator.calls(Endpoint::Token), 1);
    assert_eq!(s.emulator.calls(Endpoint::UserInfo), 1);
}

#[tokio::test]
async fn no_offline_access_no_refresh_token() {
    let s = setup(|b| b).await;
    let (pending, arrival) = arrive(&s, "contact:user.base:readonly", Decision::Approve).await;
    let session = pending.complete(arrival.callback, &s.client).await.unwrap();
    assert!(session.refresh_token.is_none() && session.refresh_token_expires_at.is_none());
}

#[tokio::test]
async fn declined_consent_is_access_denied_and_exchanges_nothing() {
    let s = setup(|b| b).await;
    let (pending, arrival) = arrive(&s, "offline_access", Decision::Deny).await;
    let err = pending
        .complete(arrival.callback, &s.client)
        .await
        .unwrap_err();
    assert!(matches!(err, Error::AccessDenied), "{err}");
    assert_eq!(s.emulator.calls(Endpoint::Token), 0);
}

#[tokio::test]
async fn transient_errors_are_retried_then_given_up() {
    let s = setup(|b| b).await;
    s.emulator.fail_next(Endpoint::Token, 3, 20072);
    let (pending, arrival) = arrive(&s, "offline_access", Decision::Approve).await;
    let err = pending
        .complete(arrival.callback, &s.client)
        .await
        .unwrap_err();
    assert_eq!(err.feishu_code(), Some(20072));
    assert_eq!(
        s.emulator.calls(Endpoint::Token),
        3,
        "three attempts in all"
    );
}

#[tokio::test]
async fn permanent_errors_are_not_retried() {
    let s = setup(|b| b).await;
    s.emulator.fail_next(Endpoint::Token, 1, 20010);
    let (pending, arrival) = arrive(&s, "offline_access", Decision::Approve).await;
    let err = pending
        .complete(arrival.callback, &s.client)
        .await
        .unwrap_err();
    assert_eq!(err.feishu_code(), Some(20010));
    assert!(
        err.to_string()
            .contains("The user does not have permission to use this app."),
        "{err}"
    );
    assert_eq!(s.emulator.calls(Endpoint::Token), 1);
}

#[tokio::test]
async fn a_wrong_verifier_fails_and_a_used_code_cannot_be_exchanged_again() {
    let s = setup(|b| b).await;
    let (pending, arrival) = arrive(&s, "offline_access", Decision::Approve).await;
    let feishu_oauth::Callback::Code { code, state } = arrival.callback else {
        panic!("no code")
    };

    let wrong = feishu_oauth::PkceVerifier::new("a".repeat(43));
    let err = s
        .client
        .exchange_code(&code, &s.redirect_uri, &wrong, None)
        .await
        .unwrap_err();
    assert_eq!(err.feishu_code(), Some(20049), "{err}");

    // The right verifier still works (a failed exchange does not spend the code) ...
    let callback = feishu_oauth::Callback::Code {
        code: code.clone(),
        state,
    };
    pending.complete(callback, &s.client).await.unwrap();
    // ... once.
    let again = feishu_oauth::PkceVerifier::new("b".repeat(43));
    let err = s
        .client
        .exchange_code(&code, &s.redirect_uri, &again, None)
        .await
        .unwrap_err();
    assert_eq!(err.feishu_code(), Some(20065), "{err}");
    assert!(err.to_string().contains("can only be used once"), "{err}");
}
