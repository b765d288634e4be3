pub fn run() {
    tauri::Builder::default()
        .run(tauri::generate_context!())
        .unwrap_or_else(|e| panic!("error while running the app: {e}"));
}
