//! The user's systemd instance, through `systemctl --user`: reloading the unit files, starting and
//! stopping the timer, and reading when it last ran and runs next.

use std::process::Command;

use time::OffsetDateTime;

/// `systemctl --user ARGS`: Ok with its standard output, or why it failed in systemctl's words
/// (no user instance: "Failed to connect to bus: No such file or directory"), the first line.
pub fn run(args: &[&str]) -> Result<String, String> {
    let output = Command::new("systemctl")
        .arg("--user")
        .args(args)
        .output()
        .map_err(|e| format!("systemctl could not be run ({e})"))?;
    if output.status.success() {
        Ok(String::from_utf8_lossy(&output.stdout).into_owned())
    } else {
        let stderr = String::from_utf8_lossy(&output.stderr);
        let first = stderr.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
        Err(if first.is_empty() {
            format!(
                "`systemctl --user {}` failed: {}",
                args.join(" "),
                output.status
            )
        } else {
            first.trim().to_owned()
        })
    }
}

/// What the user's systemd says of the timer and its service.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Shown {
    /// The timer's `ActiveState` (`active`, `inactive`, `failed`).
    pub timer_state: String,
    /// When the timer fires next.
    pub next_run: Option<OffsetDateTime>,
    /// When it last fired.
    pub last_run: Option<OffsetDateTime>,
    /// The service's last `Result` (`success`, `exit-code`, …).
    pub last_result: Option<String>,
    /// The service's last exit status (the CLI's exit codes: 3 means signed out).
    pub last_exit_status: Option<i32>,
}

/// Reads the timer's and the service's properties.
pub fn show(unit: &str) -> Result<Shown, String> {
    let timer = run(&[
        "show",
        "--timestamp=unix",
        "-p",
        "ActiveState",
        "-p",
        "NextElapseUSecRealtime",
        "-p",
        "LastTriggerUSec",
        &format!("{unit}.timer"),
    ])?;
    let service = run(&[
        "show",
        "-p",
        "Result",
        "-p",
        "ExecMainStatus",
        "-p",
        "ExecMainExitTimestampMonotonic",
        &format!("{unit}.service"),
    ])?;
    Ok(parse(&timer, &service))
}

/// Parses `show`'s `KEY=VALUE` lines.
fn parse(timer: &str, service: &str) -> Shown {
    let value = |text: &str, key: &str| {
        text.lines()
            .find_map(|l| l.strip_prefix(key)?.strip_prefix('='))
            .map(str::trim)
            .filter(|v| !v.is_empty() && *v != "n/a")
            .map(str::to_owned)
    };
    let instant = |v: Option<String>| {
        v.and_then(|v| v.strip_prefix('@')?.parse::<i64>().ok())
            .filter(|&s| s > 0)
            .and_then(|s| OffsetDateTime::from_unix_timestamp(s).ok())
    };
    // A service that never ran has no exit time; its Result then says "success" by default.
    let ran = value(service, "ExecMainExitTimestampMonotonic").is_some_and(|v| v != "0");
    Shown {
        timer_state: value(timer, "ActiveState").unwrap_or_else(|| "unknown".into()),
        next_run: instant(value(timer, "NextElapseUSecRealtime")),
        last_run: instant(value(timer, "LastTriggerUSec")),
        last_result: value(service, "Result").filter(|_| ran),
        last_exit_status: value(service, "ExecMainStatus")
            .filter(|_| ran)
            .and_then(|v| v.parse().ok()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_properties_systemd_252_prints() {
        let shown = parse(
            "ActiveState=active\nNextElapseUSecRealtime=@1764590820\nLastTriggerUSec=n/a\n",
            "Result=exit-code\nExecMainStatus=3\nExecMainExitTimestampMonotonic=123456\n",
        );
        assert_eq!(shown.timer_state, "active");
        assert_eq!(shown.next_run.unwrap().unix_timestamp(), 1_764_590_820);
        assert_eq!(shown.last_run, None);
        assert_eq!(shown.last_result.as_deref(), Some("exit-code"));
        assert_eq!(shown.last_exit_status, Some(3));
    }

    #[test]
    fn a_service_that_never_ran_has_no_result() {
        let shown = parse(
            "ActiveState=inactive\n",
            "Result=success\nExecMainStatus=0\nExecMainExitTimestampMonotonic=0\n",
        );
        assert_eq!(shown.timer_state, "inactive");
        assert_eq!(shown.last_result, None);
        assert_eq!(shown.last_exit_status, None);
    }
}
