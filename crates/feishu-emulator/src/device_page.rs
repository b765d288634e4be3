//! The device flow's verification page: the person types (or finds filled in) the user code the
//! device shows, sees the app and the scopes, and approves or denies. Built from the consent page's
//! parts (`pages`), with the same escaping and the same anti-forgery ticket.
//!
//! The `browse` stand-in reads it back, so its markers (the form, the `user_code` field, the
//! `device-done` paragraph) are produced and parsed here, together.

use std::fmt::Write as _;

use crate::html::escape;
use crate::pages::{
    attribute_after, document, parse_consent_form, push_scopes, DECISION_FIELD, TICKET_FIELD,
};

/// The verification form's field holding the user code.
pub(crate) const USER_CODE_FIELD: &str = "user_code";

/// What the verification page shows.
#[derive(Debug)]
pub(crate) struct Verification<'a> {
    /// As typed or given in the link; empty for a blank form.
    pub(crate) user_code: &'a str,
    /// The app and the scopes the code would grant, once the code is known.
    pub(crate) request: Option<(&'a str, &'a [&'a str])>,
    pub(crate) action: &'a str,
    pub(crate) ticket: &'a str,
}

/// The verification page.
pub(crate) fn verification(page: &Verification<'_>) -> String {
    let mut body = String::from(concat!(
        "<h1>设备登录 · Sign in on a device</h1>",
        r#"<p class="app">输入设备上显示的验证码 · Enter the code your device shows</p>"#,
    ));
    if let Some((app_id, scopes)) = page.request {
        let _ = write!(
            body,
            r#"<p class="app">应用 App ID <code>{}</code> 请求访问你的飞书账号</p><h2>请求的权限 · Requested scopes</h2>"#,
            escape(app_id)
        );
        push_scopes(&mut body, scopes);
    }
    let _ = write!(
        body,
        concat!(
            r#"<form method="post" action="{action}">"#,
            r#"<input type="hidden" name="{ticket_field}" value="{ticket}">"#,
            r#"<input name="{code_field}" value="{code}" placeholder="ABCD-EFGH" autocomplete="off" required>"#,
            r#"<button type="submit" name="{decision}" value="approve" class="primary">授权 Approve</button>"#,
            r#"<button type="submit" name="{decision}" value="deny">拒绝 Deny</button>"#,
            r#"</form>"#,
        ),
        action = escape(page.action),
        ticket_field = TICKET_FIELD,
        ticket = escape(page.ticket),
        code_field = USER_CODE_FIELD,
        code = escape(page.user_code),
        decision = DECISION_FIELD,
    );
    document("设备登录 · Feishu emulator", "", &body)
}

/// The page after the decision: back to the device.
pub(crate) fn done(approved: bool) -> String {
    let text = if approved {
        "已授权，请回到设备 · Approved: return to your device"
    } else {
        "已拒绝 · Denied: the device will not be signed in"
    };
    let body = format!(
        r#"<h1>设备登录 · Sign in on a device</h1><p id="device-done">{}</p>"#,
        escape(text)
    );
    document("设备登录 · Feishu emulator", "", &body)
}

/// The verification form as a browser would submit it.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct VerificationForm {
    pub(crate) action: String,
    pub(crate) ticket: String,
    pub(crate) user_code: String,
}

/// Reads the verification form back from a page this module rendered.
pub(crate) fn parse_verification_form(html: &str) -> Option<VerificationForm> {
    let form = parse_consent_form(html)?;
    let user_code = attribute_after(html, &format!(r#"name="{USER_CODE_FIELD}" value=""#))?;
    Some(VerificationForm {
        action: form.action,
        ticket: form.ticket,
        user_code,
    })
}

/// Whether a page is the one shown after the decision.
pub(crate) fn is_done(html: &str) -> bool {
    html.contains(r#"<p id="device-done">"#)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_page_escapes_and_round_trips_its_form() {
        let html = verification(&Verification {
            user_code: "<b>",
            request: Some(("cli_<a>", &["<script>"])),
            action: "/oauth/v1/device/verify",
            ticket: "t&1",
        });
        assert!(!html.contains("<script>") && html.contains(r#"value="&lt;b&gt;""#));
        assert!(html.contains("cli_&lt;a&gt;"));
        assert_eq!(
            parse_verification_form(&html),
            Some(VerificationForm {
                action: "/oauth/v1/device/verify".to_owned(),
                ticket: "t&1".to_owned(),
                user_code: "<b>".to_owned(),
            })
        );
        assert!(is_done(&done(true)) && !is_done(&html));
    }
}
