//! The sealed form of a session's tokens: XChaCha20-Poly1305 under a key the desktop keyring
//! keeps, bound by associated data to the app, the profile, the key and the issuer.
//!
//! A sealed session file is the plain one with `access_token` and `refresh_token` replaced by one
//! `sealed` envelope holding both, so the metadata a person or `status` needs (who, scopes,
//! expiries) stays readable and both tokens are sealed and written in one go. The associated data
//! is a fixed binary layout (each field length-prefixed), never JSON: a file copied into another
//! profile, or edited to name another app, does not open.

use base64::{engine::general_purpose::STANDARD, engine::general_purpose::URL_SAFE_NO_PAD, Engine};
use chacha20poly1305::{
    aead::{Aead, Generate, KeyInit, Payload},
    XChaCha20Poly1305, XNonce,
};
use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

use crate::data_dir::APP_IDENTIFIER;

/// The envelope's field in the session object.
pub const SEALED_FIELD: &str = "sealed";
/// The token fields the envelope replaces.
pub const TOKEN_FIELDS: [&str; 2] = ["access_token", "refresh_token"];
/// The envelope's version and algorithm, written and required.
const VERSION: u32 = 1;
const ALGORITHM: &str = "xchacha20poly1305";
/// The key's length in bytes (256 bits).
pub const KEY_LEN: usize = 32;
/// What the associated data starts with: the format it belongs to.
const AD_CONTEXT: &str = "feishu-signin/sealed-session/v1";

/// A key, wiped from memory when dropped.
pub type SessionKey = Zeroizing<Vec<u8>>;

/// Names a key in the keyring: 12 random bytes, base64url. The keyring item carries it as an
/// attribute and the envelope names it, so a file always asks for the key that sealed it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct KeyId(String);

impl KeyId {
    /// A fresh random id.
    pub fn random() -> Self {
        Self(URL_SAFE_NO_PAD.encode(rand::random::<[u8; 12]>()))
    }

    /// The id as the keyring's attribute holds it.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A fresh random key.
pub fn new_key() -> SessionKey {
    let key = chacha20poly1305::Key::generate();
    Zeroizing::new(key.to_vec())
}

/// The `sealed` envelope as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Envelope {
    /// The format's version.
    pub v: u32,
    /// The AEAD.
    pub alg: String,
    /// The key that sealed it.
    pub key_id: KeyId,
    /// The 24-byte nonce, base64.
    pub nonce: String,
    /// The sealed JSON object of the token fields, with the 16-byte tag appended, base64.
    pub ciphertext: String,
}

/// What the associated data binds: the profile and the issuer (the app identifier and the key
/// id are added by [`associated_data`]).
#[derive(Debug, Clone, Copy)]
pub struct Binding<'a> {
    /// The profile the file belongs to.
    pub profile: &'a str,
    /// The issuer's brand, as stored (`feishu`, `lark`, `sandbox`).
    pub brand: &'a str,
    /// The issuer's App ID.
    pub app_id: &'a str,
}

/// Why an envelope does not open. Says nothing of its contents.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OpenError {
    /// Another version or algorithm, or a field that does not decode.
    #[error("the sealed tokens are not in a form this version reads ({0})")]
    Malformed(&'static str),
    /// The key, the binding or the bytes differ from the sealing.
    #[error("the sealed tokens do not open with this profile's key (sealed for another profile or app, or changed)")]
    Rejected,
}

fn associated_data(binding: Binding<'_>, key_id: &KeyId) -> Vec<u8> {
    let mut ad = Vec::new();
    for field in [
        AD_CONTEXT,
        APP_IDENTIFIER,
        binding.profile,
        key_id.as_str(),
        binding.brand,
        binding.app_id,
    ] {
        let len = u32::try_from(field.len()).unwrap_or(u32::MAX);
        ad.extend_from_slice(&len.to_be_bytes());
        ad.extend_from_slice(field.as_bytes());
    }
    ad
}

fn cipher(key: &[u8]) -> Result<XChaCha20Poly1305, OpenError> {
    XChaCha20Poly1305::new_from_slice(key).map_err(|_| OpenError::Malformed("the key's length"))
}

/// Seals `tokens` (the JSON object of the token fields) under `key`.
pub fn seal(
    key: &[u8],
    key_id: &KeyId,
    binding: Binding<'_>,
    tokens: &[u8],
) -> Result<Envelope, OpenError> {
    let nonce = XNonce::generate();
    let ad = associated_data(binding, key_id);
    let ciphertext = cipher(key)?
        .encrypt(
            &nonce,
            Payload {
                msg: tokens,
                aad: &ad,
            },
        )
        .map_err(|_| OpenError::Rejected)?;
    Ok(Envelope {
        v: VERSION,
        alg: ALGORITHM.to_owned(),
        key_id: key_id.clone(),
        nonce: STANDARD.encode(nonce),
        ciphertext: STANDARD.encode(ciphertext),
    })
}

/// Opens an envelope: the JSON object of the token fields, wiped when dropped.
pub fn open(
    key: &[u8],
    envelope: &Envelope,
    binding: Binding<'_>,
) -> Result<Zeroizing<Vec<u8>>, OpenError> {
    if envelope.v != VERSION || envelope.alg != ALGORITHM {
        return Err(OpenError::Malformed("version or algorithm"));
    }
    let nonce = STANDARD
        .decode(&envelope.nonce)
        .ok()
        .and_then(|n| XNonce::try_from(n.as_slice()).ok())
        .ok_or(OpenError::Malformed("the nonce"))?;
    let ciphertext = STANDARD
        .decode(&envelope.ciphertext)
        .map_err(|_| OpenError::Malformed("the ciphertext"))?;
    let ad = associated_data(binding, &envelope.key_id);
    cipher(key)?
        .decrypt(
            &nonce,
            Payload {
                msg: &ciphertext,
                aad: &ad,
            },
        )
        .map(Zeroizing::new)
        .map_err(|_| OpenError::Rejected)
}

#[cfg(test)]
mod tests {
    use super::*;

    const BINDING: Binding<'static> = Binding {
        profile: "work",
        brand: "feishu",
        app_id: "cli_a1b2",
    };
    const TOKENS: &[u8] = br#"{"access_token":"u-secret-access","refresh_token":"ur-secret"}"#;

    #[test]
    fn seals_and_opens_and_the_envelope_holds_no_token_bytes() {
        let key = new_key();
        let id = KeyId::random();
        let envelope = seal(&key, &id, BINDING, TOKENS).unwrap();
        let stored = serde_json::to_string(&envelope).unwrap();
        assert!(!stored.contains("u-secret-access") && !stored.contains("ur-secret"));
        assert_eq!(open(&key, &envelope, BINDING).unwrap().as_slice(), TOKENS);
        // A fresh nonce every time: the same tokens never seal to the same bytes.
        assert_ne!(seal(&key, &id, BINDING, TOKENS).unwrap(), envelope);
    }

    #[test]
    fn another_profile_app_brand_key_or_key_id_does_not_open_it() {
        let key = new_key();
        let envelope = seal(&key, &KeyId::random(), BINDING, TOKENS).unwrap();
        for binding in [
            Binding {
                profile: "default",
                ..BINDING
            },
            Binding {
                app_id: "cli_other",
                ..BINDING
            },
            Binding {
                brand: "lark",
                ..BINDING
            },
        ] {
            assert_eq!(open(&key, &envelope, binding), Err(OpenError::Rejected));
        }
        assert_eq!(
            open(&new_key(), &envelope, BINDING),
            Err(OpenError::Rejected)
        );
        let renamed = Envelope {
            key_id: KeyId::random(),
            ..envelope.clone()
        };
        assert_eq!(open(&key, &renamed, BINDING), Err(OpenError::Rejected));
    }

    #[test]
    fn fields_cannot_slide_into_each_other() {
        // Length prefixes: "ab" + "c" and "a" + "bc" are different associated data.
        let id = KeyId("k".into());
        let a = associated_data(
            Binding {
                profile: "ab",
                brand: "c",
                app_id: "x",
            },
            &id,
        );
        let b = associated_data(
            Binding {
                profile: "a",
                brand: "bc",
                app_id: "x",
            },
            &id,
        );
        assert_ne!(a, b);
    }

    #[test]
    fn a_damaged_envelope_is_an_error_not_a_panic() {
        let key = new_key();
        let good = seal(&key, &KeyId::random(), BINDING, TOKENS).unwrap();
        let mut flipped = STANDARD.decode(&good.ciphertext).unwrap();
        flipped[0] ^= 1;
        for bad in [
            Envelope {
                v: 2,
                ..good.clone()
            },
            Envelope {
                alg: "aes".into(),
                ..good.clone()
            },
            Envelope {
                nonce: "!!".into(),
                ..good.clone()
            },
            Envelope {
                nonce: STANDARD.encode([0u8; 3]),
                ..good.clone()
            },
            Envelope {
                ciphertext: "%".into(),
                ..good.clone()
            },
            Envelope {
                ciphertext: String::new(),
                ..good.clone()
            },
            Envelope {
                ciphertext: STANDARD.encode(flipped),
                ..good.clone()
            },
        ] {
            assert!(open(&key, &bad, BINDING).is_err());
        }
        assert!(open(&[0u8; 5], &good, BINDING).is_err());
    }
}
