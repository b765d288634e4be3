//! A crash at any instant leaves a readable session: a child process saves sessions as fast as it
//! can through the store the CLI uses, and is killed (SIGKILL) at a random moment, hundreds of
//! times; after each kill the file must load and hold one of the sessions it was saving, whole.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stderr)]

use std::{path::Path, process::Command, time::Duration};

use feishu_oauth::{
    AccessToken, FileStore, Issuer, Profile, RefreshToken, Scopes, Session, SessionStore,
};

const CHILD_ENV: &str = "FEISHU_CRASH_TEST_STORE";
const KILLS: u32 = 300;

/// Session number `n`: every field says `n`, so a torn mix of two sessions is detectable.
fn session(n: u64) -> Session {
    let at = time::OffsetDateTime::from_unix_timestamp(1_800_000_000 + i64::try_from(n).unwrap())
        .unwrap();
    Session {
        issuer: Issuer {
            brand: feishu_oauth::IssuerBrand::Feishu,
            app_id: "cli_crash".into(),
        },
        access_token: AccessToken::new(format!("access-{n}-{}", "a".repeat(1500))),
        access_token_issued_at: at,
        access_token_expires_at: at + time::Duration::seconds(7200),
        refresh_token: Some(RefreshToken::new(format!(
            "refresh-{n}-{}",
            "r".repeat(1500)
        ))),
        refresh_token_expires_at: Some(at + time::Duration::days(7)),
        authorized_at: at,
        scopes: Scopes::parse("offline_access").unwrap(),
        profile: Profile {
            name: format!("user-{n}"),
            open_id: format!("ou_{n}"),
            ..Profile::default()
        },
    }
}

fn number_of(s: &Session) -> u64 {
    s.profile.name.trim_start_matches("user-").parse().unwrap()
}

fn assert_whole(s: &Session) {
    let n = number_of(s);
    assert_eq!(s, &session(n), "session {n} is not whole");
}

/// The child: save sessions 1, 2, 3, … forever (until killed).
#[test]
fn child_saves_forever() {
    let Some(path) = std::env::var_os(CHILD_ENV) else {
        return;
    };
    let store = FileStore::new(Path::new(&path));
    let start = store.load().ok().flatten().map_or(1, |s| number_of(&s) + 1);
    for n in start.. {
        store.save(&session(n)).unwrap();
    }
}

#[test]
fn killing_a_saving_process_never_leaves_a_broken_session() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("session.json");
    let store = FileStore::new(&path);
    store.save(&session(0)).unwrap();
    let exe = std::env::current_exe().unwrap();
    let mut last = 0;
    let mut advanced = 0;
    for i in 0..KILLS {
        let mut child = Command::new(&exe)
            .args([
                "--exact",
                "child_saves_forever",
                "--nocapture",
                "--test-threads=1",
            ])
            .env(CHILD_ENV, &path)
            .stdout(std::process::Stdio::null())
            .spawn()
            .unwrap();
        // Kill somewhere in the first 40 ms of saving, at a pseudo-random instant.
        let delay = u64::from((i * 7919 + 13) % 40);
        std::thread::sleep(Duration::from_millis(5 + delay));
        child.kill().unwrap();
        child.wait().unwrap();
        let loaded = store
            .load()
            .unwrap_or_else(|e| panic!("after kill {i}: {e}"))
            .expect("a session is there");
        assert_whole(&loaded);
        assert!(number_of(&loaded) >= last, "the session went back in time");
        if number_of(&loaded) > last {
            advanced += 1;
        }
        last = number_of(&loaded);
    }
    eprintln!("{KILLS} kills, the session advanced in {advanced} of them, last saved #{last}; every load whole");
    assert!(
        advanced > KILLS / 2,
        "the child rarely got to save: the test would prove nothing"
    );
    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert!(leftovers.len() <= 2 + KILLS as usize, "{leftovers:?}");
}
