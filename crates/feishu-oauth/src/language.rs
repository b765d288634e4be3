//! The language of what the core shows a person itself: the browser's page after the redirect.
//! The adapters word everything else; they pass the person's language in (the window its own
//! choice, the CLI the locale of its environment).

use serde::{Deserialize, Serialize};

/// English or Chinese (the two languages the app speaks).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum Language {
    /// English, the default.
    #[default]
    #[serde(rename = "en")]
    English,
    /// Simplified Chinese.
    #[serde(rename = "zh")]
    Chinese,
}

impl Language {
    /// The language of a locale or language tag (`zh_CN.UTF-8`, `zh-Hans`, `en-US`): Chinese for
    /// any `zh`, English otherwise.
    pub fn from_tag(tag: &str) -> Self {
        let tag = tag.trim().to_ascii_lowercase();
        if tag == "zh" || tag.starts_with("zh_") || tag.starts_with("zh-") || tag.starts_with("zh.")
        {
            Language::Chinese
        } else {
            Language::English
        }
    }

    /// The language of the environment's locale, as POSIX orders it: `LC_ALL`, then
    /// `LC_MESSAGES`, then `LANG` (the first one set and not empty).
    pub fn from_env() -> Self {
        ["LC_ALL", "LC_MESSAGES", "LANG"]
            .iter()
            .find_map(|name| std::env::var(name).ok().filter(|v| !v.is_empty()))
            .map_or(Language::English, |tag| Language::from_tag(&tag))
    }

    /// The tag for HTML's `lang` attribute.
    pub fn html_tag(self) -> &'static str {
        match self {
            Language::English => "en",
            Language::Chinese => "zh-CN",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locales_and_tags() {
        for tag in ["zh", "zh_CN.UTF-8", "zh-Hans", "ZH_tw", "zh.utf8"] {
            assert_eq!(Language::from_tag(tag), Language::Chinese, "{tag}");
        }
        for tag in ["en_US.UTF-8", "C", "POSIX", "", "zhx", "de-DE"] {
            assert_eq!(Language::from_tag(tag), Language::English, "{tag}");
        }
    }
}
