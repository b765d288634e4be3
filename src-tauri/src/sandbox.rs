//! The sandbox's emulator, run as a child process: `feishu-auth emulator --for-app <data dir>`.
//!
//! Linked in, the emulator (an HTTP server with the Feishu pages and grant logic) made the app's
//! binary 0.37 MB larger, for a mode a real deployment leaves at once. `feishu-auth` carries it
//! anyway and is installed beside the app (the `.deb` puts both in `/usr/bin`; a build puts both
//! in `target/<profile>`), so the app starts that one when the sandbox is first needed. The child
//! shares grants with the CLI's sandboxes through the data directory, as an in-process emulator
//! did, and exits when its standard input closes: when this handle is dropped (the settings
//! changed) or the app exits, however it exits.

use std::{
    io,
    path::{Path, PathBuf},
    process::Stdio,
    time::Duration,
};

use tokio::{
    io::{AsyncBufReadExt, BufReader},
    process::{Child, ChildStdin, Command},
};
use url::Url;

/// The program that serves the sandbox.
const PROGRAM: &str = "feishu-auth";
/// How long the child may take to print its URL.
const START_TIMEOUT: Duration = Duration::from_secs(20);

/// A running sandbox emulator.
#[derive(Debug)]
pub struct Sandbox {
    base_url: Url,
    /// Never written: its end of file tells the child to stop.
    _lifeline: ChildStdin,
    _child: Child,
}

impl Sandbox {
    /// The emulator's base URL (accounts and Open API alike).
    pub fn base_url(&self) -> &Url {
        &self.base_url
    }
}

/// `feishu-auth` beside this executable; under `cargo test` the executable is one folder deeper
/// (`target/<profile>/deps/`), so the folder above is tried too.
fn program() -> io::Result<PathBuf> {
    let exe = std::env::current_exe()?;
    let dir = exe.parent().unwrap_or(Path::new("."));
    let candidates = [
        Some(dir.join(PROGRAM)),
        dir.parent().map(|p| p.join(PROGRAM)),
    ];
    candidates.into_iter().flatten().find(|p| p.is_file()).ok_or_else(|| {
        io::Error::new(
            io::ErrorKind::NotFound,
            format!(
                "the sandbox runs through {PROGRAM}, which is not beside {} (build it: cargo build -p feishu-auth)",
                exe.display()
            ),
        )
    })
}

/// Starts the emulator for the sandbox whose grants live in `data_dir`.
pub async fn start(data_dir: &Path) -> io::Result<Sandbox> {
    let mut child = Command::new(program()?)
        .arg("emulator")
        .arg("--for-app")
        .arg(data_dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .kill_on_drop(true)
        .spawn()?;
    let stdout = child
        .stdout
        .take()
        .ok_or_else(|| io::Error::other("no stdout"))?;
    let lifeline = child
        .stdin
        .take()
        .ok_or_else(|| io::Error::other("no stdin"))?;
    let line = tokio::time::timeout(START_TIMEOUT, BufReader::new(stdout).lines().next_line())
        .await
        .map_err(|_| {
            io::Error::new(
                io::ErrorKind::TimedOut,
                "the sandbox emulator did not start",
            )
        })??
        .ok_or_else(|| io::Error::other("the sandbox emulator exited before it was ready"))?;
    let base_url = Url::parse(line.trim()).map_err(|e| {
        io::Error::new(
            io::ErrorKind::InvalidData,
            format!("the sandbox emulator printed {line:?}: {e}"),
        )
    })?;
    tracing::info!(%base_url, "sandbox emulator started");
    Ok(Sandbox {
        base_url,
        _lifeline: lifeline,
        _child: child,
    })
}
