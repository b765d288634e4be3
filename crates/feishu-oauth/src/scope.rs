//! Scopes: space-separated, case-sensitive, at most 50 at the authorize step, no duplicates at the
//! token step (20067). `offline_access` is what earns a refresh token.

use std::fmt;

use serde::{Deserialize, Serialize};

/// The scope that makes Feishu return a refresh token.
pub const OFFLINE_ACCESS: &str = "offline_access";

/// Feishu's limit on the number of scopes in one authorize request.
pub const MAX_SCOPES: usize = 50;

/// An ordered set of scopes.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Scopes(Vec<String>);

impl Scopes {
    /// Parses a space-separated list, dropping duplicates and checking each name.
    pub fn parse(value: &str) -> Result<Self, String> {
        Self::from_iter_checked(value.split_whitespace())
    }

    /// Builds from names, dropping duplicates and checking each name and the count.
    pub fn from_iter_checked<I, S>(names: I) -> Result<Self, String>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let mut out: Vec<String> = Vec::new();
        for name in names {
            let name = name.as_ref().trim();
            if name.is_empty() {
                continue;
            }
            if !name
                .chars()
                .all(|c| c.is_ascii_graphic() && c != '"' && c != '\\')
            {
                return Err(format!("`{name}` is not a scope name"));
            }
            if !out.iter().any(|s| s == name) {
                out.push(name.to_owned());
            }
        }
        if out.len() > MAX_SCOPES {
            return Err(format!(
                "{} scopes requested; Feishu accepts at most {MAX_SCOPES}",
                out.len()
            ));
        }
        Ok(Self(out))
    }

    /// The default request: just `offline_access`, so that the session can be kept fresh.
    pub fn default_request() -> Self {
        Self(vec![OFFLINE_ACCESS.to_owned()])
    }

    /// Whether `scope` is in the set.
    pub fn contains(&self, scope: &str) -> bool {
        self.0.iter().any(|s| s == scope)
    }

    /// The names, in order.
    pub fn iter(&self) -> impl Iterator<Item = &str> {
        self.0.iter().map(String::as_str)
    }

    /// These scopes and `others`, each once, in order.
    #[must_use]
    pub fn union(&self, others: &Scopes) -> Scopes {
        let mut all = self.0.clone();
        for scope in others.iter() {
            if !all.iter().any(|s| s == scope) {
                all.push(scope.to_owned());
            }
        }
        Scopes(all)
    }

    /// The scopes of these that `others` lacks.
    pub fn missing_from(&self, others: &Scopes) -> Vec<String> {
        self.iter()
            .filter(|s| !others.contains(s))
            .map(str::to_owned)
            .collect()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// How many.
    pub fn len(&self) -> usize {
        self.0.len()
    }
}

impl fmt::Display for Scopes {
    /// The wire form: names joined by single spaces.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0.join(" "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_space_separated_and_drops_duplicates() {
        let s =
            Scopes::parse("  offline_access contact:user.email:readonly offline_access ").unwrap();
        assert_eq!(s.to_string(), "offline_access contact:user.email:readonly");
    }

    #[test]
    fn rejects_more_than_fifty() {
        let many: Vec<String> = (0..51).map(|i| format!("s{i}")).collect();
        assert!(Scopes::from_iter_checked(&many).is_err());
    }

    #[test]
    fn rejects_quotes_and_controls() {
        assert!(Scopes::parse("a\"b").is_err());
    }
}
