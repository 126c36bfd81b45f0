//! Calendar dates (`expires = "YYYY-MM-DD"`, end-of-life days): parsing, comparison and today's date.
//!
//! Dates are proleptic Gregorian and "today" is the current UTC day, computed from
//! [`SystemTime`] with a days-to-civil conversion, so no date crate is needed. The sink takes
//! "today" as a parameter so tests can pin it.

use std::fmt;
use std::str::FromStr;
use std::time::{SystemTime, UNIX_EPOCH};

/// A calendar day. Orders chronologically.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    // Field order matters: the derived `Ord` compares year, then month, then day.
    year: i32,
    month: u8,
    day: u8,
}

/// Why a text is not a date.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DateError {
    /// Not of the form `YYYY-MM-DD`.
    Format,
    /// The month is not 1 to 12.
    Month {
        /// The month as written.
        month: u32,
    },
    /// The day does not exist in that month.
    Day {
        /// The year as written.
        year: i32,
        /// The month as written.
        month: u8,
        /// The day as written.
        day: u32,
    },
}

impl fmt::Display for DateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DateError::Format => f.write_str("expected a date written as YYYY-MM-DD, e.g. 2027-03-31"),
            DateError::Month { month } => write!(f, "there is no month {month}"),
            DateError::Day { year, month, day } => write!(f, "{year:04}-{month:02} has no day {day}"),
        }
    }
}

impl std::error::Error for DateError {}

impl Date {
    /// The date `year-month-day`, or `None` if that day does not exist.
    pub fn new(year: i32, month: u8, day: u8) -> Option<Date> {
        ((1..=12).contains(&month) && day >= 1 && day <= days_in_month(year, month)).then_some(Date {
            year,
            month,
            day,
        })
    }

    /// Parses exactly `YYYY-MM-DD` (four-digit year, two-digit month and day).
    pub fn parse(text: &str) -> Result<Date, DateError> {
        let bytes = text.as_bytes();
        let shape_ok = bytes.len() == 10
            && bytes[4] == b'-'
            && bytes[7] == b'-'
            && bytes.iter().enumerate().all(|(i, b)| i == 4 || i == 7 || b.is_ascii_digit());
        if !shape_ok {
            return Err(DateError::Format);
        }
        let number = |range: std::ops::Range<usize>| {
            bytes[range].iter().fold(0u32, |acc, b| acc * 10 + u32::from(b - b'0'))
        };
        let (year, month, day) = (number(0..4), number(5..7), number(8..10));
        // Four digits always fit an i32; two digits always fit a u8.
        let year = i32::try_from(year).map_err(|_| DateError::Format)?;
        let month = u8::try_from(month).map_err(|_| DateError::Format)?;
        if !(1..=12).contains(&month) {
            return Err(DateError::Month { month: u32::from(month) });
        }
        let day_u8 = u8::try_from(day).map_err(|_| DateError::Format)?;
        Date::new(year, month, day_u8).ok_or(DateError::Day { year, month, day })
    }

    /// Today's date in UTC, from the system clock.
    pub fn today() -> Date {
        let days = match SystemTime::now().duration_since(UNIX_EPOCH) {
            Ok(since) => i64::try_from(since.as_secs() / 86_400).unwrap_or(i64::MAX / 2),
            // A clock before 1970: count backwards, rounding towards the earlier day.
            Err(before) => {
                -i64::try_from(before.duration().as_secs().div_ceil(86_400)).unwrap_or(i64::MAX / 2)
            }
        };
        Date::from_unix_days(days)
    }

    /// The date `days` days after 1970-01-01 (negative: before).
    pub fn from_unix_days(days: i64) -> Date {
        // Shift the epoch to 0000-03-01 so that leap days fall at the end of each year, then
        // split into 400-year eras (146 097 days each), years of the era and days of the year.
        let z = days.saturating_add(719_468);
        let era = z.div_euclid(146_097);
        let day_of_era = z.rem_euclid(146_097); // 0..=146_096
        let year_of_era =
            (day_of_era - day_of_era / 1_460 + day_of_era / 36_524 - day_of_era / 146_096) / 365; // 0..=399
        let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100); // 0..=365
        let shifted_month = (5 * day_of_year + 2) / 153; // 0..=11, March = 0
        let day = day_of_year - (153 * shifted_month + 2) / 5 + 1; // 1..=31
        let month = if shifted_month < 10 { shifted_month + 3 } else { shifted_month - 9 };
        let year = year_of_era + era * 400 + i64::from(month <= 2);
        Date {
            year: i32::try_from(year).unwrap_or(if year < 0 { i32::MIN } else { i32::MAX }),
            month: u8::try_from(month).unwrap_or(1),
            day: u8::try_from(day).unwrap_or(1),
        }
    }

    /// Days since 1970-01-01 (the inverse of [`Date::from_unix_days`]).
    pub fn to_unix_days(self) -> i64 {
        let month = i64::from(self.month);
        let year = i64::from(self.year) - i64::from(month <= 2);
        let era = year.div_euclid(400);
        let year_of_era = year.rem_euclid(400);
        let shifted_month = if month > 2 { month - 3 } else { month + 9 };
        let day_of_year = (153 * shifted_month + 2) / 5 + i64::from(self.day) - 1;
        let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
        era * 146_097 + day_of_era - 719_468
    }

    /// The year.
    pub const fn year(self) -> i32 {
        self.year
    }

    /// The month, 1 to 12.
    pub const fn month(self) -> u8 {
        self.month
    }

    /// The day of the month, 1 to 31.
    pub const fn day(self) -> u8 {
        self.day
    }
}

const fn is_leap(year: i32) -> bool {
    year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
}

const fn days_in_month(year: i32, month: u8) -> u8 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

impl FromStr for Date {
    type Err = DateError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Date::parse(s)
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(text: &str) -> Date {
        Date::parse(text).unwrap()
    }

    #[test]
    fn parses_and_displays_iso_dates() {
        let d = date("2027-03-31");
        assert_eq!((d.year(), d.month(), d.day()), (2027, 3, 31));
        assert_eq!(d.to_string(), "2027-03-31");
        assert_eq!("2024-02-29".parse::<Date>().map(|d| d.day()), Ok(29));
    }

    #[test]
    fn rejects_malformed_and_impossible_dates() {
        assert_eq!(Date::parse("2027-3-31"), Err(DateError::Format));
        assert_eq!(Date::parse("2027/03/31"), Err(DateError::Format));
        assert_eq!(Date::parse("31-03-2027"), Err(DateError::Format));
        assert_eq!(Date::parse(" 2027-03-31"), Err(DateError::Format));
        assert_eq!(Date::parse("2027-03-31T00:00:00"), Err(DateError::Format));
        assert_eq!(Date::parse("2027-13-01"), Err(DateError::Month { month: 13 }));
        assert_eq!(Date::parse("2025-02-29"), Err(DateError::Day { year: 2025, month: 2, day: 29 }));
        assert_eq!(
            Date::parse("1900-02-29").map(|_| ()),
            Err(DateError::Day { year: 1900, month: 2, day: 29 })
        );
        assert!(Date::parse("2000-02-29").is_ok());
        assert_eq!(Date::parse("2027-04-31").unwrap_err().to_string(), "2027-04 has no day 31");
    }

    #[test]
    fn orders_chronologically() {
        assert!(date("2026-12-31") < date("2027-01-01"));
        assert!(date("2027-01-31") < date("2027-02-01"));
        assert!(date("2027-02-01") < date("2027-02-02"));
        assert_eq!(date("2027-02-02"), date("2027-02-02"));
    }

    #[test]
    fn converts_unix_days_both_ways() {
        assert_eq!(Date::from_unix_days(0), date("1970-01-01"));
        assert_eq!(Date::from_unix_days(-1), date("1969-12-31"));
        assert_eq!(Date::from_unix_days(11_016), date("2000-02-29"));
        assert_eq!(Date::from_unix_days(19_723), date("2024-01-01"));
        assert_eq!(date("2038-01-19").to_unix_days(), 24_855);
        // Every day for ±400 years round-trips and advances by exactly one day.
        let mut previous = Date::from_unix_days(-146_097 - 1);
        for days in -146_097..146_097 {
            let d = Date::from_unix_days(days);
            assert_eq!(d.to_unix_days(), days);
            assert!(previous < d);
            assert!(Date::new(d.year(), d.month(), d.day()).is_some());
            previous = d;
        }
    }

    #[test]
    fn today_is_plausible() {
        let today = Date::today();
        assert!(today > date("2024-01-01") && today < date("2200-01-01"), "{today}");
    }
}
