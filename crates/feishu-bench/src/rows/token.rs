//! Row 5: `feishu-auth token` with a fresh token, the whole process (exec, config, session file,
//! the keyring's key when the session is sealed, stdout), against `cat` of the session file: the
//! floor for any process that reads that file. Row 5k: the keyring's round trip, the same command
//! on a sealed session against one on an unsealed session (a home with no keyring), in one run.

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

/// The median wall time of `feishu-auth token` in `home` over `runs`, checking the token stays
/// the same (a refresh would be timed otherwise).
fn token_ms(home: &Home, artifacts: &Artifacts, runs: usize, what: &str) -> Result<f64, String> {
    let token = || {
        let mut cmd = home.command(&artifacts.feishu_auth);
        cmd.arg("token");
        timed(cmd)
    };
    let (_, first) = token()?;
    if first.is_empty() {
        return Err("feishu-auth token printed nothing".into());
    }
    let mut took = Vec::new();
    for i in 0..runs {
        let (ms, printed) = token()?;
        if printed != first {
            return Err("the token changed: it was not fresh, so a refresh was timed".into());
        }
        took.push(ms);
        super::progress(what, i + 1, runs);
    }
    Ok(median_ms(&took))
}

/// Row 5k: `home`'s session is sealed (the bench runs with a keyring on its session bus); a home
/// with no keyring holds an unsealed one.
pub fn keyring_row(home: &Home, artifacts: &Artifacts, runs: usize) -> Result<Row, String> {
    let sealed = std::fs::read_to_string(home.session_file())
        .map_err(|e| format!("{}: {e}", home.session_file().display()))?;
    if !sealed.contains("\"sealed\"") {
        return Err("the session is not sealed: run the benchmark with a keyring (scripts/bench.sh starts one)".into());
    }
    let plain = Home::without_keyring().map_err(|e| format!("temporary folder: {e}"))?;
    plain.sign_in_to_sandbox(&artifacts.feishu_auth, &artifacts.emulator)?;
    let ours = token_ms(home, artifacts, runs, "feishu-auth token, sealed")?;
    let reference = token_ms(&plain, artifacts, runs, "feishu-auth token, unsealed")?;
    Ok(Row {
        id: "5k",
        name: "`feishu-auth token`, session sealed by the keyring",
        reference_name: "the same, session unsealed (no keyring)",
        ours: Figure::millis(ours),
        reference: Figure::millis(reference),
        budget: Budget::None,
    })
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
