//! Secrets the emulator saw or made (the `code_verifier`s the token endpoint received, the tokens
//! it issued), kept so that tests can check a client never lets one out anywhere else: a log, a
//! page, a file on disk. Bounded, because a sandbox emulator may run for days.

use std::collections::VecDeque;
use std::sync::{Mutex, PoisonError};

/// How many values are remembered. A test looks for the secrets of the few sign-ins and
/// refreshes it just made; a sandbox emulator may run for days, and must not grow without bound.
const KEPT: usize = 64;

/// The most recent [`KEPT`] values, oldest first.
#[derive(Debug, Default)]
pub(crate) struct Recent(Mutex<VecDeque<String>>);

impl Recent {
    /// Remembers `value`, forgetting the oldest one when full.
    pub(crate) fn push(&self, value: String) {
        let mut kept = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        if kept.len() == KEPT {
            kept.pop_front();
        }
        kept.push_back(value);
    }

    /// The remembered values, oldest first.
    pub(crate) fn to_vec(&self) -> Vec<String> {
        let kept = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        kept.iter().cloned().collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_latest_values_are_kept() {
        let verifiers = Recent::default();
        for n in 0..100 {
            verifiers.push(format!("verifier-{n}"));
        }
        let kept = verifiers.to_vec();
        let newest: Vec<String> = (100 - KEPT..100).map(|n| format!("verifier-{n}")).collect();
        assert_eq!(kept, newest);
    }
}
