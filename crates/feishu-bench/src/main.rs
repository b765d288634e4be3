//! `feishu-bench`: how Feishu Sign-in compares with what it cannot do without. Each figure is a
//! median over repeated runs beside its reference measured in the same run (an empty Tauri app, a
//! bare HTTP client, `cat`, a single refresh), with the ratio and the budget it is held to.
//!
//! It prints the table, writes `performance.md` and `performance.svg` for the README, and exits
//! non-zero when a budget fails. `scripts/bench.sh` builds what it measures and runs it under
//! Xvfb with a D-Bus session.

// Printing the table and the progress is this program's job.
#![allow(clippy::print_stdout, clippy::print_stderr)]

mod args;
mod artifacts;
mod bare;
mod chart;
mod engine;
mod harness;
mod home;
mod keyring;
mod launch;
mod minimize;
mod procs;
mod row;
mod rows;
mod stats;
mod table;
mod usage;
mod webdriver;

use std::{path::Path, process::ExitCode, time::Duration};

use clap::Parser;

use crate::{args::Args, artifacts::Artifacts, home::Home, row::Row};

fn main() -> ExitCode {
    let args = Args::parse();
    match run(&args) {
        Ok(rows) => {
            let failed = rows.iter().filter(|r| r.passes() == Some(false)).count();
            if failed == 0 {
                println!("every budget holds");
                ExitCode::SUCCESS
            } else {
                println!("{failed} budget(s) failed");
                ExitCode::FAILURE
            }
        }
        Err(e) => {
            eprintln!("feishu-bench: {e}");
            ExitCode::from(2)
        }
    }
}

/// Measures the rows asked for, prints them, and writes the docs when all were measured.
fn run(args: &Args) -> Result<Vec<Row>, String> {
    let dir = args.bin_dir.clone().unwrap_or_else(Artifacts::default_dir);
    let artifacts = Artifacts::locate(&dir)?;
    let runtime = tokio::runtime::Runtime::new().map_err(|e| format!("tokio: {e}"))?;
    let mut rows = Vec::new();
    let mut notes = Vec::new();

    // The sandbox session the apps show and `feishu-auth token` prints.
    let home = Home::new().map_err(|e| format!("temporary folder: {e}"))?;
    if [1, 2, 5, 7, 8].iter().any(|&n| args.wants(n)) {
        home.sign_in_to_sandbox(&artifacts.feishu_auth, &artifacts.emulator)?;
    }
    let shows_windows = [1, 2, 7, 8, 9, 10].iter().any(|&n| args.wants(n));
    if shows_windows && std::env::var_os("DISPLAY").is_none() {
        return Err("no DISPLAY: run under xvfb-run (scripts/bench.sh does)".into());
    }
    let (week, five_profiles) = measured_first(args, &artifacts, &runtime)?;
    if args.wants(1) || args.wants(2) {
        eprintln!("rows 1–2: starting both apps {} times each", args.launches);
        let settle = Duration::from_millis(args.settle_ms);
        let launches = rows::cold_start::measure(&home, &artifacts, args.launches, settle)?;
        if args.wants(1) {
            rows.push(rows::cold_start::row(&launches));
            notes.push(rows::cold_start::in_process_note(&launches));
        }
        if args.wants(2) {
            rows.push(rows::memory::row(&launches));
            notes.push(rows::memory::processes_note(&launches));
        }
    }
    if args.wants(3) {
        rows.extend(rows::size::rows(&artifacts)?);
    }
    if args.wants(4) {
        eprintln!("row 4: {} sign-ins each way", args.runs);
        // A keyring of its own: each sign-in makes a session key and its sign-out deletes it.
        let own = keyring::PrivateKeyring::start()?;
        let (sign_in, note) =
            keyring::with_bus(&own, || runtime.block_on(rows::sign_in::rows(args.runs)))?;
        rows.extend(sign_in);
        notes.push(note);
    }
    if args.wants(5) {
        eprintln!("row 5: {} runs of feishu-auth token and of cat", args.runs);
        rows.push(rows::token::row(&home, &artifacts, args.runs)?);
        eprintln!(
            "row 5k: the keyring's round trip, {} runs each way",
            args.runs
        );
        rows.push(rows::token::keyring_row(&home, &artifacts, args.runs)?);
    }
    if args.wants(6) {
        eprintln!(
            "row 6: {} rounds of contention, in one process and across processes",
            args.runs
        );
        let [time, calls] = runtime.block_on(rows::contention::in_process(args.runs))?;
        let cli_home = Home::new().map_err(|e| format!("temporary folder: {e}"))?;
        let [p_time, p_calls] = runtime.block_on(rows::contention::across_processes(
            &cli_home, &artifacts, args.runs,
        ))?;
        rows.extend([time, p_time, calls, p_calls]);
    }

    if args.wants(7) || args.wants(8) {
        eprintln!("rows 7–8: both apps idle, shown then minimized");
        let window = Duration::from_secs(args.idle_secs);
        let idle = rows::idle::measure(&home, &artifacts, window, args.wants(8))?;
        if args.wants(7) {
            rows.extend(rows::idle::shown_rows(&idle));
        }
        rows.extend(rows::idle::hidden_rows(&idle).into_iter().flatten());
        notes.push(rows::idle::note(&idle));
    }
    if let Some(week) = &week {
        rows.extend(rows::week::rows(week));
        notes.extend(rows::week::notes(week));
    }
    if let Some(launches) = &five_profiles {
        rows.push(rows::profiles::row(launches));
    }
    print!("\n{}", table::text(&rows));
    for note in &notes {
        println!("{note}");
    }
    if args.only.is_empty() {
        write_docs(&args.out_dir, &rows, args)?;
    }
    Ok(rows)
}

/// Rows 9 and 10, measured before the others and shown in their place: they sign in and read
/// sealed sessions throughout, so they come while the run's keyring is fresh (row 9 has a keyring
/// of its own, [`keyring`] says why).
fn measured_first(
    args: &Args,
    artifacts: &Artifacts,
    runtime: &tokio::runtime::Runtime,
) -> Result<(Option<rows::week::Week>, Option<rows::cold_start::Launches>), String> {
    let week = if args.wants(9) {
        eprintln!(
            "row 9: a week's work through the app's commands: 1,000 refreshes, 100 sign-in cycles"
        );
        Some(runtime.block_on(rows::week::measure(artifacts))?)
    } else {
        None
    };
    let five_profiles = if args.wants(10) {
        eprintln!(
            "row 10: five signed-in profiles; starting both apps {} times each",
            args.launches
        );
        let five = rows::profiles::five_signed_in(artifacts)?;
        let settle = Duration::from_millis(args.settle_ms);
        Some(rows::cold_start::measure(
            &five,
            artifacts,
            args.launches,
            settle,
        )?)
    } else {
        None
    };
    Ok((week, five_profiles))
}

/// `performance.md` (the table and how it was made) and `performance.svg` (the chart).
fn write_docs(dir: &Path, rows: &[Row], args: &Args) -> Result<(), String> {
    std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let cores = std::thread::available_parallelism().map_or(0, std::num::NonZeroUsize::get);
    let about = format!(
        "Medians of {} app starts and {} runs of the other rows, on {cores} cores; idle windows of {} s; `scripts/bench.sh` reproduces it.",
        args.launches, args.runs, args.idle_secs
    );
    let md = format!("{}\n{about}\n", table::markdown(rows));
    let svg = chart::svg(rows, &format!("Feishu Sign-in ÷ reference ({cores} cores)"));
    for (name, text) in [("performance.md", md), ("performance.svg", svg)] {
        let path = dir.join(name);
        std::fs::write(&path, text).map_err(|e| format!("{}: {e}", path.display()))?;
        eprintln!("wrote {}", path.display());
    }
    Ok(())
}
