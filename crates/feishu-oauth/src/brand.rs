//! Feishu (China) and Lark (international) are separate platforms with separate hosts: an App ID of
//! one is unknown to the other, so the two are never mixed.

use std::{fmt, str::FromStr};

use serde::{Deserialize, Serialize};
use url::Url;

/// Which platform the app is registered on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Brand {
    /// 飞书, `*.feishu.cn`.
    #[default]
    Feishu,
    /// Lark, `*.larksuite.com`.
    Lark,
}

impl Brand {
    /// The base URL of the accounts host, which serves the authorize page.
    pub fn accounts_url(self) -> Url {
        match self {
            Brand::Feishu => parse_static("https://accounts.feishu.cn/"),
            Brand::Lark => parse_static("https://accounts.larksuite.com/"),
        }
    }

    /// The base URL of the Open API host, which serves the token endpoint and user info.
    pub fn open_url(self) -> Url {
        match self {
            Brand::Feishu => parse_static("https://open.feishu.cn/"),
            Brand::Lark => parse_static("https://open.larksuite.com/"),
        }
    }

    /// The lowercase name used in settings and in `status --json`.
    pub fn as_str(self) -> &'static str {
        match self {
            Brand::Feishu => "feishu",
            Brand::Lark => "lark",
        }
    }
}

/// Who issued a session's tokens: one of the two platforms, or the sandbox's local emulator,
/// whose tokens work nowhere else. Stored in the session file as `feishu`, `lark` or `sandbox`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum IssuerBrand {
    /// 飞书.
    Feishu,
    /// Lark.
    Lark,
    /// The local emulator (no App ID configured).
    Sandbox,
    /// A brand this version does not know (a newer version's, a hand edit): its session belongs
    /// to no account here and is left as it is, not taken for a corrupt file.
    #[serde(other)]
    Unknown,
}

impl IssuerBrand {
    /// The lowercase name, as stored and as `status --json` prints it.
    pub fn as_str(self) -> &'static str {
        match self {
            IssuerBrand::Feishu => "feishu",
            IssuerBrand::Lark => "lark",
            IssuerBrand::Sandbox => "sandbox",
            IssuerBrand::Unknown => "unknown",
        }
    }
}

impl From<Brand> for IssuerBrand {
    fn from(brand: Brand) -> Self {
        match brand {
            Brand::Feishu => IssuerBrand::Feishu,
            Brand::Lark => IssuerBrand::Lark,
        }
    }
}

impl fmt::Display for IssuerBrand {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Display for Brand {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Brand {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "feishu" => Ok(Brand::Feishu),
            "lark" => Ok(Brand::Lark),
            other => Err(format!("`{other}` is not a brand: use `feishu` or `lark`")),
        }
    }
}

fn parse_static(url: &'static str) -> Url {
    // The literals above are valid URLs; a failure here is a typo caught by the unit test below.
    Url::parse(url).unwrap_or_else(|_| unreachable!("invalid built-in URL {url}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts_are_never_mixed() {
        assert_eq!(
            Brand::Feishu.accounts_url().as_str(),
            "https://accounts.feishu.cn/"
        );
        assert_eq!(Brand::Feishu.open_url().as_str(), "https://open.feishu.cn/");
        assert_eq!(
            Brand::Lark.accounts_url().as_str(),
            "https://accounts.larksuite.com/"
        );
        assert_eq!(
            Brand::Lark.open_url().as_str(),
            "https://open.larksuite.com/"
        );
    }

    #[test]
    fn parses_names() {
        assert_eq!("Lark".parse::<Brand>(), Ok(Brand::Lark));
        assert!("larksuite".parse::<Brand>().is_err());
    }
}
