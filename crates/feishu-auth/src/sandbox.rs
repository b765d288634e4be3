//! The CLI's sandbox: the emulator linked in and run in this process for as long as the command
//! runs. It shares grants with every other sandbox process of the user (the desktop app's
//! included) through the data directory's state file.

use std::path::Path;

use feishu_emulator::sandbox;
use feishu_oauth::{AppCredentials, AppSecret, Launching, RunningSandbox, SandboxLauncher};

/// Runs the emulator in-process.
#[derive(Debug, Clone, Copy)]
pub struct InProcess;

impl SandboxLauncher for InProcess {
    fn credentials(&self) -> AppCredentials {
        AppCredentials {
            app_id: sandbox::APP_ID.to_owned(),
            app_secret: AppSecret::new(sandbox::APP_SECRET),
        }
    }

    fn launch<'a>(&'a self, data_dir: &'a Path) -> Launching<'a> {
        Box::pin(async move {
            let emulator = sandbox::start(data_dir).await?;
            Ok(RunningSandbox::new(emulator.base_url(), Box::new(emulator)))
        })
    }
}
