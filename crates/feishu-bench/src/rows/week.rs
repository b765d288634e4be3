//! Row 9: a week's work in one run. The release app, in a home of its own, signs in to the sandbox
//! through its own `sign_in` command; then it refreshes 1,000 times (`refresh`) and signs out and
//! in again 100 times (`sign_out`, `sign_in`), each called from its page as the window calls it,
//! in batches (one WebDriver script each). The browser's part is played by `feishu-emulator
//! browse` (`FEISHU_SIGNIN_BROWSER`).
//!
//! 9a: resident memory of the app and all its processes after the week, against the same app
//! right after its first sign-in; both read after a settle. A leak of a few kilobytes a refresh
//! shows here.
//!
//! 9b: nothing left behind: the files in the app's config, data and cache folders after the week
//! that were not there after the first of each kind of work (lock files, temporary files, kept
//! corrupt files...). The row shows the files before, and after: before's count plus every new
//! name (so a file that went and another that came still counts). "Before" is taken after one
//! refresh and one sign-out and sign-in, which make the lock files each kind of work takes: a
//! lock file stays, by design (removing one while another process opens it would let two hold
//! the lock), and what matters is that nothing comes with each run.

use std::{
    collections::BTreeSet,
    path::{Path, PathBuf},
    time::Duration,
};

use crate::{
    artifacts::Artifacts,
    harness::SCOPES,
    home::Home,
    keyring::PrivateKeyring,
    procs,
    row::{Budget, Figure, Row},
    webdriver::Driven,
};

/// The refreshes and the sign-out/sign-in cycles of the week.
const REFRESHES: usize = 1000;
const CYCLES: usize = 100;
/// Calls per WebDriver script.
const REFRESH_BATCH: usize = 250;
const CYCLE_BATCH: usize = 25;
/// Before each reading of memory and of the folders.
const SETTLE: Duration = Duration::from_secs(5);

/// What the week left.
#[derive(Debug)]
pub struct Week {
    rss_first: u64,
    rss_after: u64,
    /// Each process's memory, after the first sign-in and after the week.
    by_process: [Vec<(String, u64)>; 2],
    files_before: usize,
    new_files: Vec<String>,
}

/// Every file under the home's folders, by path relative to the home.
fn files(root: &Path) -> BTreeSet<String> {
    fn walk(root: &Path, dir: &Path, out: &mut BTreeSet<String>) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for entry in entries.flatten() {
            let path: PathBuf = entry.path();
            if entry.file_type().is_ok_and(|t| t.is_dir()) {
                walk(root, &path, out);
            } else if let Ok(relative) = path.strip_prefix(root) {
                out.insert(relative.display().to_string());
            }
        }
    }
    let mut out = BTreeSet::new();
    walk(root, root, &mut out);
    out
}

/// The page's call of `sign_in`, as the window makes it with the loopback route.
fn sign_in_call() -> String {
    let scopes: Vec<&str> = SCOPES.split_whitespace().collect();
    format!(
        "await invoke('sign_in', {{ route: 'loopback', scopes: {} }});",
        serde_json::to_string(&scopes).unwrap_or_default()
    )
}

pub async fn measure(artifacts: &Artifacts) -> Result<Week, String> {
    let home = Home::new().map_err(|e| format!("temporary folder: {e}"))?;
    let browser = format!("{} browse", artifacts.emulator.display());
    // A keyring of its own: the week makes and deletes a hundred session keys.
    let keyring = PrivateKeyring::start()?;
    let env = [
        ("FEISHU_SIGNIN_BROWSER", browser),
        ("DBUS_SESSION_BUS_ADDRESS", keyring.address().to_owned()),
    ];
    let app = Driven::launch(&home, &artifacts.app, &env).await?;
    let pid = app.app_pid().ok_or("the app's process was not found")?;
    let sign_in = sign_in_call();
    app.run(&sign_in).await?;
    tokio::time::sleep(SETTLE).await;
    let (rss_first, _) = procs::tree_rss(pid);
    let first_by_process = procs::rss_by_process(pid);
    app.run(&format!(
        "await invoke('refresh'); await invoke('sign_out'); {sign_in}"
    ))
    .await?;
    let before = files(home.root());

    for done in (0..REFRESHES).step_by(REFRESH_BATCH) {
        let n = REFRESH_BATCH.min(REFRESHES - done);
        app.run(&format!(
            "for (let i = 0; i < {n}; i++) await invoke('refresh');"
        ))
        .await?;
        super::progress("refreshes", done + n, REFRESHES);
    }
    for done in (0..CYCLES).step_by(CYCLE_BATCH) {
        let n = CYCLE_BATCH.min(CYCLES - done);
        app.run(&format!(
            "for (let i = 0; i < {n}; i++) {{ await invoke('sign_out'); {sign_in} }}"
        ))
        .await?;
        super::progress("sign-out and sign-in cycles", done + n, CYCLES);
    }
    tokio::time::sleep(SETTLE).await;
    let (rss_after, _) = procs::tree_rss(pid);
    let by_process = [first_by_process, procs::rss_by_process(pid)];
    let after = files(home.root());
    drop(app);
    Ok(Week {
        rss_first,
        rss_after,
        by_process,
        files_before: before.len(),
        new_files: after.difference(&before).cloned().collect(),
    })
}

pub fn rows(week: &Week) -> [Row; 2] {
    [
        Row {
            id: "9a",
            name: "memory after 1,000 refreshes, 100 sign-in cycles",
            reference_name: "the same app after its first sign-in",
            ours: Figure::bytes(week.rss_after),
            reference: Figure::bytes(week.rss_first),
            budget: Budget::Ratio(1.05),
        },
        Row {
            id: "9b",
            name: "files in its folders after that week",
            reference_name: "after its first refresh and sign-out",
            ours: Figure::files(week.files_before + week.new_files.len()),
            reference: Figure::files(week.files_before),
            budget: Budget::Extra(Figure::files(0)),
        },
    ]
}

/// Each process's memory before and after, and the new files by name when there are any.
pub fn notes(week: &Week) -> Vec<String> {
    let mib = |b: u64| format!("{:.1}", Figure::bytes(b).value / 1024.0 / 1024.0);
    let list = |procs: &[(String, u64)]| {
        procs
            .iter()
            .map(|(name, rss)| format!("{name} {}", mib(*rss)))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let mut out = vec![format!(
        "row 9a by process, MiB: after the first sign-in {}; after the week {}",
        list(&week.by_process[0]),
        list(&week.by_process[1])
    )];
    if !week.new_files.is_empty() {
        out.push(format!(
            "files the week left: {}",
            week.new_files.join(", ")
        ));
    }
    out
}
