//! Whether the desktop hands links of the app's private-use scheme to this app: the deep-link
//! route works only then. On Linux the desktop asks `xdg-mime` for the scheme's default handler
//! (a desktop file), whose `Exec` line must run this app and pass it the link (`%u`).

use std::{
    path::{Path, PathBuf},
    process::Command,
};

use serde::Serialize;

/// Who handles the scheme's links.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "state", rename_all = "camelCase")]
pub enum SchemeHandler {
    /// This app, through `desktop_file`.
    #[serde(rename_all = "camelCase")]
    ThisApp {
        /// The desktop file's name.
        desktop_file: String,
    },
    /// No program is registered for the scheme.
    Unregistered,
    /// Another program (or another copy of this one) is registered.
    #[serde(rename_all = "camelCase")]
    OtherProgram {
        /// The desktop file's name.
        desktop_file: String,
        /// The program its `Exec` line runs.
        program: String,
    },
    /// This app is registered but its `Exec` line does not pass the link (`%u` or `%U`).
    #[serde(rename_all = "camelCase")]
    NoLinkArgument {
        /// The desktop file's name.
        desktop_file: String,
    },
    /// It could not be found out (no `xdg-mime`, an unreadable desktop file).
    #[serde(rename_all = "camelCase")]
    Unknown {
        /// Why.
        reason: String,
    },
}

impl SchemeHandler {
    /// Whether links of the scheme reach `app`.
    pub fn is_this_app(&self) -> bool {
        matches!(self, SchemeHandler::ThisApp { .. })
    }
}

/// Who handles `scheme`'s links, compared with `app` (the app's executable). Runs `xdg-mime`
/// (about 0.1 s): call it off the path of a first paint.
pub fn scheme_handler(scheme: &str, app: &Path) -> SchemeHandler {
    let output = match Command::new("xdg-mime")
        .args(["query", "default", &format!("x-scheme-handler/{scheme}")])
        .output()
    {
        Ok(output) => output,
        Err(e) => {
            return SchemeHandler::Unknown {
                reason: format!("xdg-mime could not be run ({e}): install xdg-utils"),
            }
        }
    };
    let stdout = String::from_utf8_lossy(&output.stdout);
    let desktop_file = stdout.lines().next().map(str::trim).unwrap_or_default();
    // xdg-mime prints nothing, or exits with 4, when there is no handler.
    if desktop_file.is_empty() || output.status.code() == Some(4) {
        return SchemeHandler::Unregistered;
    }
    let Some(path) = find_desktop_file(desktop_file) else {
        return SchemeHandler::Unknown {
            reason: format!("the handler {desktop_file} is not in any applications folder"),
        };
    };
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(e) => {
            return SchemeHandler::Unknown {
                reason: format!("{}: {e}", path.display()),
            }
        }
    };
    let Some(exec) = desktop_exec(&text) else {
        return SchemeHandler::Unknown {
            reason: format!("{} has no Exec line", path.display()),
        };
    };
    let program = exec
        .split_whitespace()
        .next()
        .unwrap_or_default()
        .trim_matches('"');
    if !same_program(program, app) {
        return SchemeHandler::OtherProgram {
            desktop_file: desktop_file.to_owned(),
            program: program.to_owned(),
        };
    }
    if !exec.contains("%u") && !exec.contains("%U") {
        return SchemeHandler::NoLinkArgument {
            desktop_file: desktop_file.to_owned(),
        };
    }
    SchemeHandler::ThisApp {
        desktop_file: desktop_file.to_owned(),
    }
}

/// The desktop file `name` in `$XDG_DATA_HOME/applications`, then `$XDG_DATA_DIRS`'.
fn find_desktop_file(name: &str) -> Option<PathBuf> {
    if name.contains('/') {
        return None;
    }
    let home = std::env::var_os("XDG_DATA_HOME")
        .map(PathBuf::from)
        .filter(|p| p.is_absolute())
        .or_else(|| dirs::home_dir().map(|h| h.join(".local/share")));
    let dirs = std::env::var("XDG_DATA_DIRS")
        .ok()
        .filter(|v| !v.is_empty())
        .unwrap_or_else(|| "/usr/local/share:/usr/share".into());
    home.into_iter()
        .chain(std::env::split_paths(&dirs).filter(|p| p.is_absolute()))
        .map(|dir| dir.join("applications").join(name))
        .find(|path| path.is_file())
}

/// The `Exec` value of the `[Desktop Entry]` group.
fn desktop_exec(text: &str) -> Option<&str> {
    let mut in_entry = false;
    for line in text.lines().map(str::trim) {
        if line.starts_with('[') {
            in_entry = line == "[Desktop Entry]";
        } else if in_entry {
            if let Some(value) = line.strip_prefix("Exec=") {
                return Some(value.trim());
            }
        }
    }
    None
}

/// Whether `program` (an `Exec` line's first word: a path, or a name looked up on `PATH`) is
/// `app`.
fn same_program(program: &str, app: &Path) -> bool {
    let resolved = if program.contains('/') {
        Some(PathBuf::from(program))
    } else {
        std::env::var_os("PATH").and_then(|path| {
            std::env::split_paths(&path)
                .map(|dir| dir.join(program))
                .find(|p| p.is_file())
        })
    };
    let canonical = |p: &Path| std::fs::canonicalize(p).ok();
    match (resolved.as_deref().and_then(canonical), canonical(app)) {
        (Some(a), Some(b)) => a == b,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_exec_line_of_the_desktop_entry_group() {
        let text = "[Desktop Action new]\nExec=other\n[Desktop Entry]\nName=X\nExec=/usr/bin/feishu-signin %u\n";
        assert_eq!(desktop_exec(text), Some("/usr/bin/feishu-signin %u"));
        assert_eq!(desktop_exec("[Desktop Entry]\nName=X\n"), None);
    }

    #[test]
    fn a_program_is_compared_by_its_real_path() {
        let exe = std::env::current_exe().unwrap();
        assert!(same_program(exe.to_str().unwrap(), &exe));
        assert!(!same_program("/bin/true", &exe));
        assert!(!same_program("no-such-program-here", &exe));
    }
}
