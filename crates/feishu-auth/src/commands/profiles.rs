//! `profiles`, `profile add`, `profile remove`, `use`: the named configurations side by side.

use std::io::{IsTerminal as _, Write as _};

use feishu_oauth::{ConfigFile, Error, Profiles, SettingsForm};
use serde::Serialize;
use time::OffsetDateTime;

use crate::{cli::ProfileCommand, context, failure::Outcome, view};

/// One profile as `profiles --json` prints it.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct ProfileJson {
    name: String,
    /// Its name for people, when the system file gives one ("Feishu (work)").
    label: Option<String>,
    active: bool,
    brand: String,
    app_id: Option<String>,
    user: Option<String>,
    token_status: String,
    /// Why the profile could not be read, if it could not.
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<String>,
}

/// What `profiles` shows of one profile; reads its files only (no network).
fn describe(profiles: &Profiles, name: &str, active: &str) -> ProfileJson {
    let mut row = ProfileJson {
        name: name.to_owned(),
        label: profiles.label(name),
        active: name == active,
        brand: String::new(),
        app_id: None,
        user: None,
        token_status: "signedOut".into(),
        error: None,
    };
    let account = match context::account(profiles, name) {
        Ok(account) => account,
        Err(e) => {
            row.error = Some(e.to_string());
            return row;
        }
    };
    account.issuer().brand.as_str().clone_into(&mut row.brand);
    row.app_id = account.config().app.as_ref().map(|app| app.app_id.clone());
    match account.current() {
        Ok(Some(session)) => {
            row.user = Some(session.profile.name.clone());
            session
                .token_status(OffsetDateTime::now_utc())
                .as_str()
                .clone_into(&mut row.token_status);
        }
        Ok(None) => {}
        Err(e) => row.error = Some(e.to_string()),
    }
    row
}

/// `profiles [--json]`.
pub fn list(json: bool) -> Outcome {
    let profiles = Profiles::open()?;
    let active = profiles.active();
    let rows: Vec<ProfileJson> = profiles
        .names()?
        .iter()
        .map(|name| describe(&profiles, name, &active))
        .collect();
    let mut stdout = std::io::stdout().lock();
    if json {
        let text = serde_json::to_string_pretty(&rows).map_err(std::io::Error::other)?;
        writeln!(stdout, "{text}")?;
    } else {
        write!(stdout, "{}", table(&rows))?;
    }
    Ok(stdout.flush()?)
}

/// The human table of `profiles`: one aligned row per profile, `*` marking the active one, the
/// user last (a Chinese name is wider than its characters). A profile that could not be read says
/// why in place of its columns.
fn table(rows: &[ProfileJson]) -> String {
    let cells: Vec<Vec<String>> = rows
        .iter()
        .map(|row| {
            let marked = if row.active { "*" } else { " " };
            let name = match &row.label {
                Some(label) => format!("{marked} {} ({label})", row.name),
                None => format!("{marked} {}", row.name),
            };
            if let Some(error) = &row.error {
                return vec![name, view::sentence(error)];
            }
            let brand = match row.brand.as_str() {
                "feishu" => "Feishu",
                "lark" => "Lark",
                "sandbox" => "Sandbox",
                other => other,
            };
            let token = match row.token_status.as_str() {
                "valid" => "valid",
                "needsRefresh" => "needs refresh",
                "expired" => "expired",
                _ => "—",
            };
            vec![
                name,
                brand.to_owned(),
                row.app_id.clone().unwrap_or_else(|| "—".to_owned()),
                token.to_owned(),
                row.user
                    .clone()
                    .unwrap_or_else(|| "not signed in".to_owned()),
            ]
        })
        .collect();
    let header = vec!["  Profile", "Brand", "App ID", "Token", "User"];
    let rows: Vec<Vec<&str>> = std::iter::once(header)
        .chain(
            cells
                .iter()
                .map(|row| row.iter().map(String::as_str).collect()),
        )
        .collect();
    view::columns("", &rows)
}

/// `profile add` and `profile remove`.
pub async fn change(command: ProfileCommand) -> Outcome {
    let profiles = Profiles::open()?;
    match command {
        ProfileCommand::Add {
            name,
            brand,
            app_id,
            redirect_uri,
            scopes,
            accounts_url,
            open_url,
        } => {
            let app_secret = match &app_id {
                Some(_) => Some(read_app_secret()?),
                None => None,
            };
            let mut file = ConfigFile::default();
            SettingsForm {
                app_id,
                app_secret,
                brand,
                redirect_uri,
                scopes,
            }
            .apply_to(&mut file)?;
            file.accounts_url = accounts_url;
            file.open_url = open_url;
            profiles.add(&name, &file)?;
            writeln!(
                std::io::stdout(),
                "Added the profile {name}. `feishu-auth --profile {name} login` signs in to it; `feishu-auth use {name}` makes it the active one."
            )?;
            Ok(())
        }
        ProfileCommand::Remove { name } => {
            profiles.check_removable(&name)?;
            // A profile whose App Secret or session key the keyring no longer gives (or cannot
            // give here) is removed all the same: its tokens cannot be revoked, and that is said.
            let signed_out = match context::account(&profiles, &name) {
                Ok(account) => match account.sign_out().await {
                    Ok(report) => Ok((account, report)),
                    Err(e @ (Error::Keyring { .. } | Error::Config { .. })) => Err(e),
                    Err(e) => return Err(e.into()),
                },
                Err(e @ (Error::Keyring { .. } | Error::Config { .. })) => Err(e),
                Err(e) => return Err(e.into()),
            };
            profiles.remove(&name)?;
            let mut stdout = std::io::stdout().lock();
            writeln!(stdout, "Removed the profile {name}.")?;
            match signed_out {
                Ok((account, report)) => view::sign_out_lines(&mut stdout, account.issuer(), &report)?,
                Err(e) => writeln!(
                    stdout,
                    "Its session could not be signed out first, so its tokens were not revoked at Feishu: {}",
                    view::sentence(&e.to_string())
                )?,
            }
            Ok(stdout.flush()?)
        }
    }
}

/// The App Secret from standard input: asked for without echo at a terminal, else its first line.
fn read_app_secret() -> Result<String, Error> {
    let secret = if std::io::stdin().is_terminal() {
        rpassword::prompt_password("App Secret (not shown): ")
    } else {
        let mut line = String::new();
        std::io::stdin().read_line(&mut line).map(|_| line)
    }
    .map_err(|e| Error::config("app_secret", format!("could not read the App Secret: {e}")))?;
    let secret = secret.trim().to_owned();
    if secret.is_empty() {
        return Err(Error::config(
            "app_secret",
            "an App ID needs its App Secret, given on standard input (developer console → Credentials & Basic Info)",
        ));
    }
    Ok(secret)
}

/// `use NAME`.
pub fn activate(name: &str) -> Outcome {
    let profiles = Profiles::open()?;
    profiles.set_active(name)?;
    writeln!(std::io::stdout(), "The active profile is now {name}.")?;
    Ok(())
}
