//! The device flow's user code (RFC 8628 §6.1): what a person reads off one screen and types into
//! another, so it is short, from an alphabet with no look-alikes, and forgiving when typed.
//!
//! Eight characters from twenty consonants (no vowels, so no words; no `0`/`O`, `1`/`I`/`L`
//! confusions) give 20⁸ ≈ 2.6 × 10¹⁰ codes, shown as `BCDF-GHJK`. Entry ignores case, dashes and
//! spaces. The store keeps only the fingerprint of the normalised code.

use crate::secrets::fingerprint;

/// RFC 8628 §6.1's example alphabet: base-20 consonants.
const ALPHABET: &[u8; 20] = b"BCDFGHJKLMNPQRSTVWXZ";
/// Characters in a code, not counting the dash.
const LENGTH: usize = 8;

/// A fresh user code, as shown: `BCDF-GHJK`.
pub(crate) fn generate() -> String {
    let mut shown = String::with_capacity(LENGTH + 1);
    for position in 0..LENGTH {
        if position == LENGTH / 2 {
            shown.push('-');
        }
        let index = rand::random_range(0..ALPHABET.len());
        shown.push(char::from(ALPHABET[index]));
    }
    shown
}

/// The code as typed, reduced to what identifies it: upper case, without dashes or spaces.
pub(crate) fn normalise(typed: &str) -> String {
    typed
        .chars()
        .filter(|c| *c != '-' && !c.is_whitespace())
        .map(|c| c.to_ascii_uppercase())
        .collect()
}

/// The key a code is stored under: the fingerprint of its normalised form.
pub(crate) fn key(typed: &str) -> String {
    fingerprint(&normalise(typed))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_eight_unambiguous_characters_around_a_dash() {
        let code = generate();
        assert_eq!(code.len(), 9, "{code}");
        assert_eq!(code.as_bytes()[4], b'-', "{code}");
        assert!(normalise(&code).bytes().all(|c| ALPHABET.contains(&c)));
        assert_ne!(generate(), generate());
    }

    #[test]
    fn entry_ignores_case_dashes_and_spaces() {
        assert_eq!(key("bcdf-ghjk"), key("BCDFGHJK"));
        assert_eq!(key(" bcdf ghjk "), key("BCDF-GHJK"));
        assert_ne!(key("BCDF-GHJM"), key("BCDF-GHJK"));
    }
}
