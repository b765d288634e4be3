//! The HTML pages a browser shows: the consent page and the error page (the device flow's
//! verification page is `device_page`, built from the same parts). Self-contained (inline CSS,
//! a `data:` avatar, no script, no external resource), with everything echoed escaped.
//!
//! The `browse` stand-in reads these pages back, so the few markers it relies on (the form's
//! `action`, the `ticket` field, the `error-detail` paragraph) are produced and parsed here, together.

use std::fmt::Write as _;

use crate::html::{escape, unescape};
use crate::profile::Profile;

/// The consent form's field naming the pending authorize request.
pub(crate) const TICKET_FIELD: &str = "ticket";
/// The consent form's button field: `approve` or `deny`.
pub(crate) const DECISION_FIELD: &str = "decision";

const STYLE: &str = "\
*{box-sizing:border-box}\
body{margin:0;min-height:100vh;display:flex;align-items:center;justify-content:center;\
background:#f5f6f7;color:#1f2329;font:15px/1.5 -apple-system,'PingFang SC','Microsoft YaHei',\
'Noto Sans CJK SC',sans-serif}\
main{width:min(440px,92vw);background:#fff;border-radius:12px;padding:28px 32px;\
box-shadow:0 6px 24px rgba(31,35,41,.08)}\
.brand{display:flex;align-items:center;gap:8px;color:#646a73;font-size:13px;margin-bottom:20px}\
.brand b{color:#3370ff;font-size:16px}\
.badge{margin-left:auto;background:#fff3e8;color:#de7802;border-radius:4px;padding:1px 8px;font-size:12px}\
h1{font-size:20px;margin:0 0 6px}\
.app{color:#646a73;margin:0 0 20px;word-break:break-all}\
.user{display:flex;align-items:center;gap:12px;padding:12px;border:1px solid #dee0e3;border-radius:8px}\
.user img{width:44px;height:44px;border-radius:50%}\
.user small{display:block;color:#8f959e}\
h2{font-size:14px;color:#646a73;margin:20px 0 8px;font-weight:normal}\
ul{margin:0;padding:0;list-style:none}\
li{padding:6px 0;border-bottom:1px solid #f0f1f2}\
li code{font-size:13px;color:#1f2329}\
li span{display:block;color:#8f959e;font-size:13px}\
.none{color:#8f959e}\
.redirect{color:#8f959e;font-size:13px;margin-top:16px;word-break:break-all}\
form{display:flex;flex-direction:row-reverse;flex-wrap:wrap;gap:12px;margin-top:24px}\
input{flex-basis:100%;order:-1;font:inherit;padding:9px 12px;border:1px solid #d0d3d6;border-radius:6px;\
text-align:center;letter-spacing:.2em;text-transform:uppercase}\
button{flex:1;font:inherit;padding:9px 0;border-radius:6px;cursor:pointer;border:1px solid #d0d3d6;background:#fff}\
button.primary{background:#3370ff;border-color:#3370ff;color:#fff}\
.error h1{color:#f54a45}\
.code{display:inline-block;background:#fef1f1;color:#d83931;border-radius:4px;padding:1px 8px;margin-bottom:12px}";

/// What the consent page shows.
#[derive(Debug)]
pub(crate) struct Consent<'a> {
    pub(crate) app_id: &'a str,
    /// The scopes this request asks for.
    pub(crate) requested: &'a [&'a str],
    /// Scopes granted at an earlier sign-in, which the new token will carry too.
    pub(crate) already_granted: &'a [&'a str],
    pub(crate) profile: &'a Profile,
    pub(crate) redirect_uri: &'a str,
    pub(crate) action: &'a str,
    pub(crate) ticket: &'a str,
}

/// The consent page: who is signing in, to which app, with which scopes; approve or deny.
pub(crate) fn consent(page: &Consent<'_>) -> String {
    let mut body = String::new();
    let _ = write!(
        body,
        concat!(
            r#"<h1>授权登录 · Sign in</h1>"#,
            r#"<p class="app">应用 App ID <code>{app_id}</code> 请求访问你的飞书账号</p>"#,
            r#"<div class="user"><img alt="" src="{avatar}"><div>{name}<small>{en_name} · {email}</small></div></div>"#,
            r#"<h2>请求的权限 · Requested scopes</h2>"#,
        ),
        app_id = escape(page.app_id),
        avatar = escape(&page.profile.avatar_url(72)),
        name = escape(&page.profile.name),
        en_name = escape(&page.profile.en_name),
        email = escape(&page.profile.email),
    );
    push_scopes(&mut body, page.requested);
    if !page.already_granted.is_empty() {
        body.push_str("<h2>此前已授权 · Granted earlier</h2>");
        push_scopes(&mut body, page.already_granted);
    }
    let _ = write!(
        body,
        concat!(
            r#"<p class="redirect">授权后将返回 · You will be sent back to <code>{redirect}</code></p>"#,
            r#"<form method="post" action="{action}">"#,
            r#"<input type="hidden" name="{ticket_field}" value="{ticket}">"#,
            // Approve comes first so that it is the form's default button (Enter); the style
            // shows it on the right, where Feishu puts it.
            r#"<button type="submit" name="{decision}" value="approve" class="primary" autofocus>授权 Approve</button>"#,
            r#"<button type="submit" name="{decision}" value="deny">拒绝 Deny</button>"#,
            r#"</form>"#,
        ),
        redirect = escape(page.redirect_uri),
        action = escape(page.action),
        ticket_field = TICKET_FIELD,
        ticket = escape(page.ticket),
        decision = DECISION_FIELD,
    );
    document("授权登录 · Feishu emulator", "", &body)
}

pub(crate) fn push_scopes(body: &mut String, scopes: &[&str]) {
    if scopes.is_empty() {
        body.push_str(r#"<p class="none">仅基本信息 · Basic profile only</p>"#);
        return;
    }
    body.push_str("<ul>");
    for scope in scopes {
        let _ = write!(body, "<li><code>{}</code>", escape(scope));
        if let Some((zh, en)) = describe(scope) {
            let _ = write!(
                body,
                r#"<span class="scope-desc">{} · {}</span>"#,
                escape(&zh),
                escape(&en)
            );
        }
        body.push_str("</li>");
    }
    body.push_str("</ul>");
}

/// The app's catalogue of common scopes, in Chinese and English: the one data file the window
/// describes scopes from too (`ui/scope-catalogue.json`), so the consent page and the app say the
/// same. Data, not protocol: the emulator still shares no code with the core.
const CATALOGUE: &str = include_str!("../../../ui/scope-catalogue.json");

/// What a well-known scope means: (Chinese, English).
fn describe(scope: &str) -> Option<(String, String)> {
    static ENTRIES: std::sync::OnceLock<Vec<serde_json::Value>> = std::sync::OnceLock::new();
    let entries = ENTRIES.get_or_init(|| serde_json::from_str(CATALOGUE).unwrap_or_default());
    let entry = entries.iter().find(|e| e["name"] == scope)?;
    Some((
        entry["zh"].as_str()?.to_owned(),
        entry["en"].as_str()?.to_owned(),
    ))
}

/// An error page: Feishu shows one (and never redirects) when the authorize request is not valid.
pub(crate) fn error(code: Option<u32>, title: &str, detail: &str) -> String {
    let code_line = code.map_or_else(String::new, |code| {
        format!(r#"<span class="code">错误码 error {code}</span>"#)
    });
    let data_code = code.map_or_else(String::new, |code| format!(r#" data-code="{code}""#));
    let body = format!(
        r#"<h1>{title}</h1>{code_line}<p id="error-detail"{data_code}>{detail}</p>"#,
        title = escape(title),
        detail = escape(detail),
    );
    document(title, "error", &body)
}

/// The page around `body`: the shared head, style and brand line.
pub(crate) fn document(title: &str, class: &str, body: &str) -> String {
    format!(
        concat!(
            "<!DOCTYPE html>\n",
            r#"<html lang="zh-CN"><head><meta charset="utf-8">"#,
            r#"<meta name="viewport" content="width=device-width,initial-scale=1">"#,
            r#"<title>{title}</title><style>{style}</style></head>"#,
            r#"<body><main class="{class}">"#,
            r#"<div class="brand"><b>飞书</b> Feishu<span class="badge">本地模拟 Emulator</span></div>"#,
            "{body}</main></body></html>\n",
        ),
        title = escape(title),
        style = STYLE,
        class = class,
        body = body,
    )
}

/// The consent form as a browser would submit it.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct ConsentForm {
    pub(crate) action: String,
    pub(crate) ticket: String,
}

/// Reads the consent form back from a page this module rendered.
pub(crate) fn parse_consent_form(html: &str) -> Option<ConsentForm> {
    let action = attribute_after(html, r#"<form method="post" action=""#)?;
    let ticket = attribute_after(html, &format!(r#"name="{TICKET_FIELD}" value=""#))?;
    Some(ConsentForm { action, ticket })
}

/// Reads an error page back: `error <code>: <detail>`.
pub(crate) fn parse_error(html: &str) -> Option<String> {
    let start = html.find(r#"<p id="error-detail""#)?;
    let rest = &html[start..];
    let code = attribute_after(rest, r#"data-code=""#);
    let text_start = rest.find('>')? + 1;
    let text_end = rest.find("</p>")?;
    let detail = unescape(rest.get(text_start..text_end)?);
    Some(match code {
        Some(code) => format!("error {code}: {detail}"),
        None => detail,
    })
}

/// The value of the double-quoted attribute that `prefix` opens.
pub(crate) fn attribute_after(html: &str, prefix: &str) -> Option<String> {
    let start = html.find(prefix)? + prefix.len();
    let len = html[start..].find('"')?;
    Some(unescape(&html[start..start + len]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_consent_page_describes_the_catalogue_s_scopes_in_both_languages() {
        let mut body = String::new();
        push_scopes(&mut body, &["contact:user.email:readonly", "x:unknown"]);
        assert!(
            body.contains("Email address") && body.contains("邮箱地址"),
            "{body}"
        );
        assert!(body.contains("<code>x:unknown</code></li>"), "{body}");
    }

    fn sample<'a>(profile: &'a Profile, scopes: &'a [&'a str]) -> Consent<'a> {
        Consent {
            app_id: "cli_<app>",
            requested: scopes,
            already_granted: &[],
            profile,
            redirect_uri: "http://127.0.0.1:1/cb?a=1&b=\"2\"",
            action: "/open-apis/authen/v1/authorize/decision",
            ticket: "t&1",
        }
    }

    #[test]
    fn consent_page_escapes_what_it_echoes_and_round_trips_the_form() {
        let profile = Profile::default();
        let html = consent(&sample(&profile, &["<script>", "offline_access"]));
        assert!(!html.contains("<script>"));
        assert!(html.contains("&lt;script&gt;"));
        assert!(html.contains("cli_&lt;app&gt;"));
        assert!(html.contains("张三"));
        assert!(
            !html.contains(r#"src="http"#) && !html.contains("<link") && !html.contains("<script")
        );
        assert_eq!(
            parse_consent_form(&html),
            Some(ConsentForm {
                action: "/open-apis/authen/v1/authorize/decision".to_owned(),
                ticket: "t&1".to_owned(),
            })
        );
    }

    #[test]
    fn error_page_round_trips_code_and_detail() {
        let html = error(Some(20029), "redirect_uri 无效", "not registered: <x>");
        assert!(html.contains("not registered: &lt;x&gt;"));
        assert_eq!(
            parse_error(&html).as_deref(),
            Some("error 20029: not registered: <x>")
        );
        assert_eq!(parse_consent_form(&html), None);
        let without_code = error(None, "t", "d");
        assert_eq!(parse_error(&without_code).as_deref(), Some("d"));
    }
}
