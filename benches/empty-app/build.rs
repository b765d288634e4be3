//! Tauri's build step: the manifest lists the one command so `capabilities/` can grant exactly it.

fn main() {
    let manifest = tauri_build::AppManifest::new().commands(&["first_render"]);
    let attributes = tauri_build::Attributes::new().app_manifest(manifest);
    if let Err(e) = tauri_build::try_build(attributes) {
        panic!("tauri build step failed: {e:#}");
    }
}
