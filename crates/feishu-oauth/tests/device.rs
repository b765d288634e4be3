//! The device flow's client against the emulator, every state of it: a code and its address,
//! pending, slow_down, approved (the tokens work), denied, expired, a spent code, and an app
//! without the device flow (the fallback's signal).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stderr)]

mod common;

use std::time::Duration;

use common::setup;
use feishu_emulator::browse::{Browser, Decision};
use feishu_oauth::{device::DevicePoll, Error, Scopes};

fn scopes(list: &[&str]) -> Scopes {
    Scopes::from_iter_checked(list).unwrap()
}

#[tokio::test]
async fn pending_then_slow_down_then_the_tokens_once_approved_then_spent() {
    let s = setup(|b| b.device_poll_interval(Duration::from_secs(1))).await;
    let code = s
        .client
        .device_authorization(&scopes(&["offline_access"]))
        .await
        .unwrap();
    assert_eq!(code.interval, Duration::from_secs(1));
    assert!(code
        .verification_uri_complete
        .as_str()
        .contains(&code.user_code));
    assert!(matches!(
        s.client.poll_device(&code.device_code).await.unwrap(),
        DevicePoll::Pending
    ));
    // At once again: faster than the interval.
    assert!(matches!(
        s.client.poll_device(&code.device_code).await.unwrap(),
        DevicePoll::SlowDown
    ));
    Browser::new()
        .unwrap()
        .device(&code.verification_uri_complete, Decision::Approve)
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let DevicePoll::Granted(grant) = s.client.poll_device(&code.device_code).await.unwrap() else {
        panic!("approved, so granted");
    };
    assert!(
        grant.refresh_token.is_some(),
        "offline_access was asked for"
    );
    let profile = s.client.user_info(&grant.access_token).await.unwrap();
    assert_eq!(profile.name, "张三");
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let spent = s.client.poll_device(&code.device_code).await.unwrap_err();
    assert!(
        matches!(&spent, Error::AuthorizationFailed { error, .. } if error == "invalid_grant"),
        "{spent}"
    );
}

#[tokio::test]
async fn a_denied_code_is_access_denied_and_an_expired_one_expired_token() {
    let s = setup(|b| {
        b.device_poll_interval(Duration::from_secs(1))
            .device_code_ttl(Duration::from_secs(60))
    })
    .await;
    let code = s.client.device_authorization(&scopes(&[])).await.unwrap();
    Browser::new()
        .unwrap()
        .device(&code.verification_uri_complete, Decision::Deny)
        .await
        .unwrap();
    assert!(matches!(
        s.client.poll_device(&code.device_code).await.unwrap_err(),
        Error::AccessDenied
    ));

    let code = s.client.device_authorization(&scopes(&[])).await.unwrap();
    s.emulator.advance_clock(Duration::from_secs(61));
    let expired = s.client.poll_device(&code.device_code).await.unwrap_err();
    assert!(
        matches!(&expired, Error::AuthorizationFailed { error, .. } if error == "expired_token"),
        "{expired}"
    );
}

#[tokio::test]
async fn an_app_without_the_device_flow_is_unavailable_not_a_failure_of_the_sign_in() {
    let s = setup(|b| b.device_flow(false)).await;
    let refused = s
        .client
        .device_authorization(&scopes(&[]))
        .await
        .unwrap_err();
    let Error::DeviceFlowUnavailable { reason } = &refused else {
        panic!("{refused}");
    };
    assert!(
        reason.contains("unauthorized_client") && reason.contains("400"),
        "{reason}"
    );
    assert!(refused.to_string().contains("--method paste"), "{refused}");
}
