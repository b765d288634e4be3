//! Minimizing an app's window where there is no window manager (Xvfb), with `xdotool`.
//!
//! A window manager minimizes a window by unmapping it. GDK (GTK 3 on X11) takes an unmap it did
//! not ask for, of a mapped toplevel, for an iconify when the window manager does not support
//! `_NET_WM_STATE_HIDDEN` (with no window manager, none does), and WebKitGTK then marks the page
//! hidden (`document.hidden`, `visibilitychange`) and throttles it as it does for a minimized
//! window. So `xdotool windowunmap` of the app's visible windows is the same as minimizing.

use std::process::Command;

/// Runs `xdotool` with `args`; its standard output.
fn xdotool(args: &[&str]) -> Result<String, String> {
    let output = Command::new("xdotool")
        .args(args)
        .output()
        .map_err(|e| format!("xdotool: {e} (scripts/setup-debian.sh --test installs it)"))?;
    // `search` exits 1 when nothing matches: an empty list, not an error.
    if !output.status.success() && !output.stderr.is_empty() {
        return Err(format!(
            "xdotool {}: {}",
            args.join(" "),
            String::from_utf8_lossy(&output.stderr).trim()
        ));
    }
    Ok(String::from_utf8_lossy(&output.stdout).into_owned())
}

/// The mapped (shown) windows of process `pid` (`_NET_WM_PID`, which GDK sets on its toplevels).
pub fn shown_windows(pid: u32) -> Result<Vec<String>, String> {
    let out = xdotool(&["search", "--onlyvisible", "--pid", &pid.to_string()])?;
    Ok(out.split_whitespace().map(str::to_owned).collect())
}

/// Minimizes every shown window of `pid`, and checks none is shown afterwards.
pub fn minimize(pid: u32) -> Result<(), String> {
    let windows = shown_windows(pid)?;
    if windows.is_empty() {
        return Err(format!("process {pid} shows no window to minimize"));
    }
    for window in &windows {
        xdotool(&["windowunmap", "--sync", window])?;
    }
    let left = shown_windows(pid)?;
    if left.is_empty() {
        Ok(())
    } else {
        Err(format!("process {pid} still shows windows {left:?}"))
    }
}
