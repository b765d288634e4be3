//! The page the browser shows after the redirect: self-contained (no external resources, no links,
//! so nothing leaks the callback URL through a `Referer`), with everything echoed HTML-escaped,
//! in the person's language.

use crate::language::Language;

/// The security headers sent with every answer of the loopback listener.
pub const SECURITY_HEADERS: [(&str, &str); 5] = [
    ("content-security-policy", "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; form-action 'none'; base-uri 'none'"),
    ("referrer-policy", "no-referrer"),
    ("cache-control", "no-store"),
    ("x-content-type-options", "nosniff"),
    ("x-frame-options", "DENY"),
];

/// What the page says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tone {
    /// The sign-in succeeded.
    Success,
    /// The sign-in failed.
    Failure,
    /// Nothing happened (a stray request).
    Neutral,
}

/// Escapes text for HTML element content and attribute values.
pub fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Every page the listener answers with; each knows its tone and its words in both languages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Page<'a> {
    /// The sign-in succeeded, as the named person.
    SignedIn(&'a str),
    /// The person declined on the consent page: their choice, not a failure.
    Declined,
    /// The sign-in failed; the app says why.
    Failed,
    /// The callback arrived but the app has not finished with it in time.
    Received,
    /// A method other than GET.
    NotAllowed,
    /// A `Host` that is not the redirect's.
    WrongAddress,
    /// A path that is not the redirect's.
    NotFound,
    /// The redirect's path, but not a valid callback (the reason, in English).
    NotACallback(&'a str),
    /// A callback whose `state` belongs to no sign-in in progress.
    UnknownSignIn,
    /// A second callback for a sign-in that already has one.
    AlreadyUsed,
    /// The sign-in stopped waiting before the callback was handed over.
    Ended,
}

impl Page<'_> {
    /// How the page looks.
    pub fn tone(self) -> Tone {
        match self {
            Page::SignedIn(_) => Tone::Success,
            Page::Failed
            | Page::NotACallback(_)
            | Page::UnknownSignIn
            | Page::AlreadyUsed
            | Page::Ended => Tone::Failure,
            Page::Declined
            | Page::Received
            | Page::NotAllowed
            | Page::WrongAddress
            | Page::NotFound => Tone::Neutral,
        }
    }

    /// The title and the message in `language`.
    pub fn words(self, language: Language) -> (String, String) {
        const ONLY_REDIRECT_EN: &str = "This address only receives the sign-in redirect.";
        const ONLY_REDIRECT_ZH: &str = "这个地址只用于接收登录跳转。";
        let (title, message): (&str, String) = match (self, language) {
            (Page::SignedIn(who), Language::English) => (
                "Signed in",
                format!("Signed in as {who}. You can close this tab and return to the app."),
            ),
            (Page::SignedIn(who), Language::Chinese) => (
                "登录成功",
                format!("已以 {who} 的身份登录。可以关闭此标签页，回到应用。"),
            ),
            (Page::Declined, Language::English) => (
                "Access not allowed",
                "You chose not to allow access, so nothing was shared. You can close this tab; sign in from the app whenever you are ready.".into(),
            ),
            (Page::Declined, Language::Chinese) => (
                "未授权",
                "你选择了不授权，没有共享任何信息。可以关闭此标签页；需要时再从应用登录。".into(),
            ),
            (Page::Failed, Language::English) => (
                "Sign-in didn’t complete",
                "Return to the app to see why and to try again.".into(),
            ),
            (Page::Failed, Language::Chinese) => (
                "登录没有完成",
                "请回到应用查看原因，然后重试。".into(),
            ),
            (Page::Received, Language::English) => (
                "Sign-in received",
                "Return to the app to see the result.".into(),
            ),
            (Page::Received, Language::Chinese) => ("已收到登录", "请回到应用查看结果。".into()),
            (Page::NotAllowed, Language::English) => ("Not allowed", ONLY_REDIRECT_EN.into()),
            (Page::NotAllowed, Language::Chinese) => ("不允许的请求", ONLY_REDIRECT_ZH.into()),
            (Page::WrongAddress, Language::English) => ("Wrong address", ONLY_REDIRECT_EN.into()),
            (Page::WrongAddress, Language::Chinese) => ("地址不对", ONLY_REDIRECT_ZH.into()),
            (Page::NotFound, Language::English) => ("Not found", ONLY_REDIRECT_EN.into()),
            (Page::NotFound, Language::Chinese) => ("找不到页面", ONLY_REDIRECT_ZH.into()),
            (Page::NotACallback(reason), Language::English) => (
                "Not a sign-in callback",
                format!("This request is not a valid sign-in callback: {reason}."),
            ),
            (Page::NotACallback(_), Language::Chinese) => (
                "不是登录回调",
                "这个请求不是有效的登录回调。请从应用重新登录。".into(),
            ),
            (Page::UnknownSignIn, Language::English) => (
                "Unknown sign-in",
                "This callback does not belong to the sign-in in progress. Start the sign-in from the app.".into(),
            ),
            (Page::UnknownSignIn, Language::Chinese) => (
                "未知的登录",
                "这个回调不属于正在进行的登录。请从应用开始登录。".into(),
            ),
            (Page::AlreadyUsed, Language::English) => (
                "Already used",
                "This sign-in callback was already received.".into(),
            ),
            (Page::AlreadyUsed, Language::Chinese) => ("已经用过", "这个登录回调已经收到过了。".into()),
            (Page::Ended, Language::English) => (
                "Sign-in ended",
                "The sign-in is no longer waiting. Start it again from the app.".into(),
            ),
            (Page::Ended, Language::Chinese) => (
                "登录已结束",
                "这次登录已不再等待。请从应用重新开始。".into(),
            ),
        };
        (title.to_owned(), message)
    }

    /// The whole HTML page in `language`.
    pub fn render(self, language: Language) -> String {
        let (title, message) = self.words(language);
        render(self.tone(), language, &title, &message)
    }
}

/// A complete HTML page with a title and a message (both escaped here).
pub fn render(tone: Tone, language: Language, title: &str, message: &str) -> String {
    let (accent, mark) = match tone {
        Tone::Success => ("#1f8a4c", "&#10003;"),
        Tone::Failure => ("#c0392b", "&#33;"),
        Tone::Neutral => ("#5b6470", "&#8226;"),
    };
    format!(
        r#"<!doctype html>
<html lang="{lang}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<meta name="referrer" content="no-referrer"><title>{title} · {app}</title>
<style>
:root{{color-scheme:light dark;font-family:system-ui,-apple-system,"Segoe UI","PingFang SC","Noto Sans CJK SC",sans-serif}}
body{{margin:0;min-height:100vh;display:grid;place-items:center;background:Canvas;color:CanvasText}}
main{{max-width:30rem;padding:2rem;text-align:center}}
.mark{{display:inline-grid;place-items:center;width:3rem;height:3rem;border-radius:50%;background:{accent};color:#fff;font-size:1.6rem}}
h1{{font-size:1.4rem;margin:1rem 0 .5rem}} p{{line-height:1.5;overflow-wrap:anywhere}}
</style></head>
<body><main><div class="mark" aria-hidden="true">{mark}</div><h1>{title}</h1><p>{message}</p></main></body></html>
"#,
        lang = language.html_tag(),
        app = match language {
            Language::English => "Feishu Sign-in",
            Language::Chinese => "飞书登录",
        },
        title = escape_html(title),
        message = escape_html(message),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_everything_echoed() {
        let page = render(
            Tone::Failure,
            Language::English,
            "<b>",
            "<script>alert('x')</script> & \"",
        );
        assert!(!page.contains("<script>"));
        assert!(page.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;"));
        assert!(page.contains("<title>&lt;b&gt;"));
    }

    #[test]
    fn pages_load_nothing_from_outside() {
        for language in [Language::English, Language::Chinese] {
            let page = Page::SignedIn("张三").render(language);
            assert!(!page.contains("http"), "no links or external resources");
            assert!(!page.contains("<a ") && !page.contains("<img") && !page.contains("<script"));
        }
    }

    #[test]
    fn chinese_pages_are_chinese() {
        let page = Page::Declined.render(Language::Chinese);
        assert!(page.contains(r#"<html lang="zh-CN">"#));
        assert!(page.contains("未授权"));
        assert!(!page.contains("Access"));
    }
}
