//! What the window sees of the session and the settings (camelCase): never a secret type.

use feishu_oauth::{IssuerBrand, Profile, SchemeHandler, Session, TokenStatus};
use serde::Serialize;
use time::{format_description::well_known::Rfc3339, OffsetDateTime};

/// The signed-in session as the UI shows it: no token values.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SessionView {
    pub brand: IssuerBrand,
    pub profile: ProfileView,
    pub scopes: Vec<String>,
    pub access_token_expires_at: String,
    pub refresh_token_expires_at: Option<String>,
    pub reauthorize_by: String,
    pub token_status: TokenStatus,
    pub refresh_margin_seconds: i64,
}

/// The user's profile.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ProfileView {
    pub name: String,
    pub en_name: Option<String>,
    pub avatar_url: Option<String>,
    pub open_id: String,
    pub union_id: Option<String>,
    pub tenant_key: Option<String>,
    pub email: Option<String>,
    pub enterprise_email: Option<String>,
    pub mobile: Option<String>,
    pub user_id: Option<String>,
    pub employee_no: Option<String>,
}

pub(crate) fn rfc3339(at: OffsetDateTime) -> String {
    at.format(&Rfc3339).unwrap_or_default()
}

impl SessionView {
    /// The view of `session` at `now`.
    pub fn new(session: &Session, now: OffsetDateTime) -> Self {
        Self {
            brand: session.issuer.brand,
            profile: ProfileView::from(&session.profile),
            scopes: session.scopes.iter().map(str::to_owned).collect(),
            access_token_expires_at: rfc3339(session.access_token_expires_at),
            refresh_token_expires_at: session.refresh_token_expires_at.map(rfc3339),
            reauthorize_by: rfc3339(session.reauthorization_due_at()),
            token_status: session.token_status(now),
            refresh_margin_seconds: session.refresh_margin().whole_seconds(),
        }
    }
}

impl From<&Profile> for ProfileView {
    fn from(p: &Profile) -> Self {
        Self {
            name: p.name.clone(),
            en_name: p.en_name.clone(),
            avatar_url: p.avatar_url.clone(),
            open_id: p.open_id.clone(),
            union_id: p.union_id.clone(),
            tenant_key: p.tenant_key.clone(),
            email: p.email.clone(),
            enterprise_email: p.enterprise_email.clone(),
            mobile: p.mobile.clone(),
            user_id: p.user_id.clone(),
            employee_no: p.employee_no.clone(),
        }
    }
}

/// A profile as the switcher shows it.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ProfileChoice {
    pub name: String,
    /// Its name for people, when the system file gives one ("Feishu (work)").
    pub label: Option<String>,
    /// Whether the window shows it.
    pub shown: bool,
    pub brand: Option<IssuerBrand>,
    pub app_id: Option<String>,
    /// Who is signed in (name and picture), if anyone.
    pub user: Option<ProfileUser>,
    pub token_status: Option<TokenStatus>,
    /// Why the profile could not be read, if it could not.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// The signed-in user of a profile, for the switcher.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ProfileUser {
    pub name: String,
    pub avatar_url: Option<String>,
}

impl ProfileChoice {
    /// With its label for people.
    #[must_use]
    pub fn labelled(mut self, label: Option<String>) -> Self {
        self.label = label;
        self
    }

    /// The view of profile `name` with `account` and its stored session.
    pub fn new(
        name: String,
        shown: bool,
        account: &feishu_oauth::Account,
        session: feishu_oauth::Result<Option<Session>>,
        now: OffsetDateTime,
    ) -> Self {
        let (user, token_status, error) = match session {
            Ok(Some(s)) => (
                Some(ProfileUser {
                    name: s.profile.name.clone(),
                    avatar_url: s.profile.avatar_url.clone(),
                }),
                Some(s.token_status(now)),
                None,
            ),
            Ok(None) => (None, None, None),
            Err(e) => (None, None, Some(e.to_string())),
        };
        Self {
            name,
            label: None,
            shown,
            brand: Some(account.issuer().brand),
            app_id: account.config().app.as_ref().map(|a| a.app_id.clone()),
            user,
            token_status,
            error,
        }
    }

    /// A profile whose settings could not be read.
    pub fn unreadable(name: String, shown: bool, error: &feishu_oauth::Error) -> Self {
        Self {
            name,
            label: None,
            shown,
            brand: None,
            app_id: None,
            user: None,
            token_status: None,
            error: Some(error.to_string()),
        }
    }
}

/// The settings as the UI edits them. The App Secret is write-only: only whether one is set.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SettingsView {
    /// The profile these are the settings of.
    pub profile: String,
    pub sandbox: bool,
    pub app_id: Option<String>,
    pub app_secret_set: bool,
    /// Where the App Secret in effect is kept (`keyring`, `config`, `system`, `environment`).
    pub app_secret_storage: Option<&'static str>,
    pub brand: String,
    pub redirect_uri: String,
    pub loopback_redirect_uri: String,
    pub deep_link_redirect_uri: String,
    pub scopes: Vec<String>,
    pub config_path: String,
    pub data_dir: String,
    pub overridden_by_env: Vec<String>,
    /// The fields the window shows read-only, each with why.
    pub read_only: Vec<ReadOnlyField>,
    /// What the profile's settings file itself holds: a save sends these back for the read-only
    /// fields, so that a value set elsewhere is never copied into the file.
    pub in_file: FileSettingsView,
    /// The authorize page's base URL, when it is not the brand's own (a proxy, an emulator).
    pub accounts_url: Option<String>,
    /// The Open API's base URL, when it is not the brand's own.
    pub open_url: Option<String>,
    /// The sandbox was chosen on purpose ("Try the demo"); without it and without an App ID
    /// the window says the app is not set up.
    pub demo: bool,
    /// Who handles the deep-link scheme on this desktop: `None` until looked up (the `settings`
    /// command does; the window's initial state does not wait for it).
    pub deep_link_handler: Option<SchemeHandler>,
}

/// A field of the Settings form.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum SettingsField {
    AppId,
    AppSecret,
    Brand,
    RedirectUri,
    Scopes,
}

/// Why a field cannot be changed in the window.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum ReadOnlyReason {
    /// An environment variable sets it (`source` names the variable).
    Env,
    /// The system file locks it: managed by the organisation (`source` is the file's path).
    Managed,
}

/// A field the window shows read-only: the value in effect and where it comes from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ReadOnlyField {
    pub field: SettingsField,
    pub reason: ReadOnlyReason,
    /// Where the value comes from: for [`ReadOnlyReason::Env`], the variable's name; for
    /// [`ReadOnlyReason::Managed`], the system file's path.
    pub source: String,
    /// The value in effect; never the App Secret's.
    pub value: Option<String>,
}

/// The settings file's own values (the App Secret: only whether it holds one).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FileSettingsView {
    pub app_id: Option<String>,
    pub app_secret_set: bool,
    pub brand: Option<String>,
    pub redirect_uri: Option<String>,
    /// Space-separated, as written.
    pub scopes: Option<String>,
}

/// Where the shown profile's secrets are kept, as the Tokens card and Settings say it.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct StorageView {
    /// `keyring` (sealed) or `file` (unsealed, mode 0600).
    pub tokens: &'static str,
    /// The App Secret's: `keyring`, `config`, `system`, `environment`; `None` for the sandbox.
    pub app_secret: Option<&'static str>,
}
