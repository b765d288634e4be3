//! The sandbox app's credentials, which are also every `EmulatorBuilder`'s default app.
//!
//! They live apart from `sandbox` (which re-exports them) because `sandbox` starts an emulator from a
//! builder: the builder takes its defaults from here, and never imports `sandbox`.

/// The sandbox app's App ID.
pub const APP_ID: &str = "cli_sandbox000000001";
/// The sandbox app's App Secret: public by design, it guards nothing real.
pub const APP_SECRET: &str = "sandbox-secret-not-for-production";
