//! Whether the desktop hands `dev.feishu-signin.app:` links to this app ([`scheme_handler`]:
//! `xdg-mime`'s default handler, and its desktop file's `Exec … %u`). Only the deep-link route
//! needs it: for a profile that uses it a missing handler is a failure (the browser's redirect goes
//! nowhere), for one on the loopback route a warning (the route the window offers as the other
//! choice would not work).

use std::path::Path;

use crate::{
    redirect::{CallbackRoute, RedirectUri, DEEP_LINK_SCHEME},
    scheme_handler::{scheme_handler, SchemeHandler},
};

use super::{Check, Status};

pub(super) const DEEP_LINK: (&str, &str) = ("deep-link-scheme", "Deep-link scheme");

pub(super) fn check(redirect: &RedirectUri, app: &Path) -> Check {
    let (id, title) = DEEP_LINK;
    let uses_it = redirect.route() == CallbackRoute::DeepLink;
    let handler = scheme_handler(DEEP_LINK_SCHEME, app);
    let mut details = vec![
        format!("Scheme: {DEEP_LINK_SCHEME}:"),
        format!("This app: {}", app.display()),
        format!(
            "The profile's route: {}",
            if uses_it {
                "the deep link"
            } else {
                "loopback (the deep link is not used)"
            }
        ),
    ];
    let register = format!(
        "install the app's package, which registers the scheme, or run `xdg-mime default <the app's .desktop file> x-scheme-handler/{DEEP_LINK_SCHEME}`"
    );
    let (finding, advice) = match &handler {
        SchemeHandler::ThisApp { desktop_file } => {
            details.push(format!("Handler: {desktop_file}"));
            return Check::new(
                id,
                title,
                Status::Ok,
                format!("links of the {DEEP_LINK_SCHEME} scheme open this app ({desktop_file})"),
            )
            .details(details);
        }
        SchemeHandler::Unregistered => (
            format!("no program is registered to open links of the {DEEP_LINK_SCHEME} scheme"),
            format!("To register this app, {register}"),
        ),
        SchemeHandler::OtherProgram {
            desktop_file,
            program,
        } => {
            details.push(format!("Handler: {desktop_file} runs {program}"));
            (
                format!(
                    "links of the {DEEP_LINK_SCHEME} scheme open {program} ({desktop_file}), not this app"
                ),
                format!(
                    "Another program, or another copy of this app, registered itself for the scheme. To register this app, {register}"
                ),
            )
        }
        SchemeHandler::NoLinkArgument { desktop_file } => (
            format!(
                "{desktop_file} opens this app without passing it the link (no %u in its Exec line)"
            ),
            format!("Reinstall the app's package, whose desktop file has `Exec=… %u`; or {register}"),
        ),
        SchemeHandler::Unknown { reason } => (
            format!(
                "which program opens links of the {DEEP_LINK_SCHEME} scheme could not be found out: {reason}"
            ),
            "Install xdg-utils (`sudo apt install xdg-utils`)".to_owned(),
        ),
    };
    let (status, advice) = if uses_it {
        (
            Status::Failed,
            format!(
                "{advice}. Or switch the profile to the loopback redirect (http://127.0.0.1:28283/callback, registered in the developer console)"
            ),
        )
    } else {
        (
            Status::Warning,
            format!(
                "Nothing to do for the loopback route this profile uses. Only for the deep-link route: {}",
                lowercase_first(&advice)
            ),
        )
    };
    Check::new(id, title, status, finding)
        .advice(advice)
        .details(details)
}

fn lowercase_first(text: &str) -> String {
    let mut chars = text.chars();
    chars.next().map_or_else(String::new, |first| {
        first.to_lowercase().chain(chars).collect()
    })
}
