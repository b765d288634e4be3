//! A stand-in for a person at a browser, for tests and demos with no display: it opens the
//! authorize URL, reads the consent page, presses approve (or deny), and follows the redirect back
//! to the app the way a browser would, over HTTP or through a deep-link handler.
//!
//! It is what `feishu-emulator browse` runs, which tests set as `FEISHU_SIGNIN_BROWSER`. For the
//! device flow (RFC 8628) it opens `verification_uri_complete` and approves or denies instead
//! ([`Browser::device`], `feishu-emulator browse-device`).

use std::process::ExitStatus;
use std::time::Duration;

use reqwest::header::LOCATION;
use reqwest::{redirect, StatusCode};
use url::Url;

use crate::device_page::{self, USER_CODE_FIELD};
use crate::pages::{self, DECISION_FIELD, TICKET_FIELD};

/// The button the person presses on the consent page.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Decision {
    /// 授权: the app gets a code.
    Approve,
    /// 拒绝: the app gets `error=access_denied`.
    Deny,
}

impl Decision {
    fn value(self) -> &'static str {
        match self {
            Self::Approve => "approve",
            Self::Deny => "deny",
        }
    }
}

/// Why the stand-in could not get through the sign-in.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum BrowseError {
    /// The HTTP client could not be set up.
    #[error("could not create the HTTP client: {0}")]
    Client(#[source] reqwest::Error),
    /// A request failed (connection refused, timeout…).
    #[error("could not reach {url}: {source}")]
    Request {
        /// The URL, without its query (which may hold a code).
        url: String,
        #[source]
        source: reqwest::Error,
    },
    /// The authorize page (or the decision) showed an error page, e.g. an unregistered
    /// `redirect_uri` (error 20029). Feishu never redirects in that case.
    #[error("the sign-in page shows {0}")]
    ErrorPage(String),
    /// A page that is neither the consent page nor an error page.
    #[error("{url} answered HTTP {status} with neither a consent form nor an error page")]
    UnexpectedPage {
        /// The URL, without its query.
        url: String,
        /// The HTTP status.
        status: u16,
    },
    /// The decision was not answered with a redirect.
    #[error("the consent decision was answered with HTTP {status} instead of a redirect")]
    NoRedirect {
        /// The HTTP status.
        status: u16,
    },
    /// The redirect's `Location` is not a URL.
    #[error("the redirect Location {0:?} is not a URL")]
    BadLocation(String),
    /// The deep-link handler is an empty command.
    #[error("the deep-link handler command is empty")]
    EmptyHandler,
    /// The deep-link handler could not be started.
    #[error("could not run the deep-link handler {command:?}: {source}")]
    Handler {
        /// The command as given.
        command: String,
        #[source]
        source: std::io::Error,
    },
}

/// A browser that never follows redirects by itself, so each hop is explicit.
#[derive(Clone, Debug)]
pub struct Browser {
    client: reqwest::Client,
}

impl Browser {
    /// A client with no redirects, no proxy (everything is on loopback) and a 30-second timeout.
    /// It keeps no idle connections: a browser may outlive the server it last talked to (tests
    /// share one across emulators), and a person's few requests gain nothing from reuse.
    pub fn new() -> Result<Self, BrowseError> {
        let client = reqwest::Client::builder()
            .redirect(redirect::Policy::none())
            .no_proxy()
            .pool_max_idle_per_host(0)
            .timeout(Duration::from_secs(30))
            .build()
            .map_err(BrowseError::Client)?;
        Ok(Self { client })
    }

    /// Opens the authorize page, submits `decision`, and returns where the browser is sent next:
    /// `{redirect_uri}?code=…&state=…` or `{redirect_uri}?error=access_denied&state=…`.
    pub async fn consent(
        &self,
        authorize_url: &Url,
        decision: Decision,
    ) -> Result<Url, BrowseError> {
        let response = self
            .client
            .get(authorize_url.clone())
            .send()
            .await
            .map_err(|source| request_error(authorize_url, source))?;
        let status = response.status();
        let page = response
            .text()
            .await
            .map_err(|source| request_error(authorize_url, source))?;
        let Some(form) = pages::parse_consent_form(&page).filter(|_| status == StatusCode::OK)
        else {
            return Err(match pages::parse_error(&page) {
                Some(message) => BrowseError::ErrorPage(message),
                None => BrowseError::UnexpectedPage {
                    url: without_query(authorize_url),
                    status: status.as_u16(),
                },
            });
        };
        let action = authorize_url
            .join(&form.action)
            .map_err(|_| BrowseError::BadLocation(form.action.clone()))?;
        tracing::debug!(action = %without_query(&action), decision = decision.value(), "submitting the consent form");
        let response = self
            .client
            .post(action.clone())
            .form(&[
                (TICKET_FIELD, form.ticket.as_str()),
                (DECISION_FIELD, decision.value()),
            ])
            .send()
            .await
            .map_err(|source| request_error(&action, source))?;
        let status = response.status();
        if !status.is_redirection() {
            let page = response.text().await.unwrap_or_default();
            return Err(match pages::parse_error(&page) {
                Some(message) => BrowseError::ErrorPage(message),
                None => BrowseError::NoRedirect {
                    status: status.as_u16(),
                },
            });
        }
        let location = response
            .headers()
            .get(LOCATION)
            .and_then(|value| value.to_str().ok())
            .unwrap_or_default();
        Url::parse(location).map_err(|_| BrowseError::BadLocation(location.to_owned()))
    }

    /// Opens the device flow's verification page at `verification_uri_complete` (the link carries
    /// the user code, so the form comes filled in; a page without a code is
    /// [`BrowseError::UnexpectedPage`]) and presses approve or deny. `Ok` once the page confirms the
    /// decision; an unknown, expired or used code is [`BrowseError::ErrorPage`].
    pub async fn device(
        &self,
        verification_uri_complete: &Url,
        decision: Decision,
    ) -> Result<(), BrowseError> {
        let page_url = verification_uri_complete;
        let (status, page) = self.load(page_url).await?;
        let Some(form) = device_page::parse_verification_form(&page)
            .filter(|form| status == StatusCode::OK && !form.user_code.is_empty())
        else {
            return Err(unexpected(page_url, status, &page));
        };
        let action = page_url
            .join(&form.action)
            .map_err(|_| BrowseError::BadLocation(form.action.clone()))?;
        tracing::debug!(action = %without_query(&action), decision = decision.value(), "submitting the device verification form");
        let response = self
            .client
            .post(action.clone())
            .form(&[
                (TICKET_FIELD, form.ticket.as_str()),
                (USER_CODE_FIELD, form.user_code.as_str()),
                (DECISION_FIELD, decision.value()),
            ])
            .send()
            .await
            .map_err(|source| request_error(&action, source))?;
        let status = response.status();
        let page = response
            .text()
            .await
            .map_err(|source| request_error(&action, source))?;
        if status == StatusCode::OK && device_page::is_done(&page) {
            return Ok(());
        }
        Err(unexpected(&action, status, &page))
    }

    /// GETs a page: its status and text.
    async fn load(&self, url: &Url) -> Result<(StatusCode, String), BrowseError> {
        let response = self
            .client
            .get(url.clone())
            .send()
            .await
            .map_err(|source| request_error(url, source))?;
        let status = response.status();
        let page = response
            .text()
            .await
            .map_err(|source| request_error(url, source))?;
        Ok((status, page))
    }

    /// Delivers an `http(s)` redirect to the app's loopback listener, as the browser would load it,
    /// and returns the listener's status.
    pub async fn deliver(&self, callback: &Url) -> Result<StatusCode, BrowseError> {
        let response = self
            .client
            .get(callback.clone())
            .send()
            .await
            .map_err(|source| request_error(callback, source))?;
        Ok(response.status())
    }
}

/// Hands a custom-scheme redirect (`com.example.app:/callback?…`) to a deep-link handler, as the
/// desktop would: `command` is split on whitespace (no quoting), the URL is appended as the last
/// argument, and the handler's exit status is returned once it exits.
pub async fn run_deep_link_handler(command: &str, url: &Url) -> Result<ExitStatus, BrowseError> {
    let mut words = command.split_whitespace();
    let program = words.next().ok_or(BrowseError::EmptyHandler)?;
    tokio::process::Command::new(program)
        .args(words)
        .arg(url.as_str())
        .status()
        .await
        .map_err(|source| BrowseError::Handler {
            command: command.to_owned(),
            source,
        })
}

/// An error page's message, or a page that is no page of ours.
fn unexpected(url: &Url, status: StatusCode, page: &str) -> BrowseError {
    match pages::parse_error(page) {
        Some(message) => BrowseError::ErrorPage(message),
        None => BrowseError::UnexpectedPage {
            url: without_query(url),
            status: status.as_u16(),
        },
    }
}

fn request_error(url: &Url, source: reqwest::Error) -> BrowseError {
    BrowseError::Request {
        url: without_query(url),
        source: source.without_url(),
    }
}

/// The URL without its query and fragment: what is safe to print (a callback's query holds a code).
fn without_query(url: &Url) -> String {
    let mut shown = url.clone();
    shown.set_query(None);
    shown.set_fragment(None);
    shown.into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn printed_urls_lose_their_query() {
        let url = Url::parse("http://127.0.0.1:9/cb?code=secret&state=s#x")
            .unwrap_or_else(|err| panic!("{err}"));
        assert_eq!(without_query(&url), "http://127.0.0.1:9/cb");
    }
}
