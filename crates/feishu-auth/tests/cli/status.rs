//! `status`: the warning before Feishu requires a new authorization.

use crate::common::{text, Harness};

#[tokio::test(flavor = "multi_thread")]
async fn status_warns_in_the_last_fourteen_days_before_reauthorization() {
    let h = Harness::new(|b| b).await;
    assert!(h.run(&["login"]).await.status.success());
    let path = h.dir.path().join("data/session.json");
    let mut doc: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    let fresh = h.run(&["status"]).await;
    assert!(!text(&fresh.stdout).contains("warning"));
    let long_ago = time::OffsetDateTime::now_utc() - time::Duration::days(360);
    doc["session"]["authorized_at"] = long_ago
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap()
        .into();
    std::fs::write(&path, serde_json::to_vec(&doc).unwrap()).unwrap();
    let out = h.run(&["status"]).await;
    assert!(
        text(&out.stdout).contains("warning: Feishu requires a new authorization"),
        "{}",
        text(&out.stdout)
    );
}
