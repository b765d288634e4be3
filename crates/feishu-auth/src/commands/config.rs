//! `config show`: every setting in effect and where it comes from (the system file, the user's
//! file, the environment, the default), a secret only as "set".

use std::io::Write as _;

use feishu_oauth::{Layered, Origin, Profiles, LOCKED_REASON};
use serde::Serialize;

use crate::{failure::Outcome, view};

/// `config show --json`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct ConfigJson {
    profile: String,
    /// The system file read, if one was found.
    system_file: Option<String>,
    /// The profile's own settings file (it need not exist).
    user_file: String,
    settings: Vec<SettingJson>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct SettingJson {
    key: &'static str,
    /// The value in effect; a secret as `set`; `null` when not set.
    value: Option<String>,
    /// `system`, `user`, `environment` or `default`.
    source: &'static str,
    /// The environment variable, when the source is the environment.
    #[serde(skip_serializing_if = "Option::is_none")]
    variable: Option<&'static str>,
    /// Locked by the system file.
    locked: bool,
    /// Values set aside, and why.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    ignored: Vec<IgnoredJson>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct IgnoredJson {
    source: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    variable: Option<&'static str>,
    reason: &'static str,
}

fn variable(origin: &Origin) -> Option<&'static str> {
    match origin {
        Origin::Environment(var) => Some(var),
        _ => None,
    }
}

/// The settings of `layered` as printed.
fn rows(layered: &Layered) -> Vec<SettingJson> {
    let mut rows: Vec<SettingJson> = layered
        .settings
        .iter()
        .map(|s| SettingJson {
            key: s.key.name,
            value: layered.shown_value(s.key.name),
            source: s.origin.as_str(),
            variable: variable(&s.origin),
            locked: s.locked,
            ignored: s
                .ignored
                .iter()
                .map(|origin| IgnoredJson {
                    source: origin.as_str(),
                    variable: variable(origin),
                    reason: LOCKED_REASON,
                })
                .collect(),
        })
        .collect();
    // What only the environment sets: where the session lives, the browser.
    let env = |var: &'static str| std::env::var(var).ok().filter(|v| !v.trim().is_empty());
    rows.push(SettingJson {
        key: "data_dir",
        value: Some(layered.config.data_dir.display().to_string()),
        source: if env("FEISHU_SIGNIN_DATA_DIR").is_some() {
            "environment"
        } else {
            "default"
        },
        variable: env("FEISHU_SIGNIN_DATA_DIR").map(|_| "FEISHU_SIGNIN_DATA_DIR"),
        locked: false,
        ignored: Vec::new(),
    });
    rows.push(SettingJson {
        key: "browser",
        value: layered.config.browser.clone(),
        source: if layered.config.browser.is_some() {
            "environment"
        } else {
            "default"
        },
        variable: layered
            .config
            .browser
            .as_ref()
            .map(|_| "FEISHU_SIGNIN_BROWSER"),
        locked: false,
        ignored: Vec::new(),
    });
    rows
}

fn source_words(source: &str, variable: Option<&str>) -> String {
    match (source, variable) {
        ("environment", Some(var)) => format!("environment ({var})"),
        ("system", _) => "system file".to_owned(),
        ("user", _) => "user file".to_owned(),
        (other, _) => other.to_owned(),
    }
}

/// `config show [--json]` for `profile` (`--profile`, else `FEISHU_PROFILE`, else the active one).
pub fn show(profile: Option<&str>, json: bool) -> Outcome {
    let profiles = Profiles::open()?;
    let name = profiles.select(profile)?;
    let layered = profiles.layered(&name)?;
    let out = ConfigJson {
        profile: name,
        system_file: layered
            .system_path
            .as_ref()
            .map(|p| p.display().to_string()),
        user_file: layered.user_path.display().to_string(),
        settings: rows(&layered),
    };
    let mut stdout = std::io::stdout().lock();
    if json {
        let text = serde_json::to_string_pretty(&out).map_err(std::io::Error::other)?;
        writeln!(stdout, "{text}")?;
    } else {
        write!(stdout, "{}", human(&out, layered.user_path.is_file()))?;
    }
    Ok(stdout.flush()?)
}

fn human(out: &ConfigJson, user_file_exists: bool) -> String {
    let system = out
        .system_file
        .clone()
        .unwrap_or_else(|| "none found".to_owned());
    let user = if user_file_exists {
        out.user_file.clone()
    } else {
        format!("{} (not written yet)", out.user_file)
    };
    let mut text = view::columns(
        "",
        &[
            vec!["Profile", &out.profile],
            vec!["System file", &system],
            vec!["User file", &user],
        ],
    );
    text.push('\n');
    let cells: Vec<[String; 3]> = out
        .settings
        .iter()
        .map(|s| {
            let value = match (s.key, &s.value) {
                ("app_id", None) => "not set (the sandbox)".to_owned(),
                ("browser", None) => "the system browser".to_owned(),
                (_, None) => "not set".to_owned(),
                (_, Some(v)) => v.clone(),
            };
            let mut source = source_words(s.source, s.variable);
            if s.locked {
                source.push_str(", locked");
            }
            [s.key.to_owned(), value, source]
        })
        .collect();
    let header = ["Setting", "Value", "From"].map(str::to_owned);
    let table: Vec<Vec<&str>> = std::iter::once(&header)
        .chain(&cells)
        .map(|row| vec![row[0].as_str(), row[2].as_str(), row[1].as_str()])
        .collect();
    // The value last: it may be long (a path, the scopes).
    text.push_str(&view::columns("  ", &table));
    let ignored: Vec<String> = out
        .settings
        .iter()
        .flat_map(|s| {
            s.ignored.iter().map(move |i| {
                format!(
                    "  {}: the value from the {} was ignored: {}\n",
                    s.key,
                    match i.variable {
                        Some(var) => format!("environment ({var})"),
                        None => source_words(i.source, None),
                    },
                    i.reason
                )
            })
        })
        .collect();
    if !ignored.is_empty() {
        text.push('\n');
        text.extend(ignored);
    }
    text
}
