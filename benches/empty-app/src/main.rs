//! The benchmark's reference app: what any Tauri 2 app with Feishu Sign-in's plugins costs before
//! it does anything of its own. Same tauri version, plugins (registered the same way), window size,
//! CSP and release profile; the page is static and reports its first paint like the app does.

#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

mod commands;

fn main() {
    commands::STARTED.get_or_init(std::time::Instant::now);
    let result = tauri::Builder::default()
        // The app's plugins, in the app's order and with the app's settings.
        .plugin(
            tauri_plugin_single_instance::Builder::new()
                .dbus_id("dev.feishu-signin.empty")
                .callback(|_app, _argv, _cwd| {})
                .build(),
        )
        .plugin(tauri_plugin_deep_link::init())
        .plugin(tauri_plugin_opener::init())
        .plugin(tauri_plugin_store::Builder::default().build())
        .plugin(tauri_plugin_clipboard_manager::init())
        .plugin(tauri_plugin_notification::init())
        .invoke_handler(tauri::generate_handler![commands::first_render])
        .run(tauri::generate_context!());
    if result.is_err() {
        std::process::exit(1);
    }
}
