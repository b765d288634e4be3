//! PKCE (RFC 7636) with the S256 method, on the `oauth2` crate's types.

use oauth2::PkceCodeChallenge;

use crate::secret::PkceVerifier;

/// A fresh verifier (32 random bytes, base64url, 43 characters) and its S256 challenge.
pub fn new_s256() -> (PkceVerifier, String) {
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    (
        PkceVerifier::new(verifier.secret().clone()),
        challenge.as_str().to_owned(),
    )
}

/// The S256 challenge of a verifier: BASE64URL(SHA256(ASCII(verifier))); the tests hold
/// [`new_s256`] and the RFC's vector against it.
#[cfg(test)]
pub(crate) fn s256_challenge(verifier: &PkceVerifier) -> String {
    let verifier = oauth2::PkceCodeVerifier::new(verifier.expose().to_owned());
    PkceCodeChallenge::from_code_verifier_sha256(&verifier)
        .as_str()
        .to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc7636_appendix_b_vector() {
        let verifier = PkceVerifier::new("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk");
        assert_eq!(
            s256_challenge(&verifier),
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        );
    }

    #[test]
    fn fresh_verifiers_are_43_unreserved_chars_and_differ() {
        let (a, challenge) = new_s256();
        let (b, _) = new_s256();
        assert_eq!(a.expose().len(), 43);
        assert!(a
            .expose()
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-._~".contains(c)));
        assert_ne!(a.expose(), b.expose());
        assert_eq!(s256_challenge(&a), challenge);
    }
}
