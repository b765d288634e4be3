//! The one user who signs in to the emulator, and the identifiers Feishu would give them.

use std::fmt::Write as _;

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use sha2::{Digest, Sha256};

use crate::html::escape;

/// The signed-in user's profile, as `user_info` reports it. The default is a sample Chinese employee.
///
/// `open_id` and `union_id` are not stored: they are derived from the profile (and, for `open_id`,
/// the App ID, since Feishu's open_id is per app), so every emulator instance, in any process, gives
/// the same user the same ids.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Profile {
    /// `name`: the display name.
    pub name: String,
    /// `en_name`: the English name.
    pub en_name: String,
    /// `email` (needs `contact:user.email:readonly`).
    pub email: String,
    /// `enterprise_email` (needs `contact:user.employee:readonly`).
    pub enterprise_email: String,
    /// `mobile` (needs `contact:user.phone:readonly`).
    pub mobile: String,
    /// `employee_no` (needs `contact:user.employee:readonly`).
    pub employee_no: String,
    /// `user_id`, the tenant's own id for the user (needs `contact:user.employee_id:readonly`).
    pub user_id: String,
    /// `tenant_key`: the organisation.
    pub tenant_key: String,
}

impl Default for Profile {
    fn default() -> Self {
        Self {
            name: "张三".to_owned(),
            en_name: "Zhang San".to_owned(),
            email: "zhangsan@example.com".to_owned(),
            enterprise_email: "zhangsan@corp.example.com".to_owned(),
            mobile: "+8613800138000".to_owned(),
            employee_no: "SB0001".to_owned(),
            user_id: "5d9bdxa1".to_owned(),
            tenant_key: "736588c9260f175d".to_owned(),
        }
    }
}

impl Profile {
    /// `open_id`: `ou_` and 32 hex digits, stable per (user, app).
    pub(crate) fn open_id(&self, app_id: &str) -> String {
        format!("ou_{}", self.derived_id(&["open_id", app_id]))
    }

    /// `union_id`: `on_` and 32 hex digits, stable per user.
    pub(crate) fn union_id(&self) -> String {
        format!("on_{}", self.derived_id(&["union_id"]))
    }

    fn derived_id(&self, context: &[&str]) -> String {
        let mut hasher = Sha256::new();
        for part in context
            .iter()
            .chain([&self.tenant_key.as_str(), &self.user_id.as_str()])
        {
            hasher.update(part.as_bytes());
            hasher.update([0]);
        }
        hasher
            .finalize()
            .iter()
            .take(16)
            .fold(String::with_capacity(32), |mut hex, byte| {
                let _ = write!(hex, "{byte:02x}");
                hex
            })
    }

    /// An avatar of `size` pixels: the name's first character on a coloured disc, as a `data:` URL,
    /// so that no external host is ever contacted and the URL outlives the emulator that issued it.
    pub(crate) fn avatar_url(&self, size: u32) -> String {
        let initial = self
            .name
            .chars()
            .next()
            .map(String::from)
            .unwrap_or_default();
        let svg = format!(
            concat!(
                r##"<svg xmlns="http://www.w3.org/2000/svg" width="{size}" height="{size}" viewBox="0 0 100 100">"##,
                r##"<circle cx="50" cy="50" r="50" fill="#3370ff"/>"##,
                r##"<text x="50" y="50" dy=".35em" text-anchor="middle" font-family="sans-serif" "##,
                r##"font-size="46" fill="#ffffff">{initial}</text></svg>"##
            ),
            size = size,
            initial = escape(&initial),
        );
        format!("data:image/svg+xml;base64,{}", STANDARD.encode(svg))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_stable_and_open_id_is_per_app() {
        let profile = Profile::default();
        let open_id = profile.open_id("cli_a");
        assert!(
            open_id.starts_with("ou_") && open_id.len() == 35,
            "{open_id}"
        );
        assert_eq!(open_id, profile.open_id("cli_a"));
        assert_ne!(open_id, profile.open_id("cli_b"));
        assert!(profile.union_id().starts_with("on_"));
    }

    #[test]
    fn avatar_is_a_self_contained_svg_with_the_initial() {
        let url = Profile::default().avatar_url(72);
        let encoded = url
            .strip_prefix("data:image/svg+xml;base64,")
            .unwrap_or_default();
        let svg =
            String::from_utf8(STANDARD.decode(encoded).unwrap_or_default()).unwrap_or_default();
        assert!(svg.contains(">张</text>"), "{svg}");
        assert!(svg.contains(r#"width="72""#));
    }

    #[test]
    fn avatar_escapes_the_initial() {
        let profile = Profile {
            name: "<b>".to_owned(),
            ..Profile::default()
        };
        let encoded = profile.avatar_url(72);
        let svg = STANDARD
            .decode(encoded.trim_start_matches("data:image/svg+xml;base64,"))
            .unwrap_or_default();
        assert!(String::from_utf8_lossy(&svg).contains("&lt;"));
    }
}
