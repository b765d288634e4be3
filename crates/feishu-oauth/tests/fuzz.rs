//! Property-based fuzzing of the two parsers that read what outsiders send: the callback (a loopback
//! request target or a deep link, from any local process) and the token answer (from the network).
//! Neither may panic, and whatever they accept must be well-formed. The case count is bounded so
//! CI runs them in seconds; `PROPTEST_CASES=100000 cargo test --test fuzz` digs deeper.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use feishu_oauth::{parse_token_answer, Callback, RedirectUri};
use proptest::prelude::*;
use serde_json::{json, Value};

fn config() -> ProptestConfig {
    ProptestConfig {
        cases: std::env::var("PROPTEST_CASES")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(3000),
        ..ProptestConfig::default()
    }
}

/// Query-ish strings built from the characters that matter to a URL parser.
fn query_soup() -> impl Strategy<Value = String> {
    proptest::collection::vec(
        prop_oneof![
            Just("code=".to_owned()),
            Just("state=".to_owned()),
            Just("error=access_denied".to_owned()),
            Just("error_description=".to_owned()),
            Just("&".to_owned()),
            Just("%".to_owned()),
            Just("%00".to_owned()),
            Just("#".to_owned()),
            Just("?".to_owned()),
            Just("+".to_owned()),
            "[a-zA-Z0-9_-]{0,8}",
            any::<char>().prop_map(String::from),
        ],
        0..24,
    )
    .prop_map(|parts| parts.concat())
}

fn arbitrary_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| json!(n)),
        any::<f64>().prop_map(|n| json!(n)),
        ".{0,12}".prop_map(Value::String),
    ];
    leaf.prop_recursive(3, 24, 6, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            proptest::collection::btree_map(
                prop_oneof![
                    Just("code".to_owned()),
                    Just("access_token".to_owned()),
                    Just("expires_in".to_owned()),
                    Just("refresh_token".to_owned()),
                    Just("refresh_token_expires_in".to_owned()),
                    Just("token_type".to_owned()),
                    Just("scope".to_owned()),
                    "[a-z_]{1,8}",
                ],
                inner,
                0..8
            )
            .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn request_targets_never_panic(query in query_soup(), path in prop_oneof![Just("/callback".to_owned()), Just("/".to_owned()), Just("//x".to_owned()), "/[a-z%]{0,6}"]) {
        let redirect = RedirectUri::default_loopback();
        let target = format!("{path}?{query}");
        if let Ok(callback) = Callback::parse_request_target(&target, &redirect) {
            prop_assert!(!callback.state().expose().is_empty());
            if let Callback::Code { code, .. } = &callback {
                prop_assert!(!code.expose().is_empty());
            }
        }
    }

    #[test]
    fn deep_links_never_panic(raw in ".{0,300}", query in query_soup()) {
        let redirect = RedirectUri::default_deep_link();
        let _ = Callback::parse(&raw, &redirect);
        let _ = Callback::parse(&format!("dev.feishu-signin.app:/callback?{query}"), &redirect);
    }

    #[test]
    fn token_answers_never_panic(body in arbitrary_json()) {
        let now = time::OffsetDateTime::now_utc();
        if let Ok(grant) = parse_token_answer(&body, now) {
            prop_assert!(grant.access_token_expires_at > now);
            prop_assert!(!grant.access_token.expose().is_empty());
            prop_assert_eq!(grant.refresh_token.is_some(), grant.refresh_token_expires_at.is_some());
        }
    }

    #[test]
    fn near_valid_token_answers_never_panic(expires in any::<i64>(), kind in ".{0,10}", scope in ".{0,40}") {
        let body = json!({"code": 0, "access_token": "a", "expires_in": expires, "token_type": kind, "scope": scope,
            "refresh_token": "r", "refresh_token_expires_in": expires});
        let _ = parse_token_answer(&body, time::OffsetDateTime::now_utc());
    }
}
