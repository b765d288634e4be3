//! Call counting and injected failures, per endpoint: how tests see what a client did, and make
//! Feishu misbehave on purpose (a 20050 to retry, a 20072 during an outage).

use std::collections::VecDeque;
use std::sync::{Mutex, PoisonError};

use crate::endpoint::Endpoint;
use crate::errors::ErrorCode;

/// Counters and queued failures for every endpoint. Per emulator instance, never shared.
#[derive(Debug, Default)]
pub(crate) struct Faults {
    endpoints: Mutex<[EndpointFaults; Endpoint::ALL.len()]>,
}

#[derive(Debug, Default)]
struct EndpointFaults {
    calls: u32,
    queued: VecDeque<ErrorCode>,
}

impl Faults {
    /// Queues `code` as the answer to the next `times` calls to `endpoint` (after any queued before).
    pub(crate) fn fail_next(&self, endpoint: Endpoint, times: u32, code: ErrorCode) {
        let mut endpoints = self
            .endpoints
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        let queued = &mut endpoints[endpoint.index()].queued;
        queued.extend(std::iter::repeat_n(code, times as usize));
    }

    /// Records a call reaching `endpoint`; returns the failure it must answer with, if one is queued.
    pub(crate) fn on_call(&self, endpoint: Endpoint) -> Option<ErrorCode> {
        let mut endpoints = self
            .endpoints
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        let faults = &mut endpoints[endpoint.index()];
        faults.calls = faults.calls.saturating_add(1);
        faults.queued.pop_front()
    }

    /// How many calls reached `endpoint`, failed or not.
    pub(crate) fn calls(&self, endpoint: Endpoint) -> u32 {
        self.endpoints
            .lock()
            .unwrap_or_else(PoisonError::into_inner)[endpoint.index()]
        .calls
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queued_failures_are_answered_in_order_then_calls_succeed() {
        let faults = Faults::default();
        faults.fail_next(Endpoint::Token, 2, ErrorCode(20050));
        faults.fail_next(Endpoint::Token, 1, ErrorCode(20072));
        assert_eq!(faults.on_call(Endpoint::UserInfo), None);
        assert_eq!(faults.on_call(Endpoint::Token), Some(ErrorCode(20050)));
        assert_eq!(faults.on_call(Endpoint::Token), Some(ErrorCode(20050)));
        assert_eq!(faults.on_call(Endpoint::Token), Some(ErrorCode(20072)));
        assert_eq!(faults.on_call(Endpoint::Token), None);
        assert_eq!(faults.calls(Endpoint::Token), 4);
        assert_eq!(faults.calls(Endpoint::UserInfo), 1);
        assert_eq!(faults.calls(Endpoint::Authorize), 0);
    }
}
