//! Why a command failed: the core's error, or standard output that could not be written.
//!
//! A script that runs `feishu-auth token > file` must be able to trust exit status 0: a token that
//! did not reach standard output (a full disk, a closed pipe) is a failure, never a success.

use std::{io, process::ExitCode};

use crate::{exit, view::sentence};

/// A command's failure.
#[derive(Debug)]
pub enum Failure {
    /// The sign-in, the session or the settings.
    Core(feishu_oauth::Error),
    /// Writing standard output failed.
    Output(io::Error),
    /// `doctor` ran, and these checks (their ids) failed: the report says why and what to do.
    DoctorFoundProblem(Vec<&'static str>),
    /// The keepalive's units could not be written or removed.
    Keepalive(feishu_oauth::KeepaliveError),
    /// `check` found scopes missing: standard output said which.
    ScopesMissing,
}

impl From<feishu_oauth::KeepaliveError> for Failure {
    fn from(e: feishu_oauth::KeepaliveError) -> Self {
        Failure::Keepalive(e)
    }
}

impl From<feishu_oauth::Error> for Failure {
    fn from(e: feishu_oauth::Error) -> Self {
        Failure::Core(e)
    }
}

impl From<io::Error> for Failure {
    fn from(e: io::Error) -> Self {
        Failure::Output(e)
    }
}

impl Failure {
    /// What to print on stderr (nothing for a closed pipe: the reader chose to stop), and the
    /// exit status.
    pub fn report(&self) -> (Option<String>, ExitCode) {
        match self {
            Failure::Core(e) => {
                let message = match advice(e) {
                    Some(advice) => format!("{} {}", sentence(&e.to_string()), sentence(advice)),
                    None => sentence(&e.to_string()),
                };
                (Some(message), exit::code_for(e))
            }
            Failure::Keepalive(e) => (
                Some(sentence(&format!("keepalive: {e}"))),
                ExitCode::from(exit::FAILURE),
            ),
            Failure::ScopesMissing => (None, ExitCode::from(exit::SCOPE_MISSING)),
            Failure::Output(e) if e.kind() == io::ErrorKind::BrokenPipe => {
                (None, ExitCode::from(exit::FAILURE))
            }
            Failure::DoctorFoundProblem(ids) => (
                Some(format!(
                    "{} failed: {}.",
                    if ids.len() == 1 { "a check" } else { "checks" },
                    ids.join(", ")
                )),
                ExitCode::from(exit::DOCTOR_FOUND_PROBLEM),
            ),
            Failure::Output(e) => (
                Some(sentence(&format!(
                    "could not write to standard output: {e}"
                ))),
                ExitCode::from(exit::FAILURE),
            ),
        }
    }
}

/// What a person at a terminal does about an error, where the core's own words (which serve the
/// window too) do not name the command.
fn advice(error: &feishu_oauth::Error) -> Option<&'static str> {
    use feishu_oauth::Error;
    match error {
        Error::SignedOut => Some("Run `feishu-auth login` (or sign in from the app)"),
        Error::SignInRequired { .. }
        | Error::SignedOutDuringRefresh
        | Error::CorruptStore { .. } => Some("`feishu-auth login` signs in again"),
        _ => None,
    }
}

/// A command's result.
pub type Outcome = Result<(), Failure>;
