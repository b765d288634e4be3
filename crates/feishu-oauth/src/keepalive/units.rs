//! The two systemd user units that keep one profile's session alive: a timer and the one-shot
//! service it starts, which runs `feishu-auth --profile NAME refresh --if-due`.

use std::{
    fmt::Write as _,
    path::{Path, PathBuf},
};

/// How often the timer fires, in hours: twice a day, so a machine that runs for part of a day
/// renews the session, and the 7-day refresh token is renewed long before it lapses.
pub const PERIOD_HOURS: u64 = 12;
/// The timer's random delay, so many machines of one company do not refresh at the same second.
pub const RANDOMIZED_DELAY_MINUTES: u64 = 30;

/// Seconds from one run to the latest next one, for `--next-run-in`: the period and the random
/// delay. A machine that is off at that time runs the timer when it starts (`Persistent=true`).
pub const NEXT_RUN_IN_SECONDS: u64 = PERIOD_HOURS * 3600 + RANDOMIZED_DELAY_MINUTES * 60;

/// The environment variables that say where the settings and the session live: passed on to the
/// service when set, so the timer's run sees the same files as the command that enabled it. Only
/// these: a secret in the environment (`FEISHU_APP_SECRET`) never goes into a unit file.
pub const PASSED_ON: [&str; 4] = [
    "XDG_CONFIG_HOME",
    "XDG_CONFIG_DIRS",
    "XDG_DATA_HOME",
    "FEISHU_SIGNIN_DATA_DIR",
];

/// The units' base name for a profile, `feishu-signin-keepalive-NAME` (a profile's name is
/// letters, digits, `-` and `_`, all valid in a unit name).
pub fn unit_name(profile: &str) -> String {
    format!("feishu-signin-keepalive-{profile}")
}

/// The service and timer text for `profile`, running `program` (absolute) with `environment`.
pub fn render(profile: &str, program: &Path, environment: &[(String, String)]) -> (String, String) {
    let mut service = format!(
        "# Written by Feishu Sign-in (`feishu-auth keepalive enable`, or the window's Settings).\n\
         # Remove with `feishu-auth --profile {profile} keepalive disable`.\n\
         [Unit]\n\
         Description=Feishu Sign-in: renew the {profile} profile's session if it is due\n\
         Documentation=man:feishu-auth(1)\n\
         \n\
         [Service]\n\
         Type=oneshot\n\
         ExecStart={} --profile {profile} refresh --if-due --next-run-in {NEXT_RUN_IN_SECONDS}\n",
        exec_word(&program.to_string_lossy()),
    );
    for (name, value) in environment {
        let _ = writeln!(
            service,
            "Environment={}",
            exec_word(&format!("{name}={value}"))
        );
    }
    let timer = format!(
        "# Written by Feishu Sign-in: see {}.service.\n\
         [Unit]\n\
         Description=Feishu Sign-in: keep the {profile} profile signed in while the app is closed\n\
         Documentation=man:feishu-auth(1)\n\
         \n\
         [Timer]\n\
         OnCalendar=*-*-* 00/{PERIOD_HOURS}:00:00\n\
         Persistent=true\n\
         RandomizedDelaySec={RANDOMIZED_DELAY_MINUTES}min\n\
         \n\
         [Install]\n\
         WantedBy=timers.target\n",
        unit_name(profile),
    );
    (service, timer)
}

/// The environment to pass on, from `var`.
pub fn environment(var: impl Fn(&str) -> Option<String>) -> Vec<(String, String)> {
    PASSED_ON
        .iter()
        .filter_map(|name| var(name).map(|v| ((*name).to_owned(), v)))
        .filter(|(_, v)| !v.is_empty())
        .collect()
}

/// One word of an `ExecStart=` or `Environment=` line: double-quoted when it holds a space, a
/// quote or a backslash, with `\` and `"` escaped; `%` doubled everywhere, since systemd expands
/// `%x` specifiers in both (systemd.service(5), "Command lines"; systemd.unit(5), "Specifiers").
fn exec_word(raw: &str) -> String {
    let specifiers_escaped = raw.replace('%', "%%");
    if specifiers_escaped
        .chars()
        .any(|c| c.is_whitespace() || matches!(c, '"' | '\'' | '\\' | ';'))
    {
        let inner = specifiers_escaped
            .replace('\\', "\\\\")
            .replace('"', "\\\"");
        format!("\"{inner}\"")
    } else {
        specifiers_escaped
    }
}

/// Where systemd looks for a user's own units: `$XDG_CONFIG_HOME/systemd/user`.
pub fn unit_dir(config_home: &Path) -> PathBuf {
    config_home.join("systemd").join("user")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_service_runs_the_refresh_for_its_profile_with_the_next_run_s_distance() {
        let (service, timer) = render(
            "work",
            Path::new("/usr/bin/feishu-auth"),
            &[("XDG_CONFIG_HOME".into(), "/home/a/.config".into())],
        );
        assert!(service.contains(
            "ExecStart=/usr/bin/feishu-auth --profile work refresh --if-due --next-run-in 45000\n"
        ));
        assert!(service.contains("Environment=XDG_CONFIG_HOME=/home/a/.config\n"));
        assert!(service.contains("Type=oneshot"));
        assert!(timer.contains("OnCalendar=*-*-* 00/12:00:00\nPersistent=true\n"));
        assert!(timer.contains("WantedBy=timers.target"));
    }

    #[test]
    fn paths_with_spaces_quotes_and_percent_signs_stay_one_word_and_unexpanded() {
        assert_eq!(
            exec_word("/opt/My Apps/feishu-auth"),
            "\"/opt/My Apps/feishu-auth\""
        );
        assert_eq!(exec_word("/a/b\"c"), "\"/a/b\\\"c\"");
        assert_eq!(exec_word("/a/100%/x"), "/a/100%%/x");
        assert_eq!(exec_word("X=/a b\\c"), "\"X=/a b\\\\c\"");
    }

    #[test]
    fn only_the_folders_are_passed_on_never_a_secret() {
        let env = environment(|name| match name {
            "XDG_CONFIG_HOME" => Some("/c".into()),
            "FEISHU_SIGNIN_DATA_DIR" => Some(String::new()),
            "FEISHU_APP_SECRET" => Some("s3cret".into()),
            _ => None,
        });
        assert_eq!(env, vec![("XDG_CONFIG_HOME".to_owned(), "/c".to_owned())]);
    }
}
