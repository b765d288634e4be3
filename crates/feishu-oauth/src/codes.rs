//! Feishu's error codes for user sign-in, from the token endpoint page (获取 user_access_token), the
//! refresh page (刷新 user_access_token) and the user-info page, with what each means and what to do,
//! in English and Chinese.
//!
//! Callers key on the number: Feishu documents no `error` string but `server_error`.

/// What the client should do about an error code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Remedy {
    /// A transient server fault: retry with backoff (20050, 20072).
    Retry,
    /// The stored grant is no longer usable: the user must sign in again.
    SignInAgain,
    /// Another process may have rotated the refresh token: re-read the store before giving up
    /// (20064, 20073).
    RereadStore,
    /// Not retried by the client: the user may try again later (rate limiting).
    RetryLater,
    /// Refresh the access token, then retry (99991677).
    Refresh,
    /// The app's configuration or the request is wrong: fix it (App ID, secret, redirect URI, scopes).
    FixConfiguration,
    /// The user's account or the app's availability is the problem: ask the tenant admin.
    AskAdmin,
}

/// One documented Feishu error code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ErrorCode {
    /// The numeric `code` of the response body.
    pub code: u32,
    /// The HTTP status Feishu answers with.
    pub http_status: u16,
    /// The documented meaning, in English (the page's own wording).
    pub meaning: &'static str,
    /// What to do, in English.
    pub suggestion_en: &'static str,
    /// What to do, in Chinese (the page's 排查建议).
    pub suggestion_zh: &'static str,
    /// What the client does about it.
    pub remedy: Remedy,
}

impl ErrorCode {
    /// Whether the client retries this code on its own (only 20050 and 20072).
    pub fn is_retryable(&self) -> bool {
        self.remedy == Remedy::Retry
    }
}

/// Looks a code up in the documented tables.
pub fn lookup(code: u32) -> Option<&'static ErrorCode> {
    TABLE.iter().find(|entry| entry.code == code)
}

const fn entry(
    code: u32,
    http_status: u16,
    meaning: &'static str,
    suggestion_en: &'static str,
    suggestion_zh: &'static str,
    remedy: Remedy,
) -> ErrorCode {
    ErrorCode {
        code,
        http_status,
        meaning,
        suggestion_en,
        suggestion_zh,
        remedy,
    }
}

use Remedy::{AskAdmin, FixConfiguration, Refresh, RereadStore, Retry, RetryLater, SignInAgain};

static TABLE: &[ErrorCode] = &[
    // The token endpoint page (code exchange), in its order.
    entry(20001, 400, "The request is missing a required parameter.",
        "A required parameter is missing: check the parameters sent with the request.",
        "必要参数缺失，请检查请求时传入的参数是否有误", FixConfiguration),
    entry(20002, 400, "The client secret is invalid.",
        "App authentication failed: check that the App ID (client_id) and App Secret (client_secret) are correct.",
        "应用认证失败，请检查提供的 client_id 与 client_secret 是否正确", FixConfiguration),
    entry(20003, 400, "The authorization code is not found. Please note that an authorization code can only be used once.",
        "The authorization code is invalid: check that it is valid; a code can be used only once. Sign in again.",
        "无效的授权码，请检查授权码是否有效，注意授权码仅能使用一次", SignInAgain),
    entry(20004, 400, "The authorization code has expired.",
        "The authorization code expired: use it within 5 minutes of issue. Sign in again.",
        "授权码已经过期，请在授权码生成后的 5 分钟内使用", SignInAgain),
    entry(20008, 400, "The user does not exist.",
        "The user does not exist: check the current status of the user who authorized.",
        "用户不存在，请检查发起授权的用户的当前状态", AskAdmin),
    entry(20009, 400, "The specified app is not installed.",
        "The tenant has not installed the app: check the app's status with the tenant admin.",
        "租户未安装应用，请检查应用状态", AskAdmin),
    entry(20010, 400, "The user does not have permission to use this app.",
        "The user may not use this app: check that the user still has permission to use it (its availability range).",
        "用户无应用使用权限，请检查发起授权的用户是否仍具有应用使用权限", AskAdmin),
    entry(20024, 400, "The provided authorization code or refresh token does not match the provided client ID.",
        "The code or refresh token belongs to another app: do not mix credentials of different apps.",
        "提供的授权码与 client_id 不匹配，请勿混用不同应用的凭证", FixConfiguration),
    entry(20036, 400, "The specified grant_type is not supported.",
        "Invalid grant_type: check the grant_type field of the request body.",
        "无效的 grant_type，请检查请求体中 grant_type 字段的取值", FixConfiguration),
    entry(20048, 400, "The specified app does not exist.",
        "The app does not exist: check the App ID and the app's status.",
        "应用不存在，请检查应用状态", FixConfiguration),
    entry(20049, 400, "PKCE code challenge failed.",
        "PKCE verification failed: check that code_verifier is present and valid. Sign in again.",
        "PKCE 校验失败，请检查请求体中 code_verifier 字段是否存在且有效", SignInAgain),
    entry(20050, 500, "An unexpected server error occurred. Please retry your request.",
        "Internal server error: retry later; if it persists, contact Feishu technical support.",
        "内部服务错误，请稍后重试，如果持续报错请联系技术支持", Retry),
    entry(20063, 400, "The request is malformed. Please check your request.",
        "Required fields are missing from the request body: complete them as the error message says.",
        "请求体中缺少必要字段，请根据具体的错误信息补齐字段", FixConfiguration),
    entry(20065, 400, "The authorization code has been used. Please note that an authorization code can only be used once.",
        "The authorization code was already used; a code can be used only once. Sign in again.",
        "授权码已被使用，授权码仅能使用一次，请检查是否有被重复使用", SignInAgain),
    entry(20066, 400, "The user status is invalid.",
        "The user's status is invalid: check the current status of the user who authorized.",
        "用户状态非法，请检查发起授权的用户的当前状态", AskAdmin),
    entry(20067, 400, "The provided scope list contains duplicate scopes. Please ensure all scopes are unique.",
        "The scope list has duplicates: make every scope appear once.",
        "无效的 scope 列表，其中存在重复项，请确保传入的 scope 列表中没有重复项", FixConfiguration),
    entry(20068, 400, "The provided scope list contains scopes that are not permitted. Please ensure all scopes are allowed.",
        "The scope list has scopes the user did not grant: the token step's scope must be a subset of the scopes granted at authorization.",
        "无效的 scope 列表，其中存在用户未授权的权限。当前接口 scope 参数传入的权限必须是获取授权码时 scope 参数值的子集", FixConfiguration),
    entry(20069, 400, "The specified app is not enabled.",
        "The app is not enabled: check the app's status in the developer console.",
        "应用未启用，请检查应用状态", AskAdmin),
    entry(20070, 400, "Multiple authentication methods were provided. Please only use one to proceed.",
        "Both Basic authentication and client_secret were sent: authenticate with client_id and client_secret in the body only.",
        "请求时同时使用了 Basic Authentication 和 client_secret 两种身份验证方式。请仅使用 client_id、client_secret 身份验证方式调用本接口", FixConfiguration),
    entry(20071, 400, "The provided redirect URI does not match the one used during authorization.",
        "Invalid redirect_uri: it must equal the redirect_uri sent when the authorization code was requested.",
        "无效的 redirect_uri，请确保 redirect_uri 与获取授权码时传入的 redirect_uri 保持一致", FixConfiguration),
    entry(20072, 503, "The server is temporarily unavailable. Please retry your request.",
        "The service is temporarily unavailable: retry later.",
        "服务暂不可用，请稍后重试", Retry),
    // The refresh page, beside the codes above.
    entry(20026, 400, "The refresh token is invalid (only refresh tokens issued by the v2 endpoint are accepted).",
        "The refresh token is invalid: sign in again.",
        "refresh_token 无效（仅支持 v2 接口颁发的 refresh_token），请重新发起授权", SignInAgain),
    entry(20037, 400, "The refresh token has expired.",
        "The refresh token expired (or the 365-day authorization ended): sign in again.",
        "refresh_token 已过期，请重新发起授权", SignInAgain),
    entry(20064, 400, "The refresh token has been revoked.",
        "The refresh token was revoked: sign in again.",
        "refresh_token 已被撤销，请重新发起授权", RereadStore),
    entry(20073, 400, "The refresh token has already been used.",
        "The refresh token was already used (refresh tokens are single use): sign in again.",
        "refresh_token 已被使用，refresh_token 仅能使用一次，请重新发起授权", RereadStore),
    entry(20074, 400, "Refreshing user access tokens is disabled in the app's security settings.",
        "Refreshing is switched off for this app: ask the app's admin to enable it; sign in again when the token expires.",
        "应用未开启刷新 user_access_token 的安全设置，请联系应用管理员开启；令牌过期后请重新授权", AskAdmin),
    // The authorize page (shown by Feishu, never redirected back).
    entry(20029, 400, "The redirect URI is not registered for this app.",
        "Register the redirect URL exactly (port included) in the developer console under Security Settings.",
        "重定向 URL 未配置，请在开发者后台「安全设置」中添加完全一致的重定向 URL（包括端口）", FixConfiguration),
    // The user-info page.
    entry(20005, 401, "The user access token is invalid.",
        "The user access token is invalid: refresh it or sign in again.",
        "user_access_token 无效，请刷新或重新授权", SignInAgain),
    entry(20021, 400, "The user has resigned.",
        "The user has left the organization: ask the tenant admin.",
        "用户已离职，请联系租户管理员", AskAdmin),
    entry(20022, 400, "The user is frozen.",
        "The user's account is frozen: ask the tenant admin.",
        "用户已被冻结，请联系租户管理员", AskAdmin),
    entry(20023, 400, "The user is not registered.",
        "The user is not registered: ask the tenant admin.",
        "用户未注册，请联系租户管理员", AskAdmin),
    // The Open API gateway's codes for user tokens.
    entry(99_991_668, 401, "The user access token is invalid.",
        "The access token is invalid: sign in again.",
        "user_access_token 无效，请重新授权", SignInAgain),
    entry(99_991_677, 401, "The user access token has expired.",
        "The access token expired: refresh it and retry.",
        "user_access_token 已过期，请刷新后重试", Refresh),
    entry(99_991_679, 403, "The user has not granted the scope this call needs.",
        "A scope is missing: request it at sign-in and have the user grant it.",
        "用户未授予该接口所需的权限，请在授权时申请并由用户同意", FixConfiguration),
    entry(99_991_400, 429, "The request was rate limited.",
        "Too many requests: slow down and retry later.",
        "请求过于频繁，请降低频率后重试", RetryLater),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique() {
        for (i, a) in TABLE.iter().enumerate() {
            for b in &TABLE[i + 1..] {
                assert_ne!(a.code, b.code, "{} is listed twice", a.code);
            }
        }
    }

    #[test]
    fn only_20050_and_20072_are_retried() {
        let retried: Vec<u32> = TABLE
            .iter()
            .filter(|e| e.is_retryable())
            .map(|e| e.code)
            .collect();
        assert_eq!(retried, vec![20050, 20072]);
    }

    #[test]
    fn every_entry_has_both_languages() {
        for e in TABLE {
            assert!(
                !e.meaning.is_empty() && !e.suggestion_en.is_empty(),
                "{}",
                e.code
            );
            assert!(
                e.suggestion_zh
                    .chars()
                    .any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)),
                "{}",
                e.code
            );
        }
    }
}
