//! The emulator over real loopback HTTP, as the app's client sees it. One test binary (modules
//! below) keeps linking cheap.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod browse;
mod common;
mod consent;
mod device;
mod faults;
mod refresh;
mod revoke;
mod sign_in;
mod state_file;
mod token_errors;
mod user_info;
