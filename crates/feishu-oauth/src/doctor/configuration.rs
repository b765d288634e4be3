//! Which settings files were read, whether each parses, what the system file locks, and the app
//! they add up to: the same merge `config show` and the window use ([`Profiles::layered`]).

use crate::{
    config::CONFIG_DIR_NAME,
    managed::Layered,
    profiles::{Profiles, DEFAULT_PROFILE},
};

use super::{Check, Status};

pub(super) const CONFIGURATION: (&str, &str) = ("configuration", "Configuration");

/// The check, and the settings when they load (every later check needs them).
pub(super) fn check(profiles: &Profiles, name: &str) -> (Check, Option<Layered>) {
    let (id, title) = CONFIGURATION;
    let mut details = vec![format!("Profile: {name}")];
    match profiles.system() {
        Ok(Some(system)) => {
            details.push(format!("System file: {} (read)", system.path.display()));
            let locked: Vec<&str> = profiles
                .managed(name)
                .map(|m| m.locked.iter().copied().collect())
                .unwrap_or_default();
            details.push(if locked.is_empty() {
                "Locked by the system file: nothing".to_owned()
            } else {
                format!("Locked by the system file: {}", locked.join(", "))
            });
        }
        Ok(None) => details.push(format!(
            "System file: none ({CONFIG_DIR_NAME}/config.toml in no folder of XDG_CONFIG_DIRS, default /etc/xdg)"
        )),
        Err(e) => {
            let check = Check::new(id, title, Status::Failed, e.to_string())
                .advice(
                    "The system file is your organisation's: ask your IT team to fix it (`feishu-auth config show` says the same)",
                )
                .details(details);
            return (check, None);
        }
    }
    let user_path = profiles.config_file(name);
    let layered = match profiles.layered(name) {
        Ok(layered) => layered,
        Err(e) => {
            details.push(format!("Profile's file: {}", user_path.display()));
            let check = Check::new(id, title, Status::Failed, e.to_string())
                .advice(format!(
                    "Correct the key the message names in {} (or in the FEISHU_* variable it names), or open Settings in the app and save",
                    user_path.display()
                ))
                .details(details);
            return (check, None);
        }
    };
    details.push(format!(
        "Profile's file: {}{}",
        user_path.display(),
        if user_path.is_file() {
            " (read)"
        } else {
            " (not written yet)"
        }
    ));
    if name != DEFAULT_PROFILE {
        details.push(
            "The default profile's config.toml is not read for this profile: each profile has its own file"
                .to_owned(),
        );
    }
    for setting in &layered.settings {
        for origin in &setting.ignored {
            let from = match origin {
                crate::managed::Origin::Environment(var) => format!("the environment ({var})"),
                crate::managed::Origin::User => "the profile's file".to_owned(),
                other => other.as_str().to_owned(),
            };
            details.push(format!(
                "Ignored: {} from {from} (locked by the system file)",
                setting.key.name
            ));
        }
    }
    let check = app_check(&layered, &mut details);
    (check.details(details), Some(layered))
}

/// The app the settings add up to: a Feishu or Lark app, or the sandbox.
fn app_check(layered: &Layered, details: &mut Vec<String>) -> Check {
    let (id, title) = CONFIGURATION;
    let config = &layered.config;
    details.push(format!("Data folder: {}", config.data_dir.display()));
    if let Some(app) = &config.app {
        details.push(format!("App ID: {}", app.app_id));
        details.push("App Secret: set".to_owned());
        Check::new(
            id,
            title,
            Status::Ok,
            format!(
                "the {} app {}",
                match config.brand {
                    crate::brand::Brand::Feishu => "Feishu",
                    crate::brand::Brand::Lark => "Lark",
                },
                app.app_id
            ),
        )
    } else if config.demo {
        details.push("App ID: not set; the demo is asked for".to_owned());
        Check::new(
            id,
            title,
            Status::Ok,
            "the sandbox (a local Feishu emulator), as asked for by the demo setting",
        )
    } else {
        details.push("App ID: not set".to_owned());
        Check::new(
                id,
                title,
                Status::Warning,
                "no App ID is set, so this profile signs in to the sandbox (a local Feishu emulator), not to Feishu",
            )
            .advice(
                "To sign in to your company's Feishu, set its App ID and App Secret in the app's Settings or in the profile's file (or ask your IT team). The sandbox needs nothing",
            )
    }
}
