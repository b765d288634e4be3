//! Opening the authorize page with a browser command chosen by the user (`FEISHU_SIGNIN_BROWSER`),
//! the URL appended as its last argument. The system browser is the shells' job (the app uses
//! tauri-plugin-opener, the CLI the `open` crate).

use std::process::{Command, Stdio};

use crate::error::{Error, Result};

/// Starts `command` (a shell command line) with `url` appended as one argument, without waiting for
/// it: like `xdg-open`, a browser command may return at once or keep running. The child is reaped in
/// the background.
pub fn open_with_command(command: &str, url: &str) -> Result<()> {
    // `"$1"` passes the URL as a single argument however the user's command line is quoted.
    let mut child = Command::new("sh")
        .arg("-c")
        .arg(format!("{command} \"$1\""))
        .arg("feishu-signin-browser")
        .arg(url)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .spawn()
        .map_err(|e| Error::Browser {
            command: command.to_owned(),
            reason: e.to_string(),
        })?;
    std::thread::spawn(move || {
        let _ = child.wait();
    });
    Ok(())
}
