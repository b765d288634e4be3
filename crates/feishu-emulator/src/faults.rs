//! Call counting and injected faults, per endpoint: how tests see what a client did, and make
//! Feishu misbehave on purpose (a 20050 to retry, a 20072 during an outage, a slow answer).

use std::collections::VecDeque;
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use crate::endpoint::Endpoint;
use crate::errors::ErrorCode;

/// Counters, queued failures and queued delays for every endpoint. Per emulator instance, never
/// shared.
#[derive(Debug, Default)]
pub(crate) struct Faults {
    endpoints: Mutex<[EndpointFaults; Endpoint::ALL.len()]>,
}

#[derive(Debug, Default)]
struct EndpointFaults {
    calls: u32,
    queued: VecDeque<ErrorCode>,
    delays: VecDeque<Duration>,
}

/// What a call is in for, decided the moment it arrives: the queues are consumed in arrival order
/// even when calls overlap.
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct Arrival {
    /// How long to wait before processing the call.
    pub(crate) delay: Option<Duration>,
    /// The failure to answer instead of processing it (after the delay).
    pub(crate) failure: Option<ErrorCode>,
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

    /// Makes the next `times` calls to `endpoint` (after any delayed before) wait `delay` before
    /// they are processed.
    pub(crate) fn delay_next(&self, endpoint: Endpoint, times: u32, delay: Duration) {
        let mut endpoints = self
            .endpoints
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        let delays = &mut endpoints[endpoint.index()].delays;
        delays.extend(std::iter::repeat_n(delay, times as usize));
    }

    /// Records a call reaching `endpoint`, and takes the delay and the failure queued for it.
    pub(crate) fn arrive(&self, endpoint: Endpoint) -> Arrival {
        let mut endpoints = self
            .endpoints
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        let faults = &mut endpoints[endpoint.index()];
        faults.calls = faults.calls.saturating_add(1);
        Arrival {
            delay: faults.delays.pop_front(),
            failure: faults.queued.pop_front(),
        }
    }

    /// Records a call reaching `endpoint` and waits out any delay queued for it; returns the
    /// failure it must answer with, if one is queued. Handlers call this before anything else, so
    /// a delayed call reads and changes the store only once the delay is over.
    pub(crate) async fn on_call(&self, endpoint: Endpoint) -> Option<ErrorCode> {
        let arrival = self.arrive(endpoint);
        if let Some(delay) = arrival.delay {
            tracing::info!(?endpoint, ?delay, "request delayed on purpose");
            tokio::time::sleep(delay).await;
        }
        arrival.failure
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
        assert_eq!(faults.arrive(Endpoint::UserInfo).failure, None);
        assert_eq!(
            faults.arrive(Endpoint::Token).failure,
            Some(ErrorCode(20050))
        );
        assert_eq!(
            faults.arrive(Endpoint::Token).failure,
            Some(ErrorCode(20050))
        );
        assert_eq!(
            faults.arrive(Endpoint::Token).failure,
            Some(ErrorCode(20072))
        );
        assert_eq!(faults.arrive(Endpoint::Token).failure, None);
        assert_eq!(faults.calls(Endpoint::Token), 4);
        assert_eq!(faults.calls(Endpoint::UserInfo), 1);
        assert_eq!(faults.calls(Endpoint::Authorize), 0);
    }

    #[test]
    fn queued_delays_are_taken_in_order_alongside_failures() {
        let faults = Faults::default();
        let (short, long) = (Duration::from_millis(5), Duration::from_secs(1));
        faults.delay_next(Endpoint::Token, 2, short);
        faults.delay_next(Endpoint::Token, 1, long);
        faults.fail_next(Endpoint::Token, 1, ErrorCode(20050));
        assert_eq!(faults.arrive(Endpoint::UserInfo), Arrival::default());
        assert_eq!(
            faults.arrive(Endpoint::Token),
            Arrival {
                delay: Some(short),
                failure: Some(ErrorCode(20050)),
            }
        );
        assert_eq!(faults.arrive(Endpoint::Token).delay, Some(short));
        assert_eq!(faults.arrive(Endpoint::Token).delay, Some(long));
        assert_eq!(faults.arrive(Endpoint::Token), Arrival::default());
        assert_eq!(faults.calls(Endpoint::Token), 4);
    }
}
