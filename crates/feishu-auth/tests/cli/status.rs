//! `status`: times in the local time zone with the offset (`TZ` honoured), aligned rows, and the
//! warning before Feishu requires a new authorization.

use time::{format_description::well_known::Rfc3339, macros::format_description, UtcOffset};

use crate::common::{text, Harness};

/// `at` (RFC 3339, as `status --json` gives it) as the summary shows it at UTC offset `hours`.
fn shown_at(at: &serde_json::Value, hours: i8) -> String {
    let at = time::OffsetDateTime::parse(at.as_str().unwrap(), &Rfc3339).unwrap();
    let local = at.to_offset(UtcOffset::from_hms(hours, 0, 0).unwrap());
    local
        .format(format_description!(
            "[year]-[month]-[day] [hour]:[minute]:[second] [offset_hour sign:mandatory]:[offset_minute]"
        ))
        .unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn times_are_shown_in_the_local_time_zone_with_the_offset() {
    assert!(
        std::path::Path::new("/usr/share/zoneinfo/Asia/Shanghai").exists(),
        "the time zone database is missing: install tzdata (scripts/setup-debian.sh --test does)"
    );
    let h = Harness::new(|b| b).await;
    let login = h
        .command(&["login"])
        .env("TZ", "Asia/Shanghai")
        .output()
        .await
        .unwrap();
    assert!(login.status.success(), "{}", text(&login.stderr));
    let json = h.status().await;
    let access = &json["accessTokenExpiresAt"];
    // JSON stays RFC 3339 in UTC, for scripts.
    assert!(access.as_str().unwrap().ends_with('Z'), "{access}");

    let expected = shown_at(access, 8);
    assert!(expected.ends_with(" +08:00"));
    assert!(
        text(&login.stdout).contains(&expected),
        "{}",
        text(&login.stdout)
    );
    for (tz, hours) in [("Asia/Shanghai", 8), ("UTC", 0), ("America/Bogota", -5)] {
        let out = h.command(&["status"]).env("TZ", tz).output().await.unwrap();
        let shown = text(&out.stdout);
        assert!(
            shown.contains(&format!(
                "Access token   valid, expires {}",
                shown_at(access, hours)
            )),
            "TZ={tz}: {shown}"
        );
        assert!(
            shown.contains(&format!(
                "Refresh token  expires {}",
                shown_at(&json["refreshTokenExpiresAt"], hours)
            )),
            "TZ={tz}: {shown}"
        );
        assert!(!shown.contains("UTC ("), "{shown}");
    }
    // The labels in sentence case, their values in one column.
    let status = text(&h.run(&["status"]).await.stdout);
    let value_column = |line: &str| {
        let body = &line[2..];
        let gap = body.find("  ").unwrap_or_else(|| panic!("{line:?}"));
        2 + gap + body[gap..].find(|c: char| c != ' ').unwrap()
    };
    let starts: Vec<usize> = status.lines().skip(1).map(value_column).collect();
    assert!(
        status.starts_with("Signed in to Feishu as 张三"),
        "{status}"
    );
    assert!(status.contains("  Open ID "), "{status}");
    assert!(
        starts.iter().all(|&s| s == starts[0]),
        "{starts:?}\n{status}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn status_warns_in_the_last_fourteen_days_before_reauthorization() {
    let h = Harness::new(|b| b).await;
    assert!(h.run(&["login"]).await.status.success());
    let path = h.dir.path().join("data/session.json");
    let mut doc: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    let fresh = h.run(&["status"]).await;
    assert!(!text(&fresh.stdout).contains("Warning"));
    let long_ago = time::OffsetDateTime::now_utc() - time::Duration::days(360);
    doc["session"]["authorized_at"] = long_ago
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap()
        .into();
    std::fs::write(&path, serde_json::to_vec(&doc).unwrap()).unwrap();
    let out = h.run(&["status"]).await;
    assert!(
        text(&out.stdout).contains("\nWarning: Feishu requires a new authorization by "),
        "{}",
        text(&out.stdout)
    );
}
