//! Tauri's build step: the app manifest lists the commands, so the capability in
//! `src-tauri/capabilities/` grants the window exactly those and nothing else.

fn main() {
    let manifest = tauri_build::AppManifest::new()
        .commands(&[
            "session",
            "sign_in",
            "cancel_sign_in",
            "refresh",
            "sign_out",
            "copy_access_token",
            "settings",
            "save_settings",
            "activity",
            "first_render",
        ])
        .permissions_path_pattern("src-tauri/permissions/**/*");
    let attributes = tauri_build::Attributes::new()
        .app_manifest(manifest)
        .capabilities_path_pattern("src-tauri/capabilities/**/*");
    if let Err(e) = tauri_build::try_build(attributes) {
        panic!("tauri build step failed: {e:#}");
    }
}
