//! The reference for the sign-in overhead: the floor of a durable sign-in. The same two HTTP
//! calls the app makes after the callback, made by a bare reqwest client with nothing around
//! them (POST the JSON token body, authorization code + PKCE verifier, read and parse the answer,
//! GET user_info with the access token, read and parse that), then the session they make written
//! as any program that must not lose it writes a file: a temporary file, fsync, rename over the
//! old one, fsync of the folder.

use std::{
    fs,
    io::Write as _,
    path::Path,
    time::{Duration, Instant},
};

use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine as _};
use feishu_emulator::browse::{Browser, Decision};
use sha2::{Digest, Sha256};
use url::Url;

use crate::harness::{Harness, SCOPES};

/// A client like the app's: no proxy for loopback, no redirects, the same timeouts. One is made
/// per sign-in, before the callback, as the app makes its `FeishuClient`; so in both the token
/// call opens the connection and user_info reuses it.
fn client() -> reqwest::Result<reqwest::Client> {
    reqwest::Client::builder()
        .connect_timeout(Duration::from_secs(10))
        .timeout(Duration::from_secs(30))
        .redirect(reqwest::redirect::Policy::none())
        .no_proxy()
        .build()
}

fn random_b64(bytes: usize) -> String {
    let raw: Vec<u8> = (0..bytes).map(|_| rand::random::<u8>()).collect();
    URL_SAFE_NO_PAD.encode(raw)
}

/// One bare sign-in's times from the callback: the two calls, and the calls and the write.
#[derive(Debug, Clone, Copy)]
pub struct Timings {
    pub calls: Duration,
    pub durable: Duration,
}

/// Writes `bytes` to `path` so that a crash leaves the old file or the new one, whole.
fn write_durably(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let tmp = dir.join(".session.json.tmp");
    let mut file = fs::File::create(&tmp)?;
    file.write_all(bytes)?;
    file.sync_all()?;
    drop(file);
    fs::rename(&tmp, path)?;
    fs::File::open(dir)?.sync_all()
}

/// One sign-in: gets a code through the consent page (untimed), then times the two calls and the
/// write of the session to `session_file`.
pub async fn sign_in(
    h: &Harness,
    browser: &Browser,
    session_file: &Path,
) -> Result<Timings, String> {
    let http = client().map_err(|e| e.to_string())?;
    let endpoints = h.endpoints();
    let verifier = random_b64(32);
    let challenge = URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()));
    let mut authorize: Url = endpoints.authorize.clone();
    authorize
        .query_pairs_mut()
        .append_pair("client_id", h.emulator.app_id())
        .append_pair("response_type", "code")
        .append_pair("redirect_uri", h.redirect_uri.as_str())
        .append_pair("scope", SCOPES)
        .append_pair("state", &random_b64(32))
        .append_pair("code_challenge", &challenge)
        .append_pair("code_challenge_method", "S256");
    let callback = browser
        .consent(&authorize, Decision::Approve)
        .await
        .map_err(|e| e.to_string())?;
    let code = callback
        .query_pairs()
        .find(|(k, _)| k == "code")
        .map(|(_, v)| v.into_owned())
        .ok_or("no code in the callback")?;

    let started = Instant::now();
    let token: serde_json::Value = http
        .post(endpoints.token)
        .json(&serde_json::json!({
            "grant_type": "authorization_code",
            "client_id": h.emulator.app_id(),
            "client_secret": h.emulator.app_secret(),
            "code": code,
            "redirect_uri": h.redirect_uri.as_str(),
            "code_verifier": verifier,
        }))
        .send()
        .await
        .map_err(|e| e.to_string())?
        .json()
        .await
        .map_err(|e| e.to_string())?;
    let access_token = token["access_token"]
        .as_str()
        .ok_or("no access_token in the answer")?;
    let user: serde_json::Value = http
        .get(endpoints.user_info)
        .bearer_auth(access_token)
        .send()
        .await
        .map_err(|e| e.to_string())?
        .json()
        .await
        .map_err(|e| e.to_string())?;
    let calls = started.elapsed();
    if user["data"]["name"].as_str().is_none() {
        return Err("user_info answered no name".into());
    }
    let session = serde_json::json!({"session": {"token": token, "profile": user["data"]}});
    let bytes = serde_json::to_vec_pretty(&session).map_err(|e| e.to_string())?;
    write_durably(session_file, &bytes).map_err(|e| format!("{}: {e}", session_file.display()))?;
    Ok(Timings {
        calls,
        durable: started.elapsed(),
    })
}
