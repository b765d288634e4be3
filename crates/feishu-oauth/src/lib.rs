//! Feishu / Lark user sign-in for native clients: OAuth 2.0 authorization code with PKCE in the
//! system browser (RFC 8252), the code exchange and refresh on Feishu's v2 token endpoint, user
//! info, and a session kept fresh in a private, crash-safe store shared between processes.
//!
//! Two layers, no Tauri and no HTML in either:
//! - **The application layer**, which the adapters (the desktop window, the `feishu-auth` CLI)
//!   call: an [`Account`] (a configuration, its session, its HTTP client, its sandbox), the one
//!   sign-in flow ([`signin::run`], with the callback source, browser and progress sink the
//!   adapter chooses), the background refresh policy ([`Keeper`]) and the settings rules
//!   ([`SettingsForm`]).
//! - **The protocol layer** beneath it: [`begin`] makes the authorize URL and a
//!   [`PendingSignIn`] that owns the verifier; a [`LoopbackListener`] or a deep link brings the
//!   [`Callback`]; [`PendingSignIn::complete`] exchanges the code through a [`FeishuClient`]; the
//!   [`SessionManager`] keeps the [`Session`] in a [`SessionStore`], one refresh at a time.
//!
//! Modules are private; this list is the crate's interface.

mod account;
mod app_secret;
mod authorize;
mod brand;
mod browser;
mod callback;
mod client;
mod codes;
mod config;
mod data_dir;
pub mod device;
pub mod doctor;
mod error;
mod fsutil;
mod keepalive;
mod keeper;
pub mod keyring;
mod language;
mod lockfile;
mod loopback;
mod managed;
mod manager;
mod pages;
mod pkce;
mod prepared_key;
mod profile;
mod profiles;
mod program;
pub mod qr;
mod redirect;
mod reminders;
mod revoke;
mod sandbox;
mod scheme_handler;
mod scope;
mod seal;
mod secret;
mod session;
mod settings;
pub mod signin;
mod storage;
mod store;
#[cfg(feature = "test-support")]
pub mod test_support;

pub use account::{Account, SignOutReport};
pub use authorize::{begin, AuthorizeRequest, PendingSignIn, StateMatcher};
pub use brand::{Brand, IssuerBrand};
pub use browser::{open_with_program, Launch};
pub use callback::{Callback, CallbackError};
pub use client::{parse_token_answer, FeishuClient, RetryPolicy, TokenGrant};
pub use codes::{ErrorCode, Remedy};
pub use config::{shown_url, AppCredentials, Config, ConfigFile, Endpoints};
pub use data_dir::{settle_data_folder, APP_IDENTIFIER, FORMER_APP_IDENTIFIER};
pub use error::{Error, FeishuError, Result};
pub use fsutil::ensure_private_dir;
pub use keepalive::{
    Enabled as KeepaliveEnabled, Keepalive, KeepaliveError, KeepaliveStatus,
    NEXT_RUN_IN_SECONDS as KEEPALIVE_NEXT_RUN_IN_SECONDS,
};
pub use keeper::{Keeper, KeeperEvent, Tick, WALL_CLOCK_CHECK};
pub use language::Language;
pub use loopback::{Arrival, LoopbackListener, Responder};
pub use managed::{Key, Layered, Managed, Origin, Setting, SystemFile, KEYS, LOCKED_REASON};
pub use manager::{NarrowedToken, SessionManager, SignOut, UsableSession};
pub use profile::Profile;
pub use profiles::{check_name as check_profile_name, Profiles, DEFAULT_PROFILE, PROFILE_ENV};
pub use redirect::{CallbackRoute, RedirectUri, Route, DEEP_LINK_SCHEME};
pub use reminders::{Reminder, Reminders};
pub use revoke::{Revocation, TokenKind};
pub use sandbox::{ChildProcess, Launching, RunningSandbox, SandboxLauncher};
pub use scheme_handler::{scheme_handler, SchemeHandler};
pub use scope::Scopes;
pub use secret::{
    AccessToken, AppSecret, AuthorizationCode, CsrfState, DeviceCode, PkceVerifier, RefreshToken,
};
pub use session::{Issuer, RefreshDue, Session, StaleReason, TokenStatus};
pub use settings::{
    choose_demo, config_path, custom_endpoints, load_or_sandbox, overridden_by_env, Saved,
    SettingsForm,
};
pub use storage::{Sealing, Storage, StoragePolicy};
pub use store::{
    stored_session, FileStore, SessionStore, StoreLock, SESSION_FILE_NAME, SESSION_KEY,
};
