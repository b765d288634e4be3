//! Row 10: cold start with five signed-in profiles. A home where `default` and four profiles added
//! with `feishu-auth profile add` are each signed in to the sandbox (`feishu-auth --profile NAME
//! login`, as a person with five accounts would have it), `default` active; then both apps start
//! in turns, as in row 1 ([`super::cold_start::measure`]), and the app's time to its signed-in view is held against the empty app's
//! in the same run. What a profile costs at start (its settings, its session file, the
//! switcher's list) shows here five times over.

use std::process::Stdio;

use crate::{
    artifacts::Artifacts,
    home::Home,
    row::{Budget, Figure, Row},
    rows::cold_start::Launches,
    stats::median_ms,
};

/// The profiles besides `default`.
const ADDED: [&str; 4] = ["work", "lab", "ops", "home"];

/// Runs `feishu-auth` in `home` with `args`; its error output when it fails.
fn feishu_auth(home: &Home, artifacts: &Artifacts, args: &[&str]) -> Result<(), String> {
    let output = home
        .command(&artifacts.feishu_auth)
        .args(args)
        .env(
            "FEISHU_SIGNIN_BROWSER",
            format!("{} browse", artifacts.emulator.display()),
        )
        .stderr(Stdio::piped())
        .output()
        .map_err(|e| format!("{}: {e}", artifacts.feishu_auth.display()))?;
    if output.status.success() {
        Ok(())
    } else {
        Err(format!(
            "feishu-auth {} failed ({}): {}",
            args.join(" "),
            output.status,
            String::from_utf8_lossy(&output.stderr).trim()
        ))
    }
}

/// A home with five profiles, each signed in to the sandbox, `default` active.
pub fn five_signed_in(artifacts: &Artifacts) -> Result<Home, String> {
    let home = Home::new().map_err(|e| format!("temporary folder: {e}"))?;
    home.sign_in_to_sandbox(&artifacts.feishu_auth, &artifacts.emulator)?;
    for name in ADDED {
        feishu_auth(&home, artifacts, &["profile", "add", name])?;
        feishu_auth(
            &home,
            artifacts,
            &["--profile", name, "login", "--timeout", "60"],
        )?;
        let session = home
            .data_dir()
            .join("profiles")
            .join(name)
            .join(feishu_oauth::SESSION_FILE_NAME);
        if !session.is_file() {
            return Err(format!(
                "profile {name} has no session at {}",
                session.display()
            ));
        }
    }
    Ok(home)
}

pub fn row(launches: &Launches) -> Row {
    let ms = |runs: &[crate::launch::Launch]| {
        median_ms(&runs.iter().map(|l| l.first_render).collect::<Vec<_>>())
    };
    Row {
        id: "10",
        name: "cold start, five signed-in profiles (Xvfb)",
        reference_name: "empty Tauri app, static page",
        ours: Figure::millis(ms(&launches.app)),
        reference: Figure::millis(ms(&launches.empty)),
        budget: Budget::Ratio(1.15),
    }
}
