//! Whether the loopback redirect's port can be listened on now. Feishu sends the browser back to
//! the registered URI exactly, port included, so a sign-in cannot move to another port on its own:
//! a port another program holds makes every loopback sign-in fail at its start.

use std::net::TcpListener;

use crate::redirect::{CallbackRoute, RedirectUri};

use super::{procfs, Check, Status};

pub(super) const REDIRECT_PORT: (&str, &str) = ("redirect-port", "Redirect port");

pub(super) fn check(redirect: &RedirectUri) -> Check {
    let (id, title) = REDIRECT_PORT;
    let details = vec![format!("Redirect URI: {redirect}")];
    let CallbackRoute::Loopback(address) = redirect.route() else {
        return Check::new(
            id,
            title,
            Status::Skipped,
            "the profile's redirect is the deep link, which needs no port",
        )
        .details(details);
    };
    // Bound and closed at once: a sign-in starting meanwhile would find it free again.
    match TcpListener::bind(address) {
        Ok(listener) => {
            drop(listener);
            Check::new(
                id,
                title,
                Status::Ok,
                format!("{address} is free for the sign-in's callback"),
            )
            .details(details)
        }
        Err(e) if e.kind() == std::io::ErrorKind::AddrInUse => {
            let holder = procfs::listener(address.port());
            let who = holder.as_ref().map_or_else(
                || "another program (not one of yours, or it could not be identified)".to_owned(),
                procfs::Process::describe,
            );
            let ours = holder
                .as_ref()
                .and_then(|p| p.name.as_deref())
                .is_some_and(|n| n.starts_with("feishu-"));
            let advice = if ours {
                format!(
                    "A sign-in is already waiting there ({who}): finish it in the browser or cancel it, then try again"
                )
            } else {
                format!(
                    "Stop {who}, or use another port: set redirect_uri to http://127.0.0.1:PORT/callback and register that exact URI in the developer console (Feishu compares it whole, port included)"
                )
            };
            Check::new(
                id,
                title,
                Status::Failed,
                format!("{address} is taken by {who}, so the browser cannot come back to this app"),
            )
            .advice(advice)
            .details(details)
        }
        Err(e) => Check::new(
            id,
            title,
            Status::Failed,
            format!("{address} cannot be listened on: {e}"),
        )
        .advice("Use a port above 1024 in redirect_uri and register that exact URI in the developer console")
        .details(details),
    }
}
