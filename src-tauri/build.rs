//! Tauri's build step: the app manifest lists the commands, so the capability in
//! `src-tauri/capabilities/` grants the window exactly those and nothing else.
//!
//! The command list is read from `src-tauri/src/commands.rs` (every `#[tauri::command]`), so it is
//! written once; `tests/command_list.rs` checks that the handler list and the capability agree.

const COMMANDS_RS: &str = "src-tauri/src/commands.rs";

/// The names of the functions marked `#[tauri::command]` in `source`.
fn command_names(source: &str) -> Vec<String> {
    let mut names = Vec::new();
    let mut marked = false;
    for line in source.lines().map(str::trim) {
        if line == "#[tauri::command]" {
            marked = true;
        } else if marked && !line.starts_with("#[") && !line.starts_with("//") {
            let name = line
                .trim_start_matches("pub ")
                .trim_start_matches("async ")
                .strip_prefix("fn ")
                .and_then(|rest| rest.split(['<', '(']).next());
            match name {
                Some(name) => names.push(name.to_owned()),
                None => {
                    panic!("{COMMANDS_RS}: `#[tauri::command]` is not followed by a fn: {line}")
                }
            }
            marked = false;
        }
    }
    names
}

fn main() {
    println!("cargo:rerun-if-changed={COMMANDS_RS}");
    // Naming one file above turns off Cargo's "any file changed"; the capabilities are read
    // here too, so a change to them must run this again.
    println!("cargo:rerun-if-changed=src-tauri/capabilities");
    let source = match std::fs::read_to_string(COMMANDS_RS) {
        Ok(source) => source,
        Err(e) => panic!("{COMMANDS_RS}: {e}"),
    };
    let commands = command_names(&source);
    let commands: Vec<&'static str> = commands
        .into_iter()
        .map(|name| &*Box::leak(name.into_boxed_str()))
        .collect();
    let manifest = tauri_build::AppManifest::new()
        .commands(Box::leak(commands.into_boxed_slice()))
        .permissions_path_pattern("src-tauri/permissions/**/*");
    let attributes = tauri_build::Attributes::new()
        .app_manifest(manifest)
        .capabilities_path_pattern("src-tauri/capabilities/**/*");
    if let Err(e) = tauri_build::try_build(attributes) {
        panic!("tauri build step failed: {e:#}");
    }
}
