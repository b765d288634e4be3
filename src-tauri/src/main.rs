#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]
fn main() {
    feishu_signin_lib::run();
}
