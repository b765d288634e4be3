//! `GET /open-apis/authen/v1/user_info` (获取用户信息): who the access token belongs to, with the
//! sensitive fields present only when their scope was granted.

use std::collections::BTreeSet;
use std::sync::Arc;

use axum::extract::State;
use axum::http::header::AUTHORIZATION;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde::Serialize;
use serde_json::json;

use crate::endpoint::Endpoint;
use crate::errors::ErrorCode;
use crate::profile::Profile;
use crate::responses;
use crate::secrets::fingerprint;
use crate::shared::Shared;

const EMAIL_SCOPE: &str = "contact:user.email:readonly";
const EMPLOYEE_SCOPE: &str = "contact:user.employee:readonly";
const EMPLOYEE_ID_SCOPE: &str = "contact:user.employee_id:readonly";
const PHONE_SCOPE: &str = "contact:user.phone:readonly";

/// `data` of the response, in the documented field order; every field a string.
#[derive(Debug, Serialize)]
struct UserInfo {
    name: String,
    en_name: String,
    avatar_url: String,
    avatar_thumb: String,
    avatar_middle: String,
    avatar_big: String,
    open_id: String,
    union_id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    email: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    enterprise_email: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    user_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    mobile: Option<String>,
    tenant_key: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    employee_no: Option<String>,
}

impl UserInfo {
    fn new(profile: &Profile, app_id: &str, scopes: &BTreeSet<String>) -> Self {
        let gated = |scope: &str, value: &String| scopes.contains(scope).then(|| value.clone());
        Self {
            name: profile.name.clone(),
            en_name: profile.en_name.clone(),
            avatar_url: profile.avatar_url(240),
            avatar_thumb: profile.avatar_url(72),
            avatar_middle: profile.avatar_url(240),
            avatar_big: profile.avatar_url(640),
            open_id: profile.open_id(app_id),
            union_id: profile.union_id(),
            email: gated(EMAIL_SCOPE, &profile.email),
            enterprise_email: gated(EMPLOYEE_SCOPE, &profile.enterprise_email),
            user_id: gated(EMPLOYEE_ID_SCOPE, &profile.user_id),
            mobile: gated(PHONE_SCOPE, &profile.mobile),
            tenant_key: profile.tenant_key.clone(),
            employee_no: gated(EMPLOYEE_SCOPE, &profile.employee_no),
        }
    }
}

/// The user-info endpoint.
pub(crate) async fn user_info(State(shared): State<Arc<Shared>>, headers: HeaderMap) -> Response {
    if let Some(code) = shared.faults.on_call(Endpoint::UserInfo).await {
        tracing::info!(code = code.0, "user_info answered with an injected failure");
        return responses::gateway_error(code);
    }
    let Some(token) = bearer_token(&headers) else {
        tracing::info!("user_info without a bearer token");
        return responses::gateway_error(ErrorCode::INVALID_ACCESS_TOKEN);
    };
    let key = fingerprint(token);
    let looked_up = shared
        .transact(move |data, now| {
            // A revoked token is answered exactly as one never issued.
            let record = data
                .access_tokens
                .get(&key)
                .filter(|record| !record.revoked)?;
            let verdict = if record.replaced_until.is_some_and(|until| now >= until) {
                Err(ErrorCode::INVALID_ACCESS_TOKEN)
            } else if now >= record.expires_at {
                Err(ErrorCode::ACCESS_TOKEN_EXPIRED)
            } else {
                Ok((record.client_id.clone(), record.scopes.clone()))
            };
            Some(verdict)
        })
        .await;
    let (client_id, scopes) = match looked_up {
        Ok(Some(Ok(granted))) => granted,
        Ok(Some(Err(code))) => return responses::gateway_error(code),
        Ok(None) => return responses::gateway_error(ErrorCode::INVALID_ACCESS_TOKEN),
        Err(err) => {
            tracing::error!(%err, "user_info could not use its store");
            return responses::gateway_error(ErrorCode::SERVER_ERROR);
        }
    };
    let data = UserInfo::new(&shared.config.profile, &client_id, &scopes);
    responses::json(
        StatusCode::OK,
        &json!({ "code": 0, "msg": "success", "data": data }),
    )
}

/// The token of an `Authorization: Bearer <token>` header.
fn bearer_token(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty()).then_some(token)
}

#[cfg(test)]
mod tests {
    use axum::http::HeaderValue;

    use super::*;

    #[test]
    fn gated_fields_need_their_scope() {
        let profile = Profile::default();
        let none = serde_json::to_value(UserInfo::new(&profile, "cli", &BTreeSet::new()))
            .unwrap_or_default();
        for field in [
            "email",
            "enterprise_email",
            "user_id",
            "mobile",
            "employee_no",
        ] {
            assert!(none.get(field).is_none(), "{field}");
        }
        assert_eq!(none["name"], "张三");
        let all: BTreeSet<String> = [EMAIL_SCOPE, EMPLOYEE_SCOPE, EMPLOYEE_ID_SCOPE, PHONE_SCOPE]
            .map(str::to_owned)
            .into();
        let every = serde_json::to_value(UserInfo::new(&profile, "cli", &all)).unwrap_or_default();
        for field in [
            "email",
            "enterprise_email",
            "user_id",
            "mobile",
            "employee_no",
        ] {
            assert!(every[field].is_string(), "{field}");
        }
    }

    #[test]
    fn bearer_tokens_are_read_case_insensitively() {
        let mut headers = HeaderMap::new();
        headers.insert(AUTHORIZATION, HeaderValue::from_static("bearer abc"));
        assert_eq!(bearer_token(&headers), Some("abc"));
        headers.insert(AUTHORIZATION, HeaderValue::from_static("Basic abc"));
        assert_eq!(bearer_token(&headers), None);
        headers.insert(AUTHORIZATION, HeaderValue::from_static("Bearer "));
        assert_eq!(bearer_token(&headers), None);
    }
}
