//! The `feishu-auth` binary, run as a user would, against the emulator over real loopback HTTP,
//! with `feishu-emulator browse` standing in for the person in the browser. One test binary
//! (a module per command or topic below) keeps linking cheap.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stderr)]

#[path = "../common/mod.rs"]
mod common;

mod config;
mod corrupt;
mod doctor;
mod keepalive;
mod keyring;
mod lifecycle;
mod login;
mod profiles;
mod proxy;
mod refresh;
mod sandbox;
mod scopes;
mod secrets;
mod status;
mod token;
mod ways_in;
