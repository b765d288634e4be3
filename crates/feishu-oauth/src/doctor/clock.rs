//! This computer's clock against the server's (the HTTP `Date` header of the endpoints' answers).
//!
//! Token expiries are absolute instants computed on this clock from Feishu's `expires_in`
//! (seconds); the refresh-ahead margin is at most 5 minutes. A clock minutes off makes the
//! session refresh too late (tokens Feishu already considers expired are sent, 20005) or show
//! wrong expiries, so a skew beyond [`MAX_CLOCK_SKEW`] is a warning.

use time::{format_description::FormatItem, macros::format_description, OffsetDateTime};

use super::{span, Check, Status};

pub(super) const CLOCK: (&str, &str) = ("clock", "Clock");

/// The largest difference between the server's clock and ours that is not reported: well inside
/// the 5-minute refresh margin, well above the `Date` header's 1 s resolution and a slow answer.
pub const MAX_CLOCK_SKEW: time::Duration = time::Duration::minutes(2);

/// RFC 9110's IMF-fixdate, the only form a server may send: `Sun, 06 Nov 1994 08:49:37 GMT`.
const IMF_FIXDATE: &[FormatItem<'static>] = format_description!(
    "[weekday repr:short], [day] [month repr:short] [year] [hour]:[minute]:[second] GMT"
);

/// The instant in an HTTP `Date` header, if it is an IMF-fixdate.
pub fn parse_http_date(value: &str) -> Option<OffsetDateTime> {
    time::PrimitiveDateTime::parse(value.trim(), IMF_FIXDATE)
        .ok()
        .map(time::PrimitiveDateTime::assume_utc)
}

/// How far ours is from the server's clock (positive: ours is ahead), when beyond
/// [`MAX_CLOCK_SKEW`]. `sent` and `received` bracket the request: the server stamped its answer
/// between them, so the skew counted is the smallest one consistent with both.
pub fn clock_skew(
    server: OffsetDateTime,
    sent: OffsetDateTime,
    received: OffsetDateTime,
) -> Option<time::Duration> {
    // The header drops the fraction of a second: the server's instant is in [server, server + 1 s).
    let skew = if received < server {
        received - server
    } else if sent > server + time::Duration::SECOND {
        sent - (server + time::Duration::SECOND)
    } else {
        time::Duration::ZERO
    };
    (skew.abs() > MAX_CLOCK_SKEW).then_some(skew)
}

/// The server's `Date` and when our request was sent and answered.
#[derive(Debug, Clone)]
pub(super) struct ServerDate {
    pub host: String,
    pub date: Option<String>,
    pub sent: OffsetDateTime,
    pub received: OffsetDateTime,
}

pub(super) fn check(date: Option<&ServerDate>) -> Check {
    let (id, title) = CLOCK;
    let Some(answer) = date else {
        return Check::new(
            id,
            title,
            Status::Skipped,
            "not checked: no server answered",
        );
    };
    let Some(raw) = answer.date.as_deref() else {
        return Check::new(
            id,
            title,
            Status::Skipped,
            format!("not checked: {} sent no Date header", answer.host),
        );
    };
    let Some(server) = parse_http_date(raw) else {
        return Check::new(
            id,
            title,
            Status::Skipped,
            format!(
                "not checked: {}'s Date header is not an HTTP date",
                answer.host
            ),
        );
    };
    let details = vec![
        format!("Server ({}): {raw}", answer.host),
        format!(
            "This computer: {}",
            answer
                .received
                .format(IMF_FIXDATE)
                .unwrap_or_else(|_| answer.received.to_string())
        ),
    ];
    match clock_skew(server, answer.sent, answer.received) {
        None => Check::new(
            id,
            title,
            Status::Ok,
            format!(
                "this computer's clock and the server's ({}) agree within {}",
                answer.host,
                span(MAX_CLOCK_SKEW)
            ),
        ),
        Some(skew) => Check::new(
            id,
            title,
            Status::Warning,
            format!(
                "this computer's clock is {} {} the server's ({})",
                span(skew),
                if skew.is_positive() { "ahead of" } else { "behind" },
                answer.host
            ),
        )
        .advice(
            "Set the clock automatically (`timedatectl set-ntp true`, or the desktop's Date & Time settings): token expiries are counted on this computer's clock",
        ),
    }
    .details(details)
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn an_imf_fixdate_parses_and_other_forms_do_not() {
        assert_eq!(
            parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT"),
            Some(datetime!(1994-11-06 08:49:37 UTC))
        );
        assert_eq!(parse_http_date("Sunday, 06-Nov-94 08:49:37 GMT"), None);
        assert_eq!(parse_http_date("yesterday"), None);
    }

    #[test]
    fn a_skew_within_two_minutes_or_inside_the_request_is_not_reported() {
        let server = datetime!(2026-12-01 02:00:00 UTC);
        let sent = server - time::Duration::seconds(90);
        assert_eq!(
            clock_skew(server, sent, sent + time::Duration::SECOND),
            None
        );
        // A slow answer: the server stamped it somewhere in the 10 minutes the request took.
        assert_eq!(
            clock_skew(
                server,
                server - time::Duration::minutes(5),
                server + time::Duration::minutes(5)
            ),
            None
        );
    }

    #[test]
    fn a_clock_minutes_off_is_reported_with_its_sign() {
        let server = datetime!(2026-12-01 02:00:00 UTC);
        let ours = server + time::Duration::minutes(7);
        let skew = clock_skew(server, ours, ours + time::Duration::SECOND).unwrap();
        assert!(
            skew.is_positive() && skew >= time::Duration::minutes(6),
            "{skew}"
        );
        let ours = server - time::Duration::minutes(3);
        let skew = clock_skew(server, ours, ours).unwrap();
        assert_eq!(skew, -time::Duration::minutes(3));
    }
}
