//! `as_of`: a log position (`1234`) or an RFC 3339 time (`2026-11-21T08:00:00Z`).

use std::str::FromStr;

use chrono::{DateTime, Utc};

use caselog_schemas::Position;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AsOf {
    /// Everything up to and including this log position.
    Position(Position),
    /// Everything recorded at or before this time.
    Time(DateTime<Utc>),
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("as_of must be a log position (a positive integer) or an RFC 3339 time")]
pub struct InvalidAsOf;

impl FromStr for AsOf {
    type Err = InvalidAsOf;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let text = text.trim();
        if let Ok(position) = text.parse::<i64>() {
            return (position > 0)
                .then_some(AsOf::Position(Position(position)))
                .ok_or(InvalidAsOf);
        }
        DateTime::parse_from_rfc3339(text)
            .map(|time| AsOf::Time(time.with_timezone(&Utc)))
            .map_err(|_| InvalidAsOf)
    }
}

impl AsOf {
    /// The bounds a log read takes: a position and, for a time, the time.
    pub fn bounds(self) -> (Position, Option<DateTime<Utc>>) {
        match self {
            AsOf::Position(position) => (position, None),
            AsOf::Time(time) => (Position(i64::MAX), Some(time)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn a_position_or_a_time_parses_and_anything_else_does_not() {
        assert_eq!("42".parse(), Ok(AsOf::Position(Position(42))));
        assert_eq!(
            "2026-11-21T09:00:00+01:00".parse(),
            Ok(AsOf::Time(
                Utc.with_ymd_and_hms(2026, 11, 21, 8, 0, 0).unwrap()
            ))
        );
        for bad in ["0", "-3", "yesterday", "2026-11-21", ""] {
            assert_eq!(bad.parse::<AsOf>(), Err(InvalidAsOf), "{bad}");
        }
    }
}
