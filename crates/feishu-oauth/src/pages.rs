//! The page the browser shows after the redirect: self-contained (no external resources, no links,
//! so nothing leaks the callback URL through a `Referer`), with everything echoed HTML-escaped.

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

/// A complete HTML page with a title and a message (both escaped here).
pub fn render(tone: Tone, title: &str, message: &str) -> String {
    let (accent, mark) = match tone {
        Tone::Success => ("#1f8a4c", "&#10003;"),
        Tone::Failure => ("#c0392b", "&#33;"),
        Tone::Neutral => ("#5b6470", "&#8226;"),
    };
    format!(
        r#"<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<meta name="referrer" content="no-referrer"><title>{title} · Feishu Sign-in</title>
<style>
:root{{color-scheme:light dark;font-family:system-ui,-apple-system,"Segoe UI","PingFang SC","Noto Sans CJK SC",sans-serif}}
body{{margin:0;min-height:100vh;display:grid;place-items:center;background:Canvas;color:CanvasText}}
main{{max-width:30rem;padding:2rem;text-align:center}}
.mark{{display:inline-grid;place-items:center;width:3rem;height:3rem;border-radius:50%;background:{accent};color:#fff;font-size:1.6rem}}
h1{{font-size:1.4rem;margin:1rem 0 .5rem}} p{{line-height:1.5;opacity:.85;overflow-wrap:anywhere}}
</style></head>
<body><main><div class="mark" aria-hidden="true">{mark}</div><h1>{title}</h1><p>{message}</p></main></body></html>
"#,
        title = escape_html(title),
        message = escape_html(message),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_everything_echoed() {
        let page = render(Tone::Failure, "<b>", "<script>alert('x')</script> & \"");
        assert!(!page.contains("<script>"));
        assert!(page.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;"));
        assert!(page.contains("<title>&lt;b&gt;"));
    }

    #[test]
    fn pages_load_nothing_from_outside() {
        let page = render(Tone::Success, "Signed in", "You can close this tab.");
        assert!(!page.contains("http"), "no links or external resources");
        assert!(!page.contains("<a ") && !page.contains("<img") && !page.contains("<script"));
    }
}
