//! Instants as a person reads them: in the local time zone, with its offset
//! (`2026-11-30 23:05:12 +08:00`).
//!
//! The zone is `TZ` when it is set (an IANA name such as `Asia/Shanghai`, a POSIX rule such as
//! `CST-8`, or a TZif file), else the system's (`/etc/localtime`), as `date` and `ls` honour them;
//! an unknown zone falls back to UTC, which the printed offset then shows. jiff reads the zone and
//! the tz database itself: the `time` crate's local offset calls `localtime_r`, which it refuses
//! to do (returning an error) once the process has a second thread, as this one does (Tokio's
//! blocking pool, the sandbox's emulator), and gives an offset for one instant, not the zone's
//! rules. Machine-readable output (`--json`) stays RFC 3339.

use jiff::{tz::TimeZone, Timestamp};
use time::{format_description::well_known::Rfc3339, OffsetDateTime};

/// `at` in the local time zone.
pub fn format(at: OffsetDateTime) -> String {
    let zone = TimeZone::try_system().unwrap_or(TimeZone::UTC);
    format_in(at, &zone)
}

/// `at` in `zone`, to the second, with the zone's offset at that instant.
fn format_in(at: OffsetDateTime, zone: &TimeZone) -> String {
    match Timestamp::from_second(at.unix_timestamp()) {
        Ok(instant) => instant
            .to_zoned_datetime(zone.clone())
            .strftime("%Y-%m-%d %H:%M:%S %:z")
            .to_string(),
        // Outside jiff's range (years beyond ±9999): RFC 3339 in UTC, as `time` writes it.
        Err(_) => at
            .format(&Rfc3339)
            .unwrap_or_else(|_| at.unix_timestamp().to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn shows_the_wall_clock_and_the_offset_of_the_zone() {
        let at = datetime!(2026-11-30 15:05:12.75 UTC);
        let shanghai = TimeZone::posix("CST-8").unwrap();
        assert_eq!(format_in(at, &shanghai), "2026-11-30 23:05:12 +08:00");
        assert_eq!(format_in(at, &TimeZone::UTC), "2026-11-30 15:05:12 +00:00");
        let newfoundland = TimeZone::posix("NST3:30NDT,M3.2.0,M11.1.0").unwrap();
        assert_eq!(format_in(at, &newfoundland), "2026-11-30 11:35:12 -03:30");
    }

    #[test]
    fn the_offset_follows_daylight_saving_time() {
        let berlin = TimeZone::posix("CET-1CEST,M3.5.0,M10.5.0/3").unwrap();
        assert!(format_in(datetime!(2026-07-01 12:00 UTC), &berlin).ends_with("14:00:00 +02:00"));
        assert!(format_in(datetime!(2026-12-01 12:00 UTC), &berlin).ends_with("13:00:00 +01:00"));
    }
}
