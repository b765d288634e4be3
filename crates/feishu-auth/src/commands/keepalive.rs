//! `keepalive enable|disable|status`: the systemd user timer that keeps a profile's session alive
//! while the app is closed (see the core's `Keepalive`).

use std::{fmt::Write as _, io::Write as _};

use feishu_oauth::{Keepalive, KeepaliveStatus, Origin, Profiles, Session};
use time::OffsetDateTime;

use crate::{failure::Outcome, view};

/// `keepalive enable`.
pub fn enable(profiles: &Profiles, name: &str) -> Outcome {
    let keepalive = Keepalive::for_profile(name)?;
    let program = Keepalive::program()?;
    let enabled = keepalive.enable(&program)?;
    let mut out = format!(
        "Keepalive on for profile {name}: {} runs `feishu-auth --profile {name} refresh --if-due` twice a day, so the session outlives days with the app closed as long as this computer runs now and then.\n",
        enabled.timer
    );
    if let Some(why) = &enabled.not_started {
        let _ = writeln!(
            out,
            "Not started now ({why}); systemd starts it at your next login."
        );
    }
    out.push_str(&notes(profiles, name));
    let mut stdout = std::io::stdout().lock();
    write!(stdout, "{out}")?;
    Ok(stdout.flush()?)
}

/// `keepalive disable`.
pub fn disable(name: &str) -> Outcome {
    let removed = Keepalive::for_profile(name)?.disable()?;
    let mut stdout = std::io::stdout().lock();
    if removed {
        writeln!(stdout, "Keepalive off for profile {name}: the timer is stopped and its units removed. The session is renewed only while the app runs or a command uses it.")?;
    } else {
        writeln!(stdout, "Keepalive was not on for profile {name}.")?;
    }
    Ok(stdout.flush()?)
}

/// `keepalive status [--json]`.
pub fn status(profiles: &Profiles, name: &str, json: bool) -> Outcome {
    let status = Keepalive::for_profile(name)?.status();
    let mut stdout = std::io::stdout().lock();
    if json {
        serde_json::to_writer_pretty(&mut stdout, &status).map_err(std::io::Error::from)?;
        writeln!(stdout)?;
    } else {
        write!(stdout, "{}", human(&status, OffsetDateTime::now_utc()))?;
        if status.enabled {
            write!(stdout, "{}", notes(profiles, name))?;
        }
    }
    Ok(stdout.flush()?)
}

/// The status for a person.
fn human(s: &KeepaliveStatus, now: OffsetDateTime) -> String {
    if !s.enabled {
        return format!(
            "Keepalive is off for profile {}: the session is renewed only while the app runs or a command uses it.\nTurn it on with `feishu-auth --profile {} keepalive enable`.\n",
            s.profile, s.profile
        );
    }
    let mut rows: Vec<Vec<String>> = vec![vec!["Timer".into(), s.timer.clone()]];
    rows.push(vec![
        "Runs".into(),
        match &s.program {
            Some(p) if s.program_found => p.clone(),
            Some(p) => format!(
                "{p} (missing: run `keepalive enable` again from the installed feishu-auth)"
            ),
            None => "(unreadable unit)".into(),
        },
    ]);
    match (&s.systemd_unreachable, s.active) {
        (Some(why), _) => rows.push(vec!["systemd".into(), format!("not reachable ({why})")]),
        (None, Some(active)) => rows.push(vec![
            "State".into(),
            if active { "active" } else { "not active" }.into(),
        ]),
        (None, None) => {}
    }
    if let Some(at) = s.next_run {
        rows.push(vec!["Next run".into(), view::when(at, now)]);
    }
    match (s.last_run, &s.last_result) {
        (Some(at), result) => {
            let outcome = match (result.as_deref(), s.last_exit_status) {
                (Some("success"), _) => "succeeded".to_owned(),
                (_, Some(3)) => "the session could not be renewed: sign in again".to_owned(),
                (Some(r), Some(code)) => format!("failed ({r}, exit status {code})"),
                (Some(r), None) => format!("failed ({r})"),
                (None, _) => "running or unknown".to_owned(),
            };
            rows.push(vec![
                "Last run".into(),
                format!("{}: {outcome}", view::when(at, now)),
            ]);
        }
        (None, _) => rows.push(vec!["Last run".into(), "not yet".into()]),
    }
    rows.push(vec![
        "Runs while".into(),
        if s.lingering {
            "this computer is on (lingering is on)".into()
        } else {
            "you are logged in (`loginctl enable-linger` lets it run logged out)".into()
        },
    ]);
    let borrowed: Vec<Vec<&str>> = rows
        .iter()
        .map(|r| r.iter().map(String::as_str).collect())
        .collect();
    format!(
        "Keepalive is on for profile {}.\n{}",
        s.profile,
        view::columns("  ", &borrowed)
    )
}

/// What the timer cannot do: see settings that only this shell's environment gives, or renew past
/// Feishu's forced re-authorization.
fn notes(profiles: &Profiles, name: &str) -> String {
    let mut out = String::new();
    if let Ok(layered) = profiles.layered(name) {
        let from_env: Vec<&str> = layered
            .settings
            .iter()
            .filter_map(|s| match s.origin {
                Origin::Environment(var) => Some(var),
                _ => None,
            })
            .collect();
        if !from_env.is_empty() {
            let _ = writeln!(
                out,
                "Note: {} come from this shell's environment, which the timer does not see; put them in the profile's settings (`feishu-auth config show` says where).",
                from_env.join(", ")
            );
        }
    }
    if let Some(session) = session(profiles, name) {
        let _ = writeln!(
            out,
            "Feishu asks for a new sign-in by {} whatever renews the session (365 days after signing in).",
            view::when(session.reauthorization_due_at(), OffsetDateTime::now_utc())
        );
    } else {
        out.push_str("Not signed in yet: the timer has nothing to renew until you sign in.\n");
    }
    out
}

fn session(profiles: &Profiles, name: &str) -> Option<Session> {
    crate::context::account(profiles, name)
        .ok()?
        .current()
        .ok()
        .flatten()
}
