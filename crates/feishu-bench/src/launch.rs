//! Launching an app once: the wall time from spawning it to reading its first-render line, then
//! its resident memory (with WebKit's child processes) once it has settled, then stopping it; or
//! leaving it running, for the rows that watch it idle.

use std::{
    io::{BufRead, BufReader},
    os::unix::process::CommandExt,
    path::Path,
    process::{Child, Stdio},
    sync::mpsc,
    time::{Duration, Instant},
};

use crate::{home::Home, procs};

/// The variable both apps check before printing `first-render <view> <ms>` on stdout.
pub const REPORT_VAR: &str = "FEISHU_SIGNIN_REPORT_FIRST_RENDER";
/// The longest a start may take before the run is declared broken.
const TIMEOUT: Duration = Duration::from_secs(60);

/// What one start measured.
#[derive(Debug, Clone, Copy)]
pub struct Launch {
    /// From just before `spawn` to reading the marker line: what a user waits.
    pub first_render: Duration,
    /// The app's own figure, from its first instruction in `main`: a cross-check only.
    pub reported_ms: u64,
    /// Resident memory of the app and its descendants after settling.
    pub rss: u64,
    /// How many processes that was.
    pub processes: usize,
}

/// A started app; dropping it kills its process group (and every descendant that left it).
#[derive(Debug)]
pub struct Running(Child);

impl Running {
    /// The app's process id: the root of its tree.
    pub fn pid(&self) -> u32 {
        self.0.id()
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        procs::kill_tree(self.0.id());
        let _ = self.0.wait();
    }
}

/// An app that has shown its first view, left running.
#[derive(Debug)]
pub struct Started {
    pub app: Running,
    /// From just before `spawn` to reading the marker line.
    pub first_render: Duration,
    /// The app's own figure, from `main` to the marker.
    pub reported_ms: u64,
}

/// Starts `program` in `home`, waits for `first-render <view>`, lets it settle, measures, stops it.
pub fn launch(home: &Home, program: &Path, view: &str, settle: Duration) -> Result<Launch, String> {
    let started = start(home, program, view)?;
    std::thread::sleep(settle);
    let (rss, processes) = procs::tree_rss(started.app.pid());
    Ok(Launch {
        first_render: started.first_render,
        reported_ms: started.reported_ms,
        rss,
        processes,
    })
}

/// Starts `program` in `home` and waits for its `first-render <view>` line; it runs until the
/// answer is dropped.
pub fn start(home: &Home, program: &Path, view: &str) -> Result<Started, String> {
    let mut cmd = home.command(program);
    cmd.env(REPORT_VAR, "1")
        .stdout(Stdio::piped())
        // Its own group, so the app and every WebKit process it starts can be stopped together.
        .process_group(0);
    let started = Instant::now();
    let child = cmd
        .spawn()
        .map_err(|e| format!("{}: {e}", program.display()))?;
    let mut running = Running(child);
    let stdout = running.0.stdout.take().ok_or("no stdout pipe")?;
    let (lines_tx, lines) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            if lines_tx.send(line).is_err() {
                break;
            }
        }
    });

    let prefix = format!("first-render {view} ");
    let (first_render, reported_ms) = loop {
        let left = TIMEOUT.saturating_sub(started.elapsed());
        let line = match lines.recv_timeout(left) {
            Ok(Ok(line)) => line,
            Ok(Err(e)) => return Err(format!("{}: reading stdout: {e}", program.display())),
            Err(_) => {
                return Err(format!(
                    "{} printed no `{prefix}…` line within {TIMEOUT:?} (is DISPLAY set, is a session bus running?)",
                    program.display()
                ))
            }
        };
        let at = started.elapsed();
        if let Some(ms) = line.strip_prefix(&prefix) {
            break (at, ms.trim().parse().unwrap_or(0));
        }
        if line.starts_with("first-render ") {
            return Err(format!(
                "{} rendered `{line}`, expected the `{view}` view",
                program.display()
            ));
        }
    };
    Ok(Started {
        app: running,
        first_render,
        reported_ms,
    })
}
