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
