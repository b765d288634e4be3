//! The command list is written once, in `src-tauri/src/commands.rs` (`build.rs` reads it for the
//! app manifest); the handler list in `lib.rs` and the window's capability must name the same
//! commands, or a command would be unreachable, or reachable without being granted on purpose.

#![allow(clippy::unwrap_used)]

use std::collections::BTreeSet;

fn read(path: &str) -> String {
    std::fs::read_to_string(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(path)).unwrap()
}

/// The fns that follow `#[tauri::command]` in commands.rs.
fn declared() -> BTreeSet<String> {
    let source = read("src-tauri/src/commands.rs");
    source
        .split("#[tauri::command]")
        .skip(1)
        .map(|rest| {
            let after_fn = &rest[rest.find("fn ").unwrap() + 3..];
            after_fn.split(['<', '(']).next().unwrap().to_owned()
        })
        .collect()
}

/// The `commands::name` entries of `generate_handler!` in lib.rs.
fn handled() -> BTreeSet<String> {
    let source = read("src-tauri/src/lib.rs");
    let start = source.find("generate_handler![").unwrap();
    let end = start + source[start..].find(']').unwrap();
    source[start..end]
        .split("commands::")
        .skip(1)
        .map(|name| name.trim().trim_end_matches(',').trim().to_owned())
        .collect()
}

/// The app commands the main window's capability allows (`allow-<name in kebab case>`).
fn granted() -> BTreeSet<String> {
    let capability: serde_json::Value =
        serde_json::from_str(&read("src-tauri/capabilities/main.json")).unwrap();
    capability["permissions"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|p| p.as_str()?.strip_prefix("allow-"))
        .map(|name| name.replace('-', "_"))
        .collect()
}

#[test]
fn commands_handlers_and_the_capability_agree() {
    let declared = declared();
    assert!(declared.len() >= 10, "{declared:?}");
    assert_eq!(handled(), declared, "generate_handler! in lib.rs");
    assert_eq!(granted(), declared, "src-tauri/capabilities/main.json");
}
