//! Request parameters by name, read from a query string, a form body or a JSON object.
//!
//! The token endpoint takes the same fields as JSON (what the Feishu page fixes) or as a form (what
//! its own Go sample and most OAuth libraries send), so both decode to this one shape. A parameter
//! given twice is refused rather than guessed at (RFC 6749 §3.1, §3.2).

use std::collections::HashMap;

use serde_json::Value;

/// Decoded parameters. An empty value counts as absent, as Feishu treats `""`.
#[derive(Debug, Default)]
pub(crate) struct Params(HashMap<String, String>);

/// Why a body or query could not be read as parameters.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub(crate) enum ParamsError {
    #[error("the `{0}` parameter is given more than once")]
    Duplicate(String),
    #[error("the `{0}` field must be a string")]
    NotText(String),
    #[error("the body is not a JSON object: {0}")]
    NotJsonObject(String),
}

impl Params {
    /// `application/x-www-form-urlencoded`, or a query string.
    pub(crate) fn from_urlencoded(input: &[u8]) -> Result<Self, ParamsError> {
        let mut params = HashMap::new();
        for (name, value) in url::form_urlencoded::parse(input) {
            if params
                .insert(name.to_string(), value.into_owned())
                .is_some()
            {
                return Err(ParamsError::Duplicate(name.into_owned()));
            }
        }
        Ok(Self(params))
    }

    /// A JSON object of strings (`null` counts as absent).
    pub(crate) fn from_json(input: &[u8]) -> Result<Self, ParamsError> {
        let object: serde_json::Map<String, Value> = serde_json::from_slice(input)
            .map_err(|err| ParamsError::NotJsonObject(err.to_string()))?;
        let mut params = HashMap::new();
        for (name, value) in object {
            match value {
                Value::String(text) => {
                    params.insert(name, text);
                }
                Value::Null => {}
                _ => return Err(ParamsError::NotText(name)),
            }
        }
        Ok(Self(params))
    }

    /// The parameter's value, if present and not empty.
    pub(crate) fn get(&self, name: &str) -> Option<&str> {
        self.0
            .get(name)
            .map(String::as_str)
            .filter(|value| !value.is_empty())
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn form_values_are_decoded_and_empty_means_absent() {
        let params = Params::from_urlencoded(b"a=x%20y&b=&c=1+2").unwrap();
        assert_eq!(params.get("a"), Some("x y"));
        assert_eq!(params.get("b"), None);
        assert_eq!(params.get("c"), Some("1 2"));
        assert_eq!(params.get("d"), None);
    }

    #[test]
    fn repeated_parameters_are_refused() {
        assert_eq!(
            Params::from_urlencoded(b"a=1&a=2").unwrap_err(),
            ParamsError::Duplicate("a".to_owned())
        );
    }

    #[test]
    fn json_takes_strings_only() {
        let params = Params::from_json(br#"{"a":"1","n":null}"#).unwrap();
        assert_eq!(params.get("a"), Some("1"));
        assert_eq!(params.get("n"), None);
        assert_eq!(
            Params::from_json(br#"{"a":1}"#).unwrap_err(),
            ParamsError::NotText("a".to_owned())
        );
        assert!(matches!(
            Params::from_json(b"[]").unwrap_err(),
            ParamsError::NotJsonObject(_)
        ));
    }
}
