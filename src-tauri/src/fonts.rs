//! Whether the desktop has a font for Chinese: without one the person's name and the whole
//! Chinese interface render blank, so the window says so and how to install one.

use std::{process::Command, sync::OnceLock};

use serde::Serialize;

/// What the window needs to know of the installed fonts.
#[derive(Debug, Clone, Copy, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Fonts {
    /// A font that covers Chinese is installed. `None`: unknown (no `fc-list`), so nothing is
    /// said.
    pub chinese: Option<bool>,
}

static FONTS: OnceLock<Fonts> = OnceLock::new();

/// The installed fonts, looked up once (`fc-list`, some tens of milliseconds: run off the main
/// thread).
pub async fn installed() -> Fonts {
    if let Some(fonts) = FONTS.get() {
        return *fonts;
    }
    let fonts = tokio::task::spawn_blocking(look_up)
        .await
        .unwrap_or(Fonts { chinese: None });
    *FONTS.get_or_init(|| fonts)
}

fn look_up() -> Fonts {
    // fontconfig's own answer to "which fonts cover Chinese": the same lookup WebKit makes.
    let chinese = Command::new("fc-list")
        .args([":lang=zh", "family"])
        .output()
        .ok()
        .filter(|out| out.status.success())
        .map(|out| !String::from_utf8_lossy(&out.stdout).trim().is_empty());
    Fonts { chinese }
}
