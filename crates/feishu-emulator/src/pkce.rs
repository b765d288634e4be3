//! PKCE (RFC 7636), as the token page requires: the `code_verifier` is 43 to 128 characters of
//! `[A-Z] / [a-z] / [0-9] / "-" / "." / "_" / "~"`, and `S256` means
//! `base64url-no-pad(SHA-256(verifier)) == code_challenge`.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq as _;

/// `code_challenge_method`. Feishu documents `plain` as the default when the parameter is absent.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) enum ChallengeMethod {
    #[serde(rename = "plain")]
    Plain,
    S256,
}

impl ChallengeMethod {
    /// Parses the authorize parameter; `None` for anything but `S256` or `plain` (case-sensitive).
    pub(crate) fn parse(value: &str) -> Option<Self> {
        match value {
            "S256" => Some(Self::S256),
            "plain" => Some(Self::Plain),
            _ => None,
        }
    }
}

/// The challenge sent to the authorize page, remembered with the code it produced.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct CodeChallenge {
    pub(crate) challenge: String,
    pub(crate) method: ChallengeMethod,
}

impl CodeChallenge {
    /// Whether `verifier` is well formed and answers this challenge (compared in constant time).
    pub(crate) fn is_answered_by(&self, verifier: &str) -> bool {
        if !is_well_formed(verifier) {
            return false;
        }
        let expected = match self.method {
            ChallengeMethod::Plain => verifier.to_owned(),
            ChallengeMethod::S256 => URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes())),
        };
        expected.as_bytes().ct_eq(self.challenge.as_bytes()).into()
    }
}

/// 43 to 128 characters of the unreserved set: the rule for a verifier, and so for a challenge (an
/// S256 challenge is 43 base64url characters, a plain one is the verifier itself).
pub(crate) fn is_well_formed(value: &str) -> bool {
    (43..=128).contains(&value.len())
        && value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~'))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 7636, appendix B.
    const RFC_VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
    const RFC_CHALLENGE: &str = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";

    fn s256(challenge: &str) -> CodeChallenge {
        CodeChallenge {
            challenge: challenge.to_owned(),
            method: ChallengeMethod::S256,
        }
    }

    #[test]
    fn s256_matches_the_rfc_vector() {
        assert!(s256(RFC_CHALLENGE).is_answered_by(RFC_VERIFIER));
        assert!(!s256(RFC_CHALLENGE).is_answered_by(&RFC_VERIFIER.replace('d', "e")));
    }

    #[test]
    fn plain_compares_the_verifier_itself() {
        let plain = CodeChallenge {
            challenge: RFC_VERIFIER.to_owned(),
            method: ChallengeMethod::Plain,
        };
        assert!(plain.is_answered_by(RFC_VERIFIER));
        assert!(!plain.is_answered_by(RFC_CHALLENGE));
    }

    #[test]
    fn verifier_length_and_characters_are_checked() {
        assert!(is_well_formed(&"a".repeat(43)));
        assert!(is_well_formed(&"~._-".repeat(32)));
        assert!(!is_well_formed(&"a".repeat(42)));
        assert!(!is_well_formed(&"a".repeat(129)));
        assert!(!is_well_formed(&format!("{}+", "a".repeat(43))));
        // A plain challenge equal to a malformed verifier still fails.
        let plain = CodeChallenge {
            challenge: "short".to_owned(),
            method: ChallengeMethod::Plain,
        };
        assert!(!plain.is_answered_by("short"));
    }

    #[test]
    fn methods_are_case_sensitive() {
        assert_eq!(ChallengeMethod::parse("S256"), Some(ChallengeMethod::S256));
        assert_eq!(
            ChallengeMethod::parse("plain"),
            Some(ChallengeMethod::Plain)
        );
        assert_eq!(ChallengeMethod::parse("s256"), None);
    }
}
