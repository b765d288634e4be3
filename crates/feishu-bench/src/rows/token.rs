//! Row 5: `feishu-auth token` with a fresh token, the whole process (exec, config, session file,
//! stdout), against `cat` of the session file: the floor for any process that reads that file.

use std::{
    path::Path,
    process::{Command, Stdio},
    time::{Duration, Instant},
};

use crate::{
    artifacts::Artifacts,
    home::Home,
    row::{Budget, Figure, Row},
    stats::median_ms,
};

/// Runs `cmd` to completion with stdout captured; its wall time and stdout.
pub fn timed(mut cmd: Command) -> Result<(Duration, Vec<u8>), String> {
    cmd.stdout(Stdio::piped());
    let started = Instant::now();
    let output = cmd.output().map_err(|e| format!("{cmd:?}: {e}"))?;
    let took = started.elapsed();
    if !output.status.success() {
        return Err(format!("{cmd:?} exited with {}", output.status));
    }
    Ok((took, output.stdout))
}

pub fn row(home: &Home, artifacts: &Artifacts, runs: usize) -> Result<Row, String> {
    let token = || {
        let mut cmd = home.command(&artifacts.feishu_auth);
        cmd.arg("token");
        timed(cmd)
    };
    let cat = || {
        let mut cmd = home.command(Path::new("cat"));
        cmd.arg(home.session_file());
        timed(cmd)
    };
    // Unmeasured: the page cache holds both binaries and the file afterwards.
    let (_, first) = token()?;
    cat()?;
    if first.is_empty() {
        return Err("feishu-auth token printed nothing".into());
    }
    let (mut ours, mut floor) = (Vec::new(), Vec::new());
    for i in 0..runs {
        let (took, printed) = token()?;
        if printed != first {
            return Err("the token changed: it was not fresh, so a refresh was timed".into());
        }
        ours.push(took);
        floor.push(cat()?.0);
        super::progress("feishu-auth token", i + 1, runs);
    }
    Ok(Row {
        id: "5",
        name: "`feishu-auth token`, fresh token, whole process",
        reference_name: "`cat` of the session file",
        ours: Figure::millis(median_ms(&ours)),
        reference: Figure::millis(median_ms(&floor)),
        budget: Budget::AtMost(Figure::millis(10.0)),
    })
}
