//! Exit statuses, so scripts can tell a missing session from a network fault.

use std::process::ExitCode;

use feishu_oauth::Error;

/// Anything else went wrong.
pub const FAILURE: u8 = 1;
/// The command line named something that does not exist (an unknown profile), as clap's own
/// usage errors do.
pub const USAGE: u8 = 2;
/// Not signed in, or the session can no longer be refreshed: run `feishu-auth login`.
pub const SIGN_IN_REQUIRED: u8 = 3;
/// The browser did not come back in time.
pub const TIMED_OUT: u8 = 4;
/// The user declined the consent page.
pub const DECLINED: u8 = 5;
/// Feishu answered with an error code.
pub const FEISHU_ERROR: u8 = 6;
/// A scope is missing: `check` found one the session does not hold, or a narrowed `token` asked
/// for one it was not granted.
pub const SCOPE_MISSING: u8 = 7;
/// `doctor` found a problem: a check failed (warnings alone exit 0).
pub const DOCTOR_FOUND_PROBLEM: u8 = 8;
/// The desktop keyring was needed and could not be used (a sealed session where its keyring
/// cannot be reached or is locked; `storage = "keyring"` with no keyring).
pub const KEYRING: u8 = 9;

/// The exit status for an error.
pub fn code_for(error: &Error) -> ExitCode {
    ExitCode::from(match error {
        Error::SignedOut
        | Error::SignInRequired { .. }
        | Error::CorruptStore { .. }
        | Error::SignedOutDuringRefresh => SIGN_IN_REQUIRED,
        Error::Timeout { .. } => TIMED_OUT,
        Error::AccessDenied => DECLINED,
        Error::Feishu(_) => FEISHU_ERROR,
        Error::UnknownProfile { .. } => USAGE,
        Error::Keyring { .. } => KEYRING,
        Error::ScopeNotGranted { .. } => SCOPE_MISSING,
        _ => FAILURE,
    })
}
