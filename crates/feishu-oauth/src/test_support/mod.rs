//! For tests in every crate of the workspace (the `test-support` feature): the crash tests'
//! numbered sessions and their kill loop, and a real keyring on a private bus, written once.
//!
//! A crash test runs a child that saves sessions 1, 2, 3, … as fast as it can through some store,
//! kills it at many moments, and checks after each kill that the file holds one whole session
//! that never goes back. Every field of session `n` says `n`, so a torn mix of two is detectable.

mod bus;
mod keyring;

pub use bus::PrivateBus;
pub use keyring::TestKeyring;

use std::{process::Child, time::Duration};

use crate::{
    brand::IssuerBrand,
    error::Result,
    profile::Profile,
    scope::Scopes,
    secret::{AccessToken, RefreshToken},
    session::{Issuer, Session},
    store::SessionStore,
};

/// Session number `n` of `brand`: about 3 KB, every field saying `n`.
pub fn numbered_session(n: u64, brand: IssuerBrand) -> Session {
    let seconds = 1_800_000_000_i64.saturating_add(i64::try_from(n).unwrap_or(i64::MAX));
    let at = time::OffsetDateTime::from_unix_timestamp(seconds)
        .unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
    Session {
        issuer: Issuer {
            brand,
            app_id: "cli_crash".into(),
        },
        access_token: AccessToken::new(format!("access-{n}-{}", "a".repeat(1500))),
        access_token_issued_at: at,
        access_token_expires_at: at + time::Duration::seconds(7200),
        refresh_token: Some(RefreshToken::new(format!(
            "refresh-{n}-{}",
            "r".repeat(1500)
        ))),
        refresh_token_expires_at: Some(at + time::Duration::days(7)),
        authorized_at: at,
        scopes: Scopes::from_iter_checked(["offline_access"]).unwrap_or_default(),
        profile: Profile {
            name: format!("user-{n}"),
            open_id: format!("ou_{n}"),
            ..Profile::default()
        },
    }
}

/// The number of a numbered session; `None` for any other.
pub fn number_of(session: &Session) -> Option<u64> {
    session.profile.name.strip_prefix("user-")?.parse().ok()
}

/// The child's side: saves numbered sessions to `store`, from the one after what it holds, until
/// the process is killed.
pub fn save_numbered_forever(store: &dyn SessionStore, brand: IssuerBrand) -> ! {
    let start = store
        .load()
        .ok()
        .flatten()
        .and_then(|s| number_of(&s))
        .map_or(1, |n| n + 1);
    for n in start.. {
        if let Err(e) = store.save(&numbered_session(n, brand)) {
            panic!("save {n}: {e}");
        }
    }
    unreachable!("the numbers ran out")
}

/// What a kill loop saw.
#[derive(Debug, Clone, Copy)]
pub struct Kills {
    /// How many kills found a newer session than the one before.
    pub advanced: u32,
    /// The number of the last session found.
    pub last: u64,
}

/// Starts a saving child `kills` times, kills it after `delay(i)`, and checks the store after
/// each kill: one whole numbered session of `brand`, never older than the last. Panics (the test
/// fails) otherwise, or if the child rarely got to save, which would prove nothing.
pub fn kill_while_saving(
    kills: u32,
    brand: IssuerBrand,
    spawn: impl Fn() -> std::io::Result<Child>,
    delay: impl Fn(u32) -> Duration,
    load: impl Fn() -> Result<Option<Session>>,
) -> Kills {
    let mut seen = Kills {
        advanced: 0,
        last: 0,
    };
    for i in 0..kills {
        let mut child = spawn().unwrap_or_else(|e| panic!("the saving child did not start: {e}"));
        std::thread::sleep(delay(i));
        let _ = child.kill();
        let _ = child.wait();
        let loaded = match load() {
            Ok(Some(session)) => session,
            Ok(None) => panic!("after kill {i}: no session"),
            Err(e) => panic!("after kill {i}: {e}"),
        };
        let n =
            number_of(&loaded).unwrap_or_else(|| panic!("after kill {i}: not a numbered session"));
        assert!(
            loaded == numbered_session(n, brand),
            "session {n} is not whole after kill {i}"
        );
        assert!(
            n >= seen.last,
            "the session went back in time after kill {i}"
        );
        seen.advanced += u32::from(n > seen.last);
        seen.last = n;
    }
    assert!(
        seen.advanced > kills / 2,
        "the child saved in only {} of {kills} runs: the test would prove nothing",
        seen.advanced
    );
    seen
}

/// Reads a QR code drawn by [`crate::qr::terminal`] back, as a phone's camera would: each
/// character is two modules, a filled half light, a blank one dark. `None`: no code found.
pub fn decode_terminal_qr(drawn: &str) -> Option<String> {
    let rows: Vec<Vec<char>> = drawn
        .lines()
        .filter(|l| l.chars().all(|c| matches!(c, ' ' | '█' | '▀' | '▄')) && !l.is_empty())
        .map(|l| l.chars().collect())
        .collect();
    let width = rows.iter().map(Vec::len).max()?;
    let scale = 4;
    let light = |x: usize, y: usize| -> bool {
        let (column, module_row) = (x / scale, y / scale);
        let Some(c) = rows.get(module_row / 2).and_then(|r| r.get(column)) else {
            return true;
        };
        if module_row % 2 == 0 {
            matches!(c, '█' | '▀')
        } else {
            matches!(c, '█' | '▄')
        }
    };
    // A margin of light around it, as a screen has.
    let margin = 8 * scale;
    let (w, h) = (
        width * scale + 2 * margin,
        rows.len() * 2 * scale + 2 * margin,
    );
    let mut image = rqrr::PreparedImage::prepare_from_greyscale(w, h, |x, y| {
        let inside = x >= margin && y >= margin;
        if !inside || light(x - margin, y - margin) {
            255
        } else {
            0
        }
    });
    let grids = image.detect_grids();
    grids.first()?.decode().ok().map(|(_, text)| text)
}

/// Reads a QR code drawn by [`crate::qr::svg`] back: the SVG's dark rectangles (`M x y h w v h
/// H x V y`, the encoder's only shapes) painted at 4 pixels a unit, then decoded as a camera
/// would. `None`: no code found.
pub fn decode_svg_qr(svg: &str) -> Option<String> {
    let number = |text: &str, key: &str| -> Option<usize> {
        let start = text.find(&format!("{key}=\""))? + key.len() + 2;
        text[start..].split('"').next()?.parse().ok()
    };
    let tag = &svg[svg.find("<svg")?..];
    let (width, height) = (number(tag, "width")?, number(tag, "height")?);
    let path = &svg[svg.find(" d=\"")? + 4..];
    let path = path.split('"').next()?;
    let scale = 4;
    let mut dark = vec![false; width * height];
    for shape in path.split('M').filter(|s| !s.is_empty()) {
        // `left top h width v height H left V top`
        let fields: Vec<usize> = shape
            .split(|c: char| !c.is_ascii_digit())
            .filter(|f| !f.is_empty())
            .filter_map(|f| f.parse().ok())
            .collect();
        let [left, top, w, h, ..] = fields[..] else {
            return None;
        };
        for y in top..(top + h).min(height) {
            for x in left..(left + w).min(width) {
                dark[y * width + x] = true;
            }
        }
    }
    let mut image =
        rqrr::PreparedImage::prepare_from_greyscale(width * scale, height * scale, |x, y| {
            if dark[(y / scale) * width + x / scale] {
                0
            } else {
                255
            }
        });
    let grids = image.detect_grids();
    grids.first()?.decode().ok().map(|(_, text)| text)
}
