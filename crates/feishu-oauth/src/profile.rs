//! The signed-in user, from `GET /open-apis/authen/v1/user_info`.
//!
//! Which fields come back depends on the granted scopes; absent and empty fields are `None`.

use serde::{Deserialize, Serialize};

/// The user's profile. Field names are Feishu's.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Profile {
    /// `name`: the display name (often Chinese).
    pub name: String,
    /// `en_name`.
    #[serde(default)]
    pub en_name: Option<String>,
    /// `avatar_url`.
    #[serde(default)]
    pub avatar_url: Option<String>,
    /// `avatar_thumb` (72×72).
    #[serde(default)]
    pub avatar_thumb: Option<String>,
    /// `avatar_middle` (240×240).
    #[serde(default)]
    pub avatar_middle: Option<String>,
    /// `avatar_big` (640×640).
    #[serde(default)]
    pub avatar_big: Option<String>,
    /// `open_id`: the user's id within this app.
    pub open_id: String,
    /// `union_id`: the user's id across this developer's apps.
    #[serde(default)]
    pub union_id: Option<String>,
    /// `email` (needs `contact:user.email:readonly`; not verified by Feishu).
    #[serde(default)]
    pub email: Option<String>,
    /// `enterprise_email` (needs `contact:user.employee:readonly`).
    #[serde(default)]
    pub enterprise_email: Option<String>,
    /// `user_id` (needs `contact:user.employee_id:readonly`).
    #[serde(default)]
    pub user_id: Option<String>,
    /// `mobile` (needs `contact:user.phone:readonly`).
    #[serde(default)]
    pub mobile: Option<String>,
    /// `tenant_key`: the organization.
    #[serde(default)]
    pub tenant_key: Option<String>,
    /// `employee_no`.
    #[serde(default)]
    pub employee_no: Option<String>,
}

impl Profile {
    /// Builds a profile from the `data` object of a user-info answer, treating empty strings as
    /// absent and requiring the two fields every answer carries (`name`, `open_id`).
    pub(crate) fn from_user_info(
        data: &serde_json::Map<String, serde_json::Value>,
    ) -> Result<Self, String> {
        let field = |key: &str| -> Option<String> {
            data.get(key)
                .and_then(serde_json::Value::as_str)
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
        };
        let required = |key: &str| field(key).ok_or_else(|| format!("`data.{key}` is missing"));
        Ok(Self {
            name: required("name")?,
            en_name: field("en_name"),
            avatar_url: field("avatar_url"),
            avatar_thumb: field("avatar_thumb"),
            avatar_middle: field("avatar_middle"),
            avatar_big: field("avatar_big"),
            open_id: required("open_id")?,
            union_id: field("union_id"),
            email: field("email"),
            enterprise_email: field("enterprise_email"),
            user_id: field("user_id"),
            mobile: field("mobile"),
            tenant_key: field("tenant_key"),
            employee_no: field("employee_no"),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_fields_are_absent_and_name_open_id_are_required() {
        let data = serde_json::json!({"name": "张三", "open_id": "ou_1", "email": "", "en_name": "Zhang San"});
        let p = Profile::from_user_info(data.as_object().unwrap()).unwrap();
        assert_eq!(p.name, "张三");
        assert_eq!(p.email, None);
        assert_eq!(p.en_name.as_deref(), Some("Zhang San"));
        let missing = serde_json::json!({"name": "张三"});
        assert!(Profile::from_user_info(missing.as_object().unwrap())
            .unwrap_err()
            .contains("open_id"));
    }
}
