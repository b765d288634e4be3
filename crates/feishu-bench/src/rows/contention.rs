//! Row 6: refresh under contention. The stored access token is put inside its refresh margin, then
//! many ask for a token at once: 50 tasks in one process (the app's path, `fresh_session` with the
//! backend's client, made once and shared), and 16 `feishu-auth token` processes (each makes its
//! client only if it is the one that refreshes). Against one request on the same
//! stale token, in the same run: the time until all have a token, and the refresh calls the
//! emulator counted (exactly one, however many ask).

use std::{
    sync::Arc,
    time::{Duration, Instant},
};

use feishu_oauth::{FeishuClient, FileStore, Session, SessionManager, SessionStore};

use crate::{
    artifacts::Artifacts,
    harness::{stale, Harness},
    home::Home,
    row::{Budget, Figure, Row},
    stats::median_ms,
};

const TASKS: usize = 50;
const PROCESSES: usize = 16;

/// Times and refresh counts of the crowd and of the single request.
#[derive(Debug, Default)]
struct Samples {
    crowd: Vec<Duration>,
    single: Vec<Duration>,
    most_refreshes: u32,
}

impl Samples {
    fn rows(
        &self,
        ids: [&'static str; 2],
        names: [&'static str; 2],
        reference: &'static str,
    ) -> [Row; 2] {
        [
            Row {
                id: ids[0],
                name: names[0],
                reference_name: reference,
                ours: Figure::millis(median_ms(&self.crowd)),
                reference: Figure::millis(median_ms(&self.single)),
                budget: Budget::Ratio(1.5),
            },
            Row {
                id: ids[1],
                name: names[1],
                reference_name: "one refresh",
                ours: Figure::calls(self.most_refreshes),
                reference: Figure::calls(1),
                budget: Budget::Exactly(Figure::calls(1)),
            },
        ]
    }
}

/// Makes the stored session (whatever refresh token it now holds) need a refresh.
fn make_stale(store: &FileStore) -> Result<Session, String> {
    let current = store
        .load()
        .map_err(|e| e.to_string())?
        .ok_or("no stored session")?;
    let stale = stale(&current);
    store.save(&stale).map_err(|e| e.to_string())?;
    Ok(stale)
}

/// One token request as the app makes it: its backend's client (made once, on first use) is
/// handed over only if a refresh is needed.
async fn request(client: &FeishuClient, sessions: &SessionManager) -> Result<Session, String> {
    sessions
        .fresh_session(|| async { Ok(client.clone()) })
        .await
        .map_err(|e| e.to_string())
}

fn check_refreshed(tokens: &[Session], stale: &Session) -> Result<(), String> {
    let first = &tokens.first().ok_or("no token")?.access_token;
    if first == &stale.access_token || tokens.iter().any(|s| &s.access_token != first) {
        return Err("not every request got the one refreshed token".into());
    }
    Ok(())
}

/// 6a: tasks in one process.
pub async fn in_process(runs: usize) -> Result<[Row; 2], String> {
    let h = Arc::new(Harness::start().await?);
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    let path = dir.path().join("data").join("session.json");
    let store = FileStore::new(&path);
    store.save(&h.sign_in().await?).map_err(|e| e.to_string())?;
    let sessions = Arc::new(h.sessions(&path));
    let client = h.client().map_err(|e| e.to_string())?;
    let mut samples = Samples::default();
    for i in 0..=runs {
        // The single request.
        let stale_session = make_stale(&store)?;
        let before = h.emulator.refreshes();
        let started = Instant::now();
        let one = request(&client, &sessions).await?;
        let single = started.elapsed();
        check_refreshed(&[one], &stale_session)?;

        // The crowd.
        let stale_session = make_stale(&store)?;
        let crowd_before = h.emulator.refreshes();
        let started = Instant::now();
        let tasks: Vec<_> = (0..TASKS)
            .map(|_| {
                let (client, sessions) = (client.clone(), Arc::clone(&sessions));
                tokio::spawn(async move { request(&client, &sessions).await })
            })
            .collect();
        let mut got = Vec::with_capacity(TASKS);
        for task in tasks {
            got.push(task.await.map_err(|e| e.to_string())??);
        }
        let crowd = started.elapsed();
        check_refreshed(&got, &stale_session)?;
        let refreshes = h.emulator.refreshes() - crowd_before;
        if crowd_before - before != 1 {
            return Err("the single request did not refresh exactly once".into());
        }
        // Run 0 warms up and is not counted.
        if i > 0 {
            samples.single.push(single);
            samples.crowd.push(crowd);
            samples.most_refreshes = samples.most_refreshes.max(refreshes);
            super::progress("50 tasks", i, runs);
        }
    }
    Ok(samples.rows(
        ["6a", "6c"],
        [
            "50 concurrent token requests, 1 process",
            "refresh calls for those 50 (most in a run)",
        ],
        "one request, one refresh",
    ))
}

/// `feishu-auth token` for the harness's emulator (an App ID set, so no sandbox).
fn token_command(home: &Home, artifacts: &Artifacts, h: &Harness) -> tokio::process::Command {
    let base = h.emulator.base_url().to_string();
    let mut cmd = home.command(&artifacts.feishu_auth);
    cmd.arg("token")
        .env("FEISHU_APP_ID", h.emulator.app_id())
        .env("FEISHU_APP_SECRET", h.emulator.app_secret())
        .env("FEISHU_BRAND", crate::harness::BRAND.as_str())
        .env("FEISHU_ACCOUNTS_URL", &base)
        .env("FEISHU_OPEN_URL", &base)
        .env("FEISHU_REDIRECT_URI", h.redirect_uri.as_str())
        .stdout(std::process::Stdio::piped());
    tokio::process::Command::from(cmd)
}

/// Starts `count` processes at once; the time until the last has printed its token, and the tokens.
async fn processes(
    home: &Home,
    artifacts: &Artifacts,
    h: &Harness,
    count: usize,
) -> Result<(Duration, Vec<Vec<u8>>), String> {
    let started = Instant::now();
    let children: Vec<_> = (0..count)
        .map(|_| token_command(home, artifacts, h).spawn())
        .collect::<Result<_, _>>()
        .map_err(|e| format!("feishu-auth: {e}"))?;
    let mut printed = Vec::with_capacity(count);
    for child in children {
        let output = child.wait_with_output().await.map_err(|e| e.to_string())?;
        if !output.status.success() {
            return Err(format!("feishu-auth token exited with {}", output.status));
        }
        printed.push(output.stdout);
    }
    Ok((started.elapsed(), printed))
}

fn same_new_token(printed: &[Vec<u8>], stale: &Session) -> Result<(), String> {
    let first = printed.first().ok_or("no output")?;
    if first.is_empty()
        || printed.iter().any(|p| p != first)
        || String::from_utf8_lossy(first).trim() == stale.access_token.expose()
    {
        return Err("not every process printed the one refreshed token".into());
    }
    Ok(())
}

/// 6b: processes, sharing the session file (and its lock) as the CLI and the app do.
pub async fn across_processes(
    home: &Home,
    artifacts: &Artifacts,
    runs: usize,
) -> Result<[Row; 2], String> {
    let h = Harness::start().await?;
    let store = FileStore::new(home.session_file());
    store.save(&h.sign_in().await?).map_err(|e| e.to_string())?;
    let mut samples = Samples::default();
    for i in 0..=runs {
        let stale_session = make_stale(&store)?;
        let before = h.emulator.refreshes();
        let (single, printed) = processes(home, artifacts, &h, 1).await?;
        same_new_token(&printed, &stale_session)?;

        let stale_session = make_stale(&store)?;
        let crowd_before = h.emulator.refreshes();
        let (crowd, printed) = processes(home, artifacts, &h, PROCESSES).await?;
        same_new_token(&printed, &stale_session)?;
        if crowd_before - before != 1 {
            return Err("the single process did not refresh exactly once".into());
        }
        if i > 0 {
            samples.single.push(single);
            samples.crowd.push(crowd);
            samples.most_refreshes = samples
                .most_refreshes
                .max(h.emulator.refreshes() - crowd_before);
            super::progress("16 processes", i, runs);
        }
    }
    Ok(samples.rows(
        ["6b", "6d"],
        [
            "16 `feishu-auth token` processes at once",
            "refresh calls for those 16 (most in a run)",
        ],
        "one process, one refresh",
    ))
}
