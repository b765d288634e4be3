//! The app's store path survives a crash at any instant: a child process runs the app (mock
//! runtime) and saves sessions through its tauri-plugin-store session store as fast as it can,
//! and is killed (SIGKILL) at random moments, hundreds of times; after each kill the file loads and
//! holds one whole session.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stderr)]

use std::{process::Command, time::Duration};

use feishu_oauth::{
    AccessToken, Config, FileStore, Issuer, Profile, RefreshToken, Scopes, Session, SessionStore,
};
use tauri::test::{mock_builder, mock_context, noop_assets};

const CHILD_ENV: &str = "FEISHU_CRASH_TEST_APP_DATA";
const KILLS: u32 = 200;

fn session(n: u64) -> Session {
    let at = time::OffsetDateTime::from_unix_timestamp(1_800_000_000 + i64::try_from(n).unwrap())
        .unwrap();
    Session {
        issuer: Issuer {
            brand: feishu_oauth::IssuerBrand::Sandbox,
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
    let start = store.load().ok().flatten().map_or(1, |s| number_of(&s) + 1);
    for n in start.. {
        store.save(&session(n)).unwrap();
    }
}

#[test]
fn killing_the_app_while_it_saves_never_leaves_a_broken_session() {
    let dir = tempfile::tempdir().unwrap();
    let file = FileStore::new(dir.path().join("session.json"));
    file.save(&session(0)).unwrap();
    let exe = std::env::current_exe().unwrap();
    let (mut last, mut advanced) = (0, 0);
    for i in 0..KILLS {
        let mut child = Command::new(&exe)
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
            .unwrap();
        // The child now takes the write lock and reloads the plugin store around each save, so it
        // needs a little longer to reach its first one.
        std::thread::sleep(Duration::from_millis(40 + u64::from((i * 7919 + 13) % 80)));
        child.kill().unwrap();
        child.wait().unwrap();
        let loaded = file
            .load()
            .unwrap_or_else(|e| panic!("after kill {i}: {e}"))
            .expect("a session is there");
        let n = number_of(&loaded);
        assert_eq!(
            loaded,
            session(n),
            "session {n} is not whole after kill {i}"
        );
        assert!(n >= last);
        advanced += u32::from(n > last);
        last = n;
    }
    eprintln!("{KILLS} kills of the app's store, the session advanced in {advanced}, last #{last}; every load whole");
    assert!(
        advanced > KILLS / 2,
        "the child rarely got to save: the test would prove nothing"
    );
}
