//! `user_info`: fields gated by scopes, and the gateway's token errors.

use std::time::Duration;

use feishu_emulator::Emulator;
use serde_json::json;

use crate::common::{client, emulator, sign_in, user_info, REDIRECT_URI};

const GATED: [&str; 5] = [
    "email",
    "enterprise_email",
    "user_id",
    "mobile",
    "employee_no",
];

async fn data_for(emulator: &Emulator, scope: &str) -> serde_json::Value {
    let body = sign_in(emulator, scope).await;
    let info = user_info(emulator, body["access_token"].as_str().unwrap()).await;
    assert_eq!(info.status, 200, "{}", info.body);
    info.body["data"].clone()
}

#[tokio::test]
async fn sensitive_fields_need_their_scopes() {
    let emulator = emulator().await;
    let basic = data_for(&emulator, "").await;
    for field in GATED {
        assert!(basic.get(field).is_none(), "{field} without its scope");
    }
    for field in [
        "name",
        "en_name",
        "open_id",
        "union_id",
        "tenant_key",
        "avatar_url",
    ] {
        assert!(basic[field].is_string(), "{field}");
    }

    let emulator = crate::common::emulator().await;
    let employee = data_for(&emulator, "contact:user.employee:readonly").await;
    assert!(employee["enterprise_email"].is_string() && employee["employee_no"].is_string());
    assert!(employee.get("email").is_none() && employee.get("mobile").is_none());

    let emulator = crate::common::emulator().await;
    let everything = data_for(
        &emulator,
        "contact:user.email:readonly contact:user.employee:readonly \
         contact:user.employee_id:readonly contact:user.phone:readonly",
    )
    .await;
    for field in GATED {
        assert!(everything[field].is_string(), "{field} with its scope");
    }
}

#[tokio::test]
async fn ids_are_stable_across_sign_ins_and_instances() {
    let one = emulator().await;
    let two = emulator().await;
    let first = data_for(&one, "").await;
    let second = data_for(&two, "").await;
    assert_eq!(first["open_id"], second["open_id"]);
    assert_eq!(first["union_id"], second["union_id"]);
}

#[tokio::test]
async fn a_missing_or_unknown_token_answers_401_99991668() {
    let emulator = emulator().await;
    let expected = json!({
        "code": 99_991_668,
        "msg": "Invalid access token for authorization. Please make a request with token attached."
    });
    let url = emulator
        .base_url()
        .join("open-apis/authen/v1/user_info")
        .unwrap();
    let missing = client().get(url.clone()).send().await.unwrap();
    assert_eq!(missing.status(), 401);
    assert_eq!(missing.json::<serde_json::Value>().await.unwrap(), expected);
    let unknown = user_info(&emulator, "eyJunknown").await;
    assert_eq!((unknown.status, unknown.body), (401, expected));
    let basic = client()
        .get(url)
        .basic_auth("a", Some("b"))
        .send()
        .await
        .unwrap();
    assert_eq!(basic.status(), 401);
}

#[tokio::test]
async fn an_expired_token_answers_99991677() {
    let emulator = Emulator::builder()
        .redirect_uri(REDIRECT_URI)
        .access_token_ttl(Duration::from_secs(30))
        .start()
        .await
        .unwrap();
    let body = sign_in(&emulator, "").await;
    assert_eq!(body["expires_in"], 30);
    let access_token = body["access_token"].as_str().unwrap();
    assert_eq!(user_info(&emulator, access_token).await.status, 200);
    emulator.advance_clock(Duration::from_secs(30));
    let expired = user_info(&emulator, access_token).await;
    assert_eq!(expired.status, 401);
    assert_eq!(expired.body["code"], 99_991_677);
}

#[tokio::test]
async fn the_profile_can_be_changed() {
    let emulator = Emulator::builder()
        .redirect_uri(REDIRECT_URI)
        .user_name("李四")
        .start()
        .await
        .unwrap();
    assert_eq!(data_for(&emulator, "").await["name"], "李四");
}
