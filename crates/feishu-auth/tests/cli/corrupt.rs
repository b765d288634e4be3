//! A corrupt or foreign session file: reported, kept aside, and treated as signed out.

use crate::common::{text, Harness};

#[tokio::test(flavor = "multi_thread")]
async fn a_corrupt_session_file_is_reported_kept_and_signed_out() {
    let h = Harness::new(|b| b).await;
    let data = h.dir.path().join("data");
    std::fs::create_dir_all(&data).unwrap();
    std::fs::write(data.join("session.json"), b"{\"session\": {\"access_to").unwrap();
    let out = h.run(&["status"]).await;
    assert!(out.status.success(), "status still works");
    let err = text(&out.stderr);
    assert!(
        err.contains("session.json") && err.contains("kept as") && err.contains("signed out"),
        "{err}"
    );
    assert!(text(&out.stdout).contains("Not signed in"));
    let kept: Vec<_> = std::fs::read_dir(&data)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(
        kept.iter().any(|n| n.starts_with("session.corrupt-")),
        "{kept:?}"
    );
    let out = h.run(&["token"]).await;
    assert_eq!(out.status.code(), Some(3));
    // A foreign JSON document is treated the same way.
    std::fs::write(
        data.join("session.json"),
        br#"{"session": {"user": "someone else's tool"}}"#,
    )
    .unwrap();
    let out = h.run(&["token"]).await;
    assert_eq!(out.status.code(), Some(3));
    assert!(text(&out.stderr).contains("kept as"));
}
