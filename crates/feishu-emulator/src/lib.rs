//! A local emulator of Feishu's (飞书) OAuth 2.0 user sign-in, for tests and for the sandbox that
//! lets the desktop app and the CLI be tried with no Feishu account.
//!
//! It serves, on `127.0.0.1`, what the Feishu open platform serves on two hosts:
//!
//! | path | Feishu page |
//! |---|---|
//! | `GET /open-apis/authen/v1/authorize` | 获取授权码: the consent page a real browser shows |
//! | `POST /open-apis/authen/v2/oauth/token` | 获取 / 刷新 user_access_token (JSON or form body) |
//! | `GET /open-apis/authen/v1/user_info` | 获取用户信息 |
//! | `POST /oauth/v1/revoke` | none: token revocation (RFC 7009), as the official Lark CLI calls it |
//! | `POST /oauth/v1/device_authorization` | none: the device authorization grant (RFC 8628), as the official Lark CLI uses it |
//! | `GET`/`POST /oauth/v1/device/verify` | none: the page where the person approves a device's code |
//!
//! It is strict where Feishu is: exact registered redirect URIs (an unregistered one shows error
//! 20029 and never redirects), single-use authorization codes valid 5 minutes, PKCE (`plain` when no
//! method is given, as documented), client authentication in the body only (20070 with an HTTP
//! Basic header as well), scope narrowing that never accumulates, a refresh token only with
//! `offline_access`, single-use rotating refresh tokens (the old access token keeps working for a
//! minute), and the documented error codes with their HTTP statuses. Revocation follows RFC 7009:
//! client authentication, 200 for a token that is not live, a refresh token's grant revoked with it.
//! Tests can inject failures, slow answers down, count calls, revoke refresh tokens, expire
//! authorizations and move the clock.
//!
//! ```no_run
//! # async fn demo() -> std::io::Result<()> {
//! use feishu_emulator::{Emulator, Endpoint};
//!
//! let emulator = Emulator::builder()
//!     .redirect_uri("http://127.0.0.1:8765/callback")
//!     .start()
//!     .await?;
//! let authorize_url = emulator.base_url().join("open-apis/authen/v1/authorize");
//! emulator.fail_next(Endpoint::Token, 1, 20050); // the next token request answers HTTP 500
//! # drop(authorize_url);
//! # Ok(())
//! # }
//! ```
//!
//! [`sandbox`] holds the settings the app and the CLI start it with when no App ID is configured.
//! The `feishu-emulator` binary runs the same server (`serve`) and the stand-in for a person at a
//! browser (`browse`, see [`browse`]).

pub mod browse;
mod builder;
mod clock;
mod config;
mod device_authorization;
mod device_grant;
mod device_page;
mod device_verify;
mod emulator;
mod endpoint;
mod errors;
mod faults;
mod grants;
mod headers;
mod html;
mod pages;
mod params;
mod pkce;
mod profile;
mod recent;
mod responses;
mod revocation;
mod revoke;
pub mod sandbox;
mod sandbox_app;
mod secrets;
mod server;
mod shared;
mod state;
mod state_file;
mod token;
mod user_code;
mod user_info;

mod authorize;

pub use builder::EmulatorBuilder;
pub use emulator::Emulator;
pub use endpoint::Endpoint;
pub use profile::Profile;
