//! Feishu / Lark user sign-in for native clients: OAuth 2.0 authorization code with PKCE in the
//! system browser (RFC 8252), the code exchange and refresh on Feishu's v2 token endpoint, user info,
//! and a session kept fresh in a private, crash-safe store shared between processes.
//!
//! The flow:
//! 1. [`authorize::begin`] makes the authorize URL and a [`PendingSignIn`] that owns the verifier.
//! 2. [`LoopbackListener::bind`] (or a deep-link handler) is ready before the browser opens.
//! 3. The callback is parsed ([`Callback`]), its `state` checked, and
//!    [`PendingSignIn::complete`] exchanges the code and fetches the profile into a [`Session`].
//! 4. [`SessionManager`] saves it and later hands out fresh tokens, one refresh at a time.
//!
//! This crate knows nothing of Tauri or of any UI.

pub mod authorize;
pub mod brand;
pub mod browser;
pub mod callback;
pub mod client;
pub mod codes;
pub mod config;
pub mod error;
mod fsutil;
mod lockfile;
pub mod loopback;
pub mod manager;
pub mod pages;
pub mod pkce;
pub mod profile;
pub mod redirect;
pub mod scope;
pub mod secret;
pub mod session;
pub mod store;

pub use authorize::{begin, PendingSignIn, SignInRequest, StateMatcher};
pub use brand::Brand;
pub use callback::{Callback, CallbackError};
pub use client::{FeishuClient, RetryPolicy, TokenGrant};
pub use codes::{ErrorCode, Remedy};
pub use config::{AppCredentials, Config, ConfigFile, Endpoints};
pub use error::{Error, FeishuError, Result};
pub use fsutil::{ensure_private_dir, write_private_atomic};
pub use loopback::{Arrival, LoopbackListener, Responder};
pub use manager::{SessionManager, SignOut};
pub use profile::Profile;
pub use redirect::{CallbackRoute, RedirectUri};
pub use scope::Scopes;
pub use secret::{AccessToken, AppSecret, AuthorizationCode, PkceVerifier, RefreshToken, State};
pub use session::{Issuer, Session, StaleReason, TokenStatus};
pub use store::{FileStore, SessionStore};
