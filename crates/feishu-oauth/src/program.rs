//! Finding a program of this project (`feishu-auth`) from another one (the app, a test).

use std::path::{Path, PathBuf};

/// `name` beside this executable (under `cargo test` the executable is one folder deeper,
/// `target/<profile>/deps/`, so the folder above is tried too), else on `PATH`: an app run from
/// somewhere else (copied out of the build, an AppImage) still finds the installed one. Absolute,
/// so the path can be handed to another program (a systemd unit) as it is.
pub(crate) fn find_program(name: &str) -> Option<PathBuf> {
    let exe = std::env::current_exe().ok()?;
    let dir = exe.parent().unwrap_or(Path::new("/"));
    let beside = [Some(dir.join(name)), dir.parent().map(|p| p.join(name))];
    let on_path = std::env::var_os("PATH")
        .map(|path| {
            std::env::split_paths(&path)
                .filter(|d| d.is_absolute())
                .map(|d| d.join(name))
                .collect::<Vec<_>>()
        })
        .unwrap_or_default();
    beside
        .into_iter()
        .flatten()
        .chain(on_path)
        .find(|p| p.is_file())
}
