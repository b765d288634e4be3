//! Refreshing: single use, rotation, the old access token's last minute, revocation, expiry.

use std::time::Duration;

use feishu_emulator::Emulator;

use crate::common::{
    assert_oauth_error, code_for, emulator, exchange_body, refresh_body, sign_in, token, user_info,
    REDIRECT_URI,
};

const SCOPE: &str = "offline_access contact:user.email:readonly contact:user.phone:readonly";

fn refresh_token_of(body: &serde_json::Value) -> String {
    body["refresh_token"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn refresh_tokens_rotate_and_the_old_access_token_lasts_a_minute() {
    let emulator = emulator().await;
    let first = sign_in(&emulator, SCOPE).await;
    let old_access = first["access_token"].as_str().unwrap();

    let second = token(
        &emulator,
        &refresh_body(&emulator, &refresh_token_of(&first)),
    )
    .await;
    assert_eq!(second.status, 200, "{}", second.body);
    assert_eq!(second.body["code"], 0);
    assert_eq!(second.body["token_type"], "Bearer");
    assert_eq!(second.body["scope"], first["scope"]);
    assert_ne!(second.body["access_token"], first["access_token"]);
    assert_ne!(second.body["refresh_token"], first["refresh_token"]);
    assert_eq!(emulator.refreshes(), 1);

    // The old refresh token is spent.
    assert_oauth_error(
        &token(
            &emulator,
            &refresh_body(&emulator, &refresh_token_of(&first)),
        )
        .await,
        400,
        20073,
    );
    assert_eq!(emulator.refreshes(), 1);

    // The old access token keeps working for a minute, then it is invalid.
    assert_eq!(user_info(&emulator, old_access).await.status, 200);
    emulator.advance_clock(Duration::from_secs(59));
    assert_eq!(user_info(&emulator, old_access).await.status, 200);
    emulator.advance_clock(Duration::from_secs(2));
    let stale = user_info(&emulator, old_access).await;
    assert_eq!(
        (stale.status, &stale.body["code"]),
        (401, &99_991_668.into())
    );
    let new_access = second.body["access_token"].as_str().unwrap();
    assert_eq!(user_info(&emulator, new_access).await.status, 200);

    // The new refresh token works once.
    let third = token(
        &emulator,
        &refresh_body(&emulator, &refresh_token_of(&second.body)),
    )
    .await;
    assert_eq!(third.status, 200);
    assert_eq!(emulator.refreshes(), 2);
}

#[tokio::test]
async fn form_refresh_is_accepted_too() {
    let emulator = emulator().await;
    let first = sign_in(&emulator, "offline_access").await;
    let answer = crate::common::token_form(
        &emulator,
        &refresh_body(&emulator, &refresh_token_of(&first)),
    )
    .await;
    assert_eq!(answer.status, 200, "{}", answer.body);
}

#[tokio::test]
async fn narrowing_on_refresh_does_not_accumulate() {
    let emulator = emulator().await;
    let first = sign_in(&emulator, SCOPE).await;
    let mut body = refresh_body(&emulator, &refresh_token_of(&first));
    body["scope"] = "offline_access contact:user.email:readonly".into();
    let narrowed = token(&emulator, &body).await;
    assert_eq!(
        narrowed.body["scope"],
        "contact:user.email:readonly offline_access"
    );

    let mut body = refresh_body(&emulator, &refresh_token_of(&narrowed.body));
    body["scope"] = "offline_access contact:user.phone:readonly".into();
    let other = token(&emulator, &body).await;
    assert_eq!(
        other.body["scope"],
        "contact:user.phone:readonly offline_access"
    );

    let body = refresh_body(&emulator, &refresh_token_of(&other.body));
    let full = token(&emulator, &body).await;
    assert_eq!(full.body["scope"], first["scope"]);

    let mut body = refresh_body(&emulator, &refresh_token_of(&full.body));
    body["scope"] = "contact:user.email:readonly contact:user.email:readonly".into();
    assert_oauth_error(&token(&emulator, &body).await, 400, 20067);
    body["scope"] = "offline_access contact:user.employee:readonly".into();
    assert_oauth_error(&token(&emulator, &body).await, 400, 20068);

    // Narrowed without offline_access: an access token, and no new refresh token.
    body["scope"] = "contact:user.email:readonly".into();
    let last = token(&emulator, &body).await;
    assert_eq!(last.status, 200);
    assert!(last.body.get("refresh_token").is_none());
    assert!(last.body.get("refresh_token_expires_in").is_none());
}

#[tokio::test]
async fn refresh_errors() {
    let emulator = emulator().await;
    assert_oauth_error(
        &token(&emulator, &refresh_body(&emulator, "eyJnot-a-token")).await,
        400,
        20026,
    );
    let first = sign_in(&emulator, "offline_access").await;
    let mut body = refresh_body(&emulator, &refresh_token_of(&first));
    body.as_object_mut().unwrap().remove("refresh_token");
    assert_oauth_error(&token(&emulator, &body).await, 400, 20001);
    let mut body = refresh_body(&emulator, &refresh_token_of(&first));
    body["client_secret"] = "wrong".into();
    assert_oauth_error(&token(&emulator, &body).await, 400, 20002);
    assert_eq!(emulator.refreshes(), 0);
}

#[tokio::test]
async fn revoked_refresh_tokens_answer_20064() {
    let emulator = emulator().await;
    let first = sign_in(&emulator, "offline_access").await;
    emulator.revoke_refresh_tokens();
    assert_oauth_error(
        &token(
            &emulator,
            &refresh_body(&emulator, &refresh_token_of(&first)),
        )
        .await,
        400,
        20064,
    );
}

#[tokio::test]
async fn expired_authorizations_and_refresh_tokens_answer_20037() {
    let emulator = emulator().await;
    let first = sign_in(&emulator, "offline_access").await;
    emulator.expire_authorization();
    assert_oauth_error(
        &token(
            &emulator,
            &refresh_body(&emulator, &refresh_token_of(&first)),
        )
        .await,
        400,
        20037,
    );

    let short = Emulator::builder()
        .redirect_uri(REDIRECT_URI)
        .refresh_token_ttl(Duration::from_secs(60))
        .start()
        .await
        .unwrap();
    let first = sign_in(&short, "offline_access").await;
    assert_eq!(first["refresh_token_expires_in"], 60);
    short.advance_clock(Duration::from_secs(60));
    assert_oauth_error(
        &token(&short, &refresh_body(&short, &refresh_token_of(&first))).await,
        400,
        20037,
    );
}

#[tokio::test]
async fn a_refresh_token_of_another_app_answers_20024() {
    let emulator = Emulator::builder()
        .redirect_uri(REDIRECT_URI)
        .additional_app("cli_other", "other-secret")
        .start()
        .await
        .unwrap();
    let code = code_for(&emulator, "offline_access").await;
    let first = token(&emulator, &exchange_body(&emulator, &code))
        .await
        .body;
    let mut body = refresh_body(&emulator, &refresh_token_of(&first));
    body["client_id"] = "cli_other".into();
    body["client_secret"] = "other-secret".into();
    assert_oauth_error(&token(&emulator, &body).await, 400, 20024);
}
