//! `doctor [--json] [--verbose]`: runs the core's checks ([`feishu_oauth::doctor`]) on the
//! profile a command would use and prints them: one line per check with its mark and finding,
//! what to do under each warning and failure; or the report as JSON. A failed check makes the
//! exit status [`exit::DOCTOR_FOUND_PROBLEM`]; warnings alone do not.

use std::{io::Write as _, path::PathBuf, sync::Arc};

use feishu_oauth::{
    doctor::{self, Check, Report, Status},
    Profiles,
};

use crate::{
    failure::{Failure, Outcome},
    sandbox::InProcess,
    view::sentence,
};

/// Where a line wraps: findings and advice are sentences, easier read in a column than across a
/// wide terminal.
const WIDTH: usize = 100;

/// The desktop app's executable, which the deep-link scheme must be registered to: it is
/// installed beside `feishu-auth` (`/usr/bin`, or `target/<profile>` in a build).
fn app_executable() -> PathBuf {
    std::env::current_exe()
        .ok()
        .and_then(|exe| std::fs::canonicalize(exe).ok())
        .map_or_else(
            || PathBuf::from("/usr/bin/feishu-signin"),
            |exe| exe.with_file_name("feishu-signin"),
        )
}

/// `doctor` for `profile` (`--profile`, else `FEISHU_PROFILE`, else the active one).
pub async fn run(profile: Option<&str>, json: bool, verbose: bool) -> Outcome {
    let profiles = Profiles::open()?;
    let name = profiles.select(profile)?;
    let report = doctor::examine(&profiles, &name, Arc::new(InProcess), &app_executable()).await;
    let mut stdout = std::io::stdout().lock();
    if json {
        let text = serde_json::to_string_pretty(&report).map_err(std::io::Error::other)?;
        writeln!(stdout, "{text}")?;
    } else {
        write!(stdout, "{}", human(&report, verbose))?;
    }
    stdout.flush()?;
    let failed: Vec<&'static str> = report
        .checks
        .iter()
        .filter(|c| c.status == Status::Failed)
        .map(|c| c.id)
        .collect();
    if failed.is_empty() {
        Ok(())
    } else {
        Err(Failure::DoctorFoundProblem(failed))
    }
}

fn mark(status: Status) -> &'static str {
    match status {
        Status::Ok => "[ ok ]",
        Status::Warning => "[warn]",
        Status::Failed => "[FAIL]",
        Status::Skipped => "[skip]",
    }
}

/// The report for a person: a mark, the check's name and its finding on one line, then what to
/// do (and with `verbose`, the facts) beneath.
fn human(report: &Report, verbose: bool) -> String {
    let title_width = report
        .checks
        .iter()
        .map(|c| c.title.chars().count())
        .max()
        .unwrap_or(0);
    let indent = " ".repeat(mark(Status::Ok).len() + 1 + title_width + 2);
    let mut out = format!("Checking the profile {}:\n\n", report.profile);
    for check in &report.checks {
        let head = format!("{} {:<title_width$}  ", mark(check.status), check.title);
        out.push_str(&wrap(&head, &indent, &sentence(&check.finding)));
        if matches!(check.status, Status::Warning | Status::Failed) {
            if let Some(advice) = &check.advice {
                out.push_str(&wrap(
                    &format!("{indent}What to do: "),
                    &format!("{indent}            "),
                    &sentence(advice),
                ));
            }
        }
        if verbose {
            for line in &check.details {
                out.push_str(&wrap(&format!("{indent}· "), &format!("{indent}  "), line));
            }
        }
    }
    out.push('\n');
    out.push_str(&summary(&report.checks));
    if !verbose {
        out.push_str(
            "More: `feishu-auth doctor --verbose` (what each check looked at), `--json` (for a helpdesk).\n",
        );
    }
    out
}

fn summary(checks: &[Check]) -> String {
    let count = |s: Status| checks.iter().filter(|c| c.status == s).count();
    let plural = |n: usize, one: &str, many: &str| {
        if n == 1 {
            format!("1 {one}")
        } else {
            format!("{n} {many}")
        }
    };
    let (failed, warnings) = (count(Status::Failed), count(Status::Warning));
    match (failed, warnings) {
        (0, 0) => "Everything checked is in order.\n".to_owned(),
        (0, w) => format!(
            "No problem found; {}: see what to do above.\n",
            plural(w, "warning", "warnings")
        ),
        (f, 0) => format!(
            "{} found: see what to do above.\n",
            plural(f, "problem", "problems")
        ),
        (f, w) => format!(
            "{} and {} found: see what to do above.\n",
            plural(f, "problem", "problems"),
            plural(w, "warning", "warnings")
        ),
    }
}

/// `text` after `first`, wrapped at [`WIDTH`] columns with `rest` before each further line. A
/// word longer than the line (a path) stays whole.
fn wrap(first: &str, rest: &str, text: &str) -> String {
    let mut out = String::new();
    let mut line = first.to_owned();
    let mut empty = true;
    for word in text.split(' ').filter(|w| !w.is_empty()) {
        if !empty && line.chars().count() + 1 + word.chars().count() > WIDTH {
            out.push_str(line.trim_end());
            out.push('\n');
            rest.clone_into(&mut line);
            empty = true;
        }
        if !empty {
            line.push(' ');
        }
        line.push_str(word);
        empty = false;
    }
    out.push_str(line.trim_end());
    out.push('\n');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_text_wraps_under_its_column_and_long_words_stay_whole() {
        let text = format!(
            "{} /a/very/long/path/{}",
            "word ".repeat(30),
            "x".repeat(120)
        );
        let wrapped = wrap("head  ", "      ", &text);
        let lines: Vec<&str> = wrapped.lines().collect();
        assert!(lines[0].starts_with("head  word"));
        assert!(lines[1..].iter().all(|l| l.starts_with("      ")));
        assert!(lines
            .iter()
            .any(|l| l.trim() == format!("/a/very/long/path/{}", "x".repeat(120))));
        assert!(lines[..lines.len() - 1]
            .iter()
            .all(|l| l.chars().count() <= WIDTH));
    }

    #[test]
    fn the_summary_counts_problems_and_warnings() {
        let check = |status| Check {
            id: "x",
            title: "X",
            status,
            finding: String::new(),
            advice: None,
            details: Vec::new(),
        };
        assert_eq!(
            summary(&[check(Status::Ok)]),
            "Everything checked is in order.\n"
        );
        assert!(summary(&[
            check(Status::Failed),
            check(Status::Warning),
            check(Status::Warning)
        ])
        .starts_with("1 problem and 2 warnings found"));
    }
}
