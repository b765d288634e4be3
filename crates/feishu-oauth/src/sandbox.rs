//! How an account in the sandbox (no App ID configured) gets its local Feishu emulator.
//!
//! The emulator is the test oracle and shares no code with this crate, so this crate only says
//! what it needs from one: the sandbox app's credentials and a running server's base URL. Each
//! adapter chooses how it runs: the CLI links the emulator and runs it in-process; the desktop
//! app runs it as a child process ([`ChildProcess`]) so that its own binary carries no emulator.

use std::{
    future::Future,
    io,
    path::{Path, PathBuf},
    pin::Pin,
    process::Stdio,
    time::Duration,
};

use tokio::{
    io::{AsyncBufReadExt, BufReader},
    process::{Child, ChildStdin, Command},
};
use url::Url;

use crate::{config::AppCredentials, program::find_program};

/// A future a launcher returns.
pub type Launching<'a> = Pin<Box<dyn Future<Output = io::Result<RunningSandbox>> + Send + 'a>>;

/// Starts the sandbox's emulator for an account.
pub trait SandboxLauncher: Send + Sync {
    /// The sandbox app's App ID and App Secret: one well-known app, the same in every emulator.
    fn credentials(&self) -> AppCredentials;
    /// Starts an emulator that keeps its grants in `data_dir` (shared by every sandbox process of
    /// this user, so the CLI and the app see the same grants).
    fn launch<'a>(&'a self, data_dir: &'a Path) -> Launching<'a>;
}

/// A running emulator: stopped when this is dropped.
pub struct RunningSandbox {
    base_url: Url,
    _server: Box<dyn Send + Sync>,
}

impl RunningSandbox {
    /// A running emulator at `base_url`, kept alive by `server` (stopped when it drops).
    pub fn new(base_url: Url, server: Box<dyn Send + Sync>) -> Self {
        Self {
            base_url,
            _server: server,
        }
    }

    /// The emulator's base URL: it serves the accounts and Open API paths alike.
    pub fn base_url(&self) -> &Url {
        &self.base_url
    }
}

impl std::fmt::Debug for RunningSandbox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RunningSandbox")
            .field("base_url", &self.base_url.as_str())
            .finish_non_exhaustive()
    }
}

/// The emulator as a child process: `<program> emulator --for-app <data dir>`, which prints its
/// base URL as its only line and exits when its standard input closes, that is when the
/// [`RunningSandbox`] is dropped or this process ends, however it ends.
///
/// Linked in, the emulator (an HTTP server with the Feishu pages and grant logic) made the app's
/// binary 0.37 MB larger, for a mode a real deployment leaves at once. `feishu-auth` carries it
/// anyway and is installed beside the app (the `.deb` puts both in `/usr/bin`; a build puts both
/// in `target/<profile>`).
#[derive(Debug, Clone)]
pub struct ChildProcess {
    program: &'static str,
    credentials: AppCredentials,
}

/// How long the child may take to print its URL.
const START_TIMEOUT: Duration = Duration::from_secs(20);

impl ChildProcess {
    /// Runs `program` (found beside this executable) for an emulator whose app has `credentials`.
    pub fn new(program: &'static str, credentials: AppCredentials) -> Self {
        Self {
            program,
            credentials,
        }
    }

    /// The program, beside this executable or on `PATH` ([`find_program`]).
    fn program(&self) -> io::Result<PathBuf> {
        find_program(self.program).ok_or_else(|| {
            let exe = std::env::current_exe().unwrap_or_default();
            io::Error::new(
                io::ErrorKind::NotFound,
                format!(
                    "the sandbox runs through {}, which is neither beside {} nor on PATH (install the package, or build it: cargo build -p {})",
                    self.program,
                    exe.display(),
                    self.program
                ),
            )
        })
    }

    async fn start(&self, data_dir: &Path) -> io::Result<RunningSandbox> {
        let mut child = Command::new(self.program()?)
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
        Ok(RunningSandbox::new(
            base_url,
            Box::new(Lifeline {
                _stdin: lifeline,
                _child: child,
            }),
        ))
    }
}

/// The child and the pipe whose end of file tells it to stop.
struct Lifeline {
    _stdin: ChildStdin,
    _child: Child,
}

impl SandboxLauncher for ChildProcess {
    fn credentials(&self) -> AppCredentials {
        self.credentials.clone()
    }

    fn launch<'a>(&'a self, data_dir: &'a Path) -> Launching<'a> {
        Box::pin(self.start(data_dir))
    }
}
