//! The one command: the first-render marker the benchmark reads, printed exactly as the app does.

use std::io::Write as _;

/// When the process started (as early in `main` as the app takes its own instant).
pub static STARTED: std::sync::OnceLock<std::time::Instant> = std::sync::OnceLock::new();

/// Prints `first-render <view> <ms since start>` on stdout when `FEISHU_SIGNIN_REPORT_FIRST_RENDER`
/// is set, as `feishu-signin` does, so both apps are timed by the same line.
#[tauri::command]
#[allow(clippy::needless_pass_by_value)] // Tauri deserializes command arguments into owned values.
pub fn first_render(view: String) {
    if std::env::var_os("FEISHU_SIGNIN_REPORT_FIRST_RENDER").is_none() {
        return;
    }
    let elapsed = STARTED.get().map_or(0, |at| at.elapsed().as_millis());
    let view: String = view
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
        .take(20)
        .collect();
    let mut stdout = std::io::stdout().lock();
    let _ = writeln!(stdout, "first-render {view} {elapsed}");
    let _ = stdout.flush();
}
