//! The `code_verifier`s the token endpoint received, kept so that tests can check a client never
//! lets one out anywhere else. Bounded, because a sandbox emulator may run for days.

use std::collections::VecDeque;
use std::sync::{Mutex, PoisonError};

/// How many received `code_verifier`s are remembered. A test looks for the verifiers of the few
/// sign-ins it just made; a sandbox emulator may run for days, and must not grow without bound.
const KEPT_VERIFIERS: usize = 64;

/// The most recent [`KEPT_VERIFIERS`] `code_verifier`s the token endpoint received, oldest first.
#[derive(Debug, Default)]
pub(crate) struct ReceivedVerifiers(Mutex<VecDeque<String>>);

impl ReceivedVerifiers {
    /// Remembers `verifier`, forgetting the oldest one when full.
    pub(crate) fn push(&self, verifier: String) {
        let mut kept = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        if kept.len() == KEPT_VERIFIERS {
            kept.pop_front();
        }
        kept.push_back(verifier);
    }

    /// The remembered verifiers, oldest first.
    pub(crate) fn to_vec(&self) -> Vec<String> {
        let kept = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        kept.iter().cloned().collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_latest_verifiers_are_kept() {
        let verifiers = ReceivedVerifiers::default();
        for n in 0..100 {
            verifiers.push(format!("verifier-{n}"));
        }
        let kept = verifiers.to_vec();
        let newest: Vec<String> = (100 - KEPT_VERIFIERS..100)
            .map(|n| format!("verifier-{n}"))
            .collect();
        assert_eq!(kept, newest);
    }
}
