//! A crash at any instant leaves a readable session: a child process saves sessions as fast as it
//! can through the store the CLI uses, and is killed (SIGKILL) at a random moment, hundreds of
//! times; after each kill the file must load and hold one of the sessions it was saving, whole.
//! Once with the 0600 file, once sealed by a real keyring (gnome-keyring on a private bus).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stderr)]

use std::{path::Path, process::Command, time::Duration};

use feishu_oauth::{
    test_support::{kill_while_saving, numbered_session, save_numbered_forever, TestKeyring},
    FileStore, IssuerBrand, Sealing, Session, SessionStore, StoragePolicy,
};

const CHILD_ENV: &str = "FEISHU_CRASH_TEST_STORE";
const LOAD_ENV: &str = "FEISHU_CRASH_TEST_LOAD";
const KILLS: u32 = 300;
const BRAND: IssuerBrand = IssuerBrand::Feishu;

/// The child: save sessions 1, 2, 3, … forever (until killed).
#[test]
fn child_saves_forever() {
    let Some(path) = std::env::var_os(CHILD_ENV) else {
        return;
    };
    // Sealed when a keyring is on this process's bus (the sealed test gives it one), else the
    // 0600 file: the same store the CLI uses.
    let store = FileStore::new(Path::new(&path));
    save_numbered_forever(&store, BRAND);
}

/// The sealed test's loader: loads the store once (through the keyring on this process's bus)
/// and prints the session, or the error, as JSON.
#[test]
fn child_loads() {
    let Some(path) = std::env::var_os(LOAD_ENV) else {
        return;
    };
    let loaded = FileStore::new(Path::new(&path))
        .load()
        .map_err(|e| e.to_string());
    let line = serde_json::to_string(&loaded.map(|s| s.map(|s| serde_json::to_value(s).unwrap())))
        .unwrap();
    println!("\nloaded: {line}");
}

#[test]
fn killing_a_process_saving_sealed_sessions_never_leaves_a_broken_session() {
    let keyring = TestKeyring::start();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("session.json");
    let exe = std::env::current_exe().unwrap();
    let child = |test: &str, env: &str| {
        let mut cmd = Command::new(&exe);
        cmd.args(["--exact", test, "--nocapture", "--test-threads=1"])
            .env(env, &path)
            .env("DBUS_SESSION_BUS_ADDRESS", keyring.address());
        cmd
    };
    let load = || -> feishu_oauth::Result<Option<Session>> {
        let out = child("child_loads", LOAD_ENV).output().unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        let line = stdout
            .lines()
            .find_map(|l| l.strip_prefix("loaded: "))
            .unwrap_or_else(|| panic!("the loader printed nothing: {stdout}"));
        let loaded: Result<Option<Session>, String> = serde_json::from_str(line).unwrap();
        Ok(loaded.unwrap_or_else(|e| panic!("the sealed session did not load: {e}")))
    };
    let spawn = || {
        child("child_saves_forever", CHILD_ENV)
            .stdout(std::process::Stdio::null())
            .spawn()
    };
    // Each save asks the keyring for the key: a save takes milliseconds, not microseconds, so
    // the kills come later and fewer.
    let delay = |i: u32| Duration::from_millis(40 + u64::from((i * 7919 + 13) % 120));
    let first = child("child_saves_forever", CHILD_ENV)
        .stdout(std::process::Stdio::null())
        .spawn()
        .unwrap();
    wait_for_a_session(&path, first);
    let kills = kill_while_saving(60, BRAND, spawn, delay, load);
    eprintln!(
        "60 kills of a sealing saver, the session advanced in {} of them, last saved #{}",
        kills.advanced, kills.last
    );
    let stored = std::fs::read_to_string(&path).unwrap();
    assert!(
        stored.contains("\"sealed\"") && !stored.contains("access-"),
        "sealed at rest"
    );
    assert_eq!(
        keyring.items("session-key").len(),
        1,
        "one key, reused by every save"
    );
}

/// Lets a saving child write its first session, then stops it.
fn wait_for_a_session(path: &Path, mut child: std::process::Child) {
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while !path.exists() && std::time::Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(10));
    }
    let _ = child.kill();
    let _ = child.wait();
    assert!(path.exists(), "the sealing saver wrote nothing in 10 s");
}

#[test]
fn killing_a_saving_process_never_leaves_a_broken_session() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("session.json");
    let store = FileStore::with_sealing(&path, Sealing::new("default", StoragePolicy::File));
    store.save(&numbered_session(0, BRAND)).unwrap();
    let exe = std::env::current_exe().unwrap();
    let spawn = || {
        Command::new(&exe)
            .args([
                "--exact",
                "child_saves_forever",
                "--nocapture",
                "--test-threads=1",
            ])
            .env(CHILD_ENV, &path)
            .env("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/bus")
            .stdout(std::process::Stdio::null())
            .spawn()
    };
    // Kill somewhere in the first 40 ms of saving, at a pseudo-random instant.
    let delay = |i: u32| Duration::from_millis(5 + u64::from((i * 7919 + 13) % 40));
    let kills = kill_while_saving(KILLS, BRAND, spawn, delay, || store.load());
    eprintln!(
        "{KILLS} kills, the session advanced in {} of them, last saved #{}; every load whole",
        kills.advanced, kills.last
    );
    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert!(leftovers.len() <= 2 + KILLS as usize, "{leftovers:?}");
}
