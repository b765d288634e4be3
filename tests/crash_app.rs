//! The app's store path survives a crash at any instant: a child process runs the app (mock
//! runtime) and saves sessions through its tauri-plugin-store session store as fast as it can,
//! and is killed (SIGKILL) at random moments, hundreds of times; after each kill the file loads and
//! holds one whole session. The sessions are sealed by a real keyring of this test's own
//! (gnome-keyring on a private bus), as on a desktop.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stderr)]

use std::{process::Command, time::Duration};

use feishu_oauth::{
    test_support::{kill_while_saving, numbered_session, save_numbered_forever, TestKeyring},
    Config, FileStore, IssuerBrand, SessionStore,
};
use tauri::test::{mock_builder, mock_context, noop_assets};

const CHILD_ENV: &str = "FEISHU_CRASH_TEST_APP_DATA";
const KILLS: u32 = 200;
const BRAND: IssuerBrand = IssuerBrand::Sandbox;

#[test]
fn child_app_saves_forever() {
    let Some(dir) = std::env::var_os(CHILD_ENV) else {
        return;
    };
    std::env::set_var("FEISHU_SIGNIN_DATA_DIR", &dir);
    std::env::set_var("XDG_CONFIG_HOME", std::path::Path::new(&dir).join("config"));
    let app = feishu_signin_lib::run_app(mock_builder())
        .build(mock_context(noop_assets()))
        .unwrap();
    let config = Config::load().unwrap();
    let store = feishu_signin_lib::open_store(app.handle(), &config).unwrap();
    save_numbered_forever(&*store, BRAND);
}

#[test]
fn killing_the_app_while_it_saves_never_leaves_a_broken_session() {
    // The only test here that runs (the child's returns at once), before any thread of its own:
    // this process and its children reach the keyring through the variable.
    let keyring = TestKeyring::start();
    std::env::set_var("DBUS_SESSION_BUS_ADDRESS", keyring.address());
    let dir = tempfile::tempdir().unwrap();
    let file = FileStore::new(dir.path().join("session.json"));
    file.save(&numbered_session(0, BRAND)).unwrap();
    let exe = std::env::current_exe().unwrap();
    let spawn = || {
        Command::new(&exe)
            .args([
                "--exact",
                "child_app_saves_forever",
                "--nocapture",
                "--test-threads=1",
            ])
            .env(CHILD_ENV, dir.path())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
    };
    // The child takes the write lock and reloads the plugin store around each save, so it needs
    // a little longer than the CLI's store to reach its first one.
    let delay = |i: u32| Duration::from_millis(40 + u64::from((i * 7919 + 13) % 80));
    let kills = kill_while_saving(KILLS, BRAND, spawn, delay, || file.load());
    eprintln!(
        "{KILLS} kills of the app's store, the session advanced in {}, last #{}; every load whole",
        kills.advanced, kills.last
    );
    let stored = std::fs::read_to_string(dir.path().join("session.json")).unwrap();
    assert!(stored.contains("\"sealed\""), "sealed at rest");
}
