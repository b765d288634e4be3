//! Refreshing a stale token: concurrent `token` processes share a single refresh.

use std::{process::Output, time::Duration};

use crate::common::{text, Harness};

#[tokio::test(flavor = "multi_thread")]
async fn eight_processes_on_a_stale_token_cause_one_refresh() {
    let h = Harness::new(|b| b.access_token_ttl(Duration::from_secs(4))).await;
    assert!(h.run(&["login"]).await.status.success());
    // The margin is min(5 min, half of 4 s) = 2 s: after 2 s the token needs a refresh.
    tokio::time::sleep(Duration::from_millis(2500)).await;
    assert_eq!(h.status().await["tokenStatus"], "needsRefresh");

    let runs: Vec<_> = (0..8).map(|_| h.command(&["token"]).output()).collect();
    let outputs = futures_join_all(runs).await;
    let tokens: Vec<String> = outputs
        .iter()
        .map(|o| {
            assert!(o.status.success(), "{}", text(&o.stderr));
            text(&o.stdout)
        })
        .collect();
    assert_eq!(
        h.emulator.refreshes(),
        1,
        "exactly one refresh for eight processes"
    );
    assert!(
        tokens.iter().all(|t| t == &tokens[0]),
        "all got the refreshed token"
    );
    assert_eq!(h.status().await["tokenStatus"], "valid");
}

async fn futures_join_all<
    F: std::future::Future<Output = std::io::Result<Output>> + Send + 'static,
>(
    futures: Vec<F>,
) -> Vec<Output> {
    let handles: Vec<_> = futures.into_iter().map(tokio::spawn).collect();
    let mut out = Vec::new();
    for h in handles {
        out.push(h.await.unwrap().unwrap());
    }
    out
}

#[tokio::test]
async fn refresh_if_due_renews_only_what_would_lapse_before_the_next_run() {
    let h = Harness::new(|b| b).await;
    assert!(h.run(&["login"]).await.status.success());

    // Fresh tokens and a daily run: nothing to do, and no call to Feishu.
    let out = h.run(&["refresh", "--if-due"]).await;
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).starts_with("Not due"),
        "{}",
        text(&out.stdout)
    );
    assert_eq!(h.emulator.refreshes(), 0);

    // A next run further away than the refresh token lives (7 days): renewed now.
    let week_and_a_day = (8 * 24 * 3600).to_string();
    let out = h
        .run(&["refresh", "--if-due", "--next-run-in", &week_and_a_day])
        .await;
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).starts_with("Refreshed: the refresh token would have expired"),
        "{}",
        text(&out.stdout)
    );
    assert_eq!(h.emulator.refreshes(), 1);

    // The schedule means nothing without --if-due: a usage error.
    let out = h.run(&["refresh", "--next-run-in", "60"]).await;
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
}
