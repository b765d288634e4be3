//! How the window signs in: a word both the sign-in and its progress events carry.

use serde::{Deserialize, Serialize};

/// How the window signs in: the browser with one of the two redirect routes, or the phone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Way {
    /// The system browser, back through the loopback redirect.
    Loopback,
    /// The system browser, back through the app's private-use scheme.
    DeepLink,
    /// A QR code the Feishu app on the phone scans (the device flow).
    Phone,
}
