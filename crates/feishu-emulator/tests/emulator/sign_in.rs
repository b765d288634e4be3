//! The whole sign-in as the app does it: consent, code, exchange (JSON or form), user info.

use serde_json::Value;

use crate::common::{
    assert_oauth_error, code_for, emulator, exchange_body, sign_in, token, token_form, user_info,
};

fn assert_success_shape(body: &Value, with_refresh: bool) {
    let mut fields: Vec<&str> = body
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    fields.sort_unstable();
    let mut expected = vec!["access_token", "code", "expires_in", "scope", "token_type"];
    if with_refresh {
        expected.extend(["refresh_token", "refresh_token_expires_in"]);
    }
    expected.sort_unstable();
    assert_eq!(fields, expected, "{body}");
    assert_eq!(body["code"], 0);
    assert_eq!(body["token_type"], "Bearer");
    let access_token = body["access_token"].as_str().unwrap();
    assert!(access_token.starts_with("eyJ") && access_token.len() >= 300);
}

#[tokio::test]
async fn json_exchange_then_user_info() {
    let emulator = emulator().await;
    let code = code_for(&emulator, "offline_access contact:user.email:readonly").await;
    let answer = token(&emulator, &exchange_body(&emulator, &code)).await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    assert_eq!(
        answer.headers["content-type"],
        "application/json; charset=utf-8"
    );
    assert_eq!(answer.headers["cache-control"], "no-store");
    assert!(answer.headers.contains_key("date"), "{:?}", answer.headers);
    assert_success_shape(&answer.body, true);
    assert_eq!(answer.body["expires_in"], 7200);
    assert_eq!(answer.body["refresh_token_expires_in"], 604_800);
    assert_eq!(
        answer.body["scope"],
        "contact:user.email:readonly offline_access"
    );
    assert_ne!(answer.body["access_token"], answer.body["refresh_token"]);

    let info = user_info(&emulator, answer.body["access_token"].as_str().unwrap()).await;
    assert_eq!(info.status, 200);
    assert_eq!(info.body["code"], 0);
    assert_eq!(info.body["msg"], "success");
    let data = &info.body["data"];
    assert_eq!(data["name"], "张三");
    assert_eq!(data["en_name"], "Zhang San");
    assert!(data["open_id"].as_str().unwrap().starts_with("ou_"));
    assert!(data["union_id"].as_str().unwrap().starts_with("on_"));
    assert!(data["email"].is_string());
    assert!(data["tenant_key"].is_string());
    for avatar in ["avatar_url", "avatar_thumb", "avatar_middle", "avatar_big"] {
        assert!(
            data[avatar]
                .as_str()
                .unwrap()
                .starts_with("data:image/svg+xml"),
            "{avatar}"
        );
    }
}

#[tokio::test]
async fn form_exchange_is_accepted_too() {
    let emulator = emulator().await;
    let code = code_for(&emulator, "offline_access").await;
    let answer = token_form(&emulator, &exchange_body(&emulator, &code)).await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    assert_success_shape(&answer.body, true);
}

#[tokio::test]
async fn without_offline_access_there_is_no_refresh_token() {
    let emulator = emulator().await;
    let body = sign_in(&emulator, "contact:user.email:readonly").await;
    assert_success_shape(&body, false);
    assert_eq!(body["scope"], "contact:user.email:readonly");
}

#[tokio::test]
async fn with_no_scope_the_token_carries_none() {
    let emulator = emulator().await;
    let body = sign_in(&emulator, "").await;
    assert_success_shape(&body, false);
    assert_eq!(body["scope"], "");
}

#[tokio::test]
async fn narrowing_at_the_exchange_must_keep_offline_access_for_a_refresh_token() {
    let emulator = emulator().await;
    let scope = "offline_access contact:user.email:readonly contact:user.phone:readonly";

    let code = code_for(&emulator, scope).await;
    let mut body = exchange_body(&emulator, &code);
    body["scope"] = "contact:user.email:readonly".into();
    let narrowed = token(&emulator, &body).await;
    assert_success_shape(&narrowed.body, false);
    assert_eq!(narrowed.body["scope"], "contact:user.email:readonly");

    let code = code_for(&emulator, scope).await;
    let mut body = exchange_body(&emulator, &code);
    body["scope"] = "offline_access contact:user.phone:readonly".into();
    let kept = token(&emulator, &body).await;
    assert_success_shape(&kept.body, true);
    assert_eq!(
        kept.body["scope"],
        "contact:user.phone:readonly offline_access"
    );
}

#[tokio::test]
async fn narrowing_refuses_duplicates_and_scopes_not_granted() {
    let emulator = emulator().await;
    let code = code_for(&emulator, "offline_access contact:user.email:readonly").await;
    let mut body = exchange_body(&emulator, &code);
    body["scope"] = "offline_access offline_access".into();
    assert_oauth_error(&token(&emulator, &body).await, 400, 20067);
    body["scope"] = "offline_access contact:user.phone:readonly".into();
    assert_oauth_error(&token(&emulator, &body).await, 400, 20068);
    // The refused attempts did not spend the code.
    body["scope"] = "offline_access".into();
    assert_eq!(token(&emulator, &body).await.status, 200);
}

#[tokio::test]
async fn grants_are_cumulative_across_sign_ins() {
    let emulator = emulator().await;
    sign_in(&emulator, "contact:user.email:readonly").await;
    let second = sign_in(&emulator, "offline_access").await;
    assert_eq!(
        second["scope"],
        "contact:user.email:readonly offline_access"
    );
}

#[tokio::test]
async fn unknown_paths_answer_404_json() {
    let emulator = emulator().await;
    let response = crate::common::client()
        .get(
            emulator
                .base_url()
                .join("open-apis/authen/v1/nothing")
                .unwrap(),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 404);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["code"], 404);
    let wrong_method = crate::common::client()
        .get(
            emulator
                .base_url()
                .join("open-apis/authen/v2/oauth/token")
                .unwrap(),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(wrong_method.status(), 405);
}
