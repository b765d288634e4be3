//! Opening the authorize page with a browser command chosen by the user (`FEISHU_SIGNIN_BROWSER`),
//! the URL appended as its last argument, or with the system's opener; either way the command's
//! exit is watched, so a browser that could not open is told rather than waited for.

use std::process::{Command, Stdio};

use tokio::sync::oneshot;

use crate::error::{Error, Result};

/// A browser command that started. It may still fail: `xdg-open` finds no browser and exits
/// with an error a moment later, a mistyped command's shell exits 127. [`Launch::failure`]
/// resolves when that happens, so the sign-in can say so while it waits.
#[derive(Debug)]
pub struct Launch {
    failed: Option<oneshot::Receiver<Error>>,
}

impl Launch {
    /// A launch whose end is not watched (the opener detached it).
    pub fn detached() -> Self {
        Self { failed: None }
    }

    /// Resolves with the failure if the command exits unsuccessfully; never resolves otherwise.
    pub async fn failure(&mut self) -> Error {
        if let Some(failed) = self.failed.as_mut() {
            if let Ok(error) = failed.await {
                return error;
            }
            // The watcher ended without a failure: the command succeeded.
            self.failed = None;
        }
        std::future::pending().await
    }
}

/// Starts `command` (a shell command line) with `url` appended as one argument, without waiting for
/// it: like `xdg-open`, a browser command may return at once or keep running. Its exit is watched
/// in the background ([`Launch::failure`]).
pub fn open_with_command(command: &str, url: &str) -> Result<Launch> {
    // `"$1"` passes the URL as a single argument however the user's command line is quoted.
    let mut shell = Command::new("sh");
    shell
        .arg("-c")
        .arg(format!("{command} \"$1\""))
        .arg("feishu-signin-browser")
        .arg(url);
    spawn_watched(shell, command)
}

/// Starts `program` (a system opener such as `xdg-open`) with the URL as its argument, its exit
/// watched like [`open_with_command`]'s.
pub fn open_with_program(program: &str, url: &str) -> Result<Launch> {
    let mut opener = Command::new(program);
    opener.arg(url);
    spawn_watched(opener, program)
}

fn spawn_watched(mut command: Command, shown: &str) -> Result<Launch> {
    let mut child = command
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .spawn()
        .map_err(|e| Error::Browser {
            command: shown.to_owned(),
            reason: e.to_string(),
        })?;
    let (tx, rx) = oneshot::channel();
    let shown = shown.to_owned();
    // Reaps the child whenever it ends; a failure is sent to a sign-in still listening.
    std::thread::spawn(move || match child.wait() {
        Ok(status) if !status.success() => {
            let _ = tx.send(Error::Browser {
                command: shown,
                reason: exit_reason(status),
            });
        }
        _ => {}
    });
    Ok(Launch { failed: Some(rx) })
}

/// Why an exit status is a failure, in the words of the common openers.
fn exit_reason(status: std::process::ExitStatus) -> String {
    match status.code() {
        // xdg-open's documented codes.
        Some(3) => "no program to open the link with was found (exit code 3)".into(),
        Some(4) => "the browser failed to open the link (exit code 4)".into(),
        Some(127) => "the command was not found (exit code 127)".into(),
        Some(code) => format!("it exited with code {code}"),
        None => "it was ended by a signal".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_command_that_fails_is_reported() {
        let mut launch = open_with_command("false", "https://example.com/").unwrap();
        let error = tokio::time::timeout(std::time::Duration::from_secs(10), launch.failure())
            .await
            .expect("the failure is reported");
        assert!(error.to_string().contains("exited with code 1"), "{error}");
    }

    #[tokio::test]
    async fn a_command_that_succeeds_never_reports() {
        let mut launch = open_with_command("true", "https://example.com/").unwrap();
        let waited =
            tokio::time::timeout(std::time::Duration::from_millis(500), launch.failure()).await;
        assert!(waited.is_err());
    }
}
