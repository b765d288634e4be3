//! A crash at any instant leaves a readable session: a child process saves sessions as fast as it
//! can through the store the CLI uses, and is killed (SIGKILL) at a random moment, hundreds of
//! times; after each kill the file must load and hold one of the sessions it was saving, whole.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stderr)]

use std::{path::Path, process::Command, time::Duration};

use feishu_oauth::{
    test_support::{kill_while_saving, numbered_session, save_numbered_forever},
    FileStore, IssuerBrand, SessionStore,
};

const CHILD_ENV: &str = "FEISHU_CRASH_TEST_STORE";
const KILLS: u32 = 300;
const BRAND: IssuerBrand = IssuerBrand::Feishu;

/// The child: save sessions 1, 2, 3, … forever (until killed).
#[test]
fn child_saves_forever() {
    let Some(path) = std::env::var_os(CHILD_ENV) else {
        return;
    };
    let store = FileStore::new(Path::new(&path));
    save_numbered_forever(&store, BRAND);
}

#[test]
fn killing_a_saving_process_never_leaves_a_broken_session() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("session.json");
    let store = FileStore::new(&path);
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
