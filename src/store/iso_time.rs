//! ISO-8601 UTC times: virtual milliseconds written as a date and time after the Unix
//! epoch (for Cosmos DB documents), and read back from text with every step checked.

use crate::domain::ids::VirtualMillis;

/// Virtual milliseconds as an ISO-8601 UTC time after the Unix epoch.
pub(crate) fn iso_time(t: VirtualMillis) -> String {
    let ms = t.0 % 1000;
    let seconds = t.0 / 1000;
    let (days, rest) = (seconds / 86_400, seconds % 86_400);
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}.{ms:03}Z",
        rest / 3600,
        rest / 60 % 60,
        rest % 60
    )
}

/// Days since 1970-01-01 to (year, month, day): Howard Hinnant's `civil_from_days`.
fn civil_from_days(days: u64) -> (u64, u64, u64) {
    let z = days + 719_468;
    let era = z / 146_097;
    let doe = z % 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + u64::from(m <= 2);
    (y, m, d)
}

/// The latest time an imported event may carry: the last millisecond of year 9999
/// (times are milliseconds since 1970-01-01, the earliest an import may carry).
pub const LATEST_TIME: VirtualMillis = VirtualMillis(253_402_300_799_999);

/// `YYYY-MM-DDTHH:MM:SS[.fff…]Z` (or `+00:00`) as milliseconds since the Unix epoch,
/// for years 1970 to 9999; anything else (a sign, a missing digit, 30 February) is
/// `None`. Every step is checked arithmetic: no text makes it overflow.
pub fn parse_iso_time(text: &str) -> Option<VirtualMillis> {
    let text = text
        .strip_suffix('Z')
        .or_else(|| text.strip_suffix("+00:00"))?;
    let (date, time) = text.split_once('T')?;
    let mut date = date.split('-');
    let (y, m, d) = (
        digits(date.next()?, 4)?,
        digits(date.next()?, 2)?,
        digits(date.next()?, 2)?,
    );
    if date.next().is_some() || !(1..=12).contains(&m) || !(1..=31).contains(&d) {
        return None;
    }
    if !(1970..=9999).contains(&y) {
        return None;
    }
    let (clock, fraction) = match time.split_once('.') {
        Some((clock, fraction)) if !fraction.is_empty() => (clock, fraction),
        Some(_) => return None,
        None => (time, ""),
    };
    let mut clock = clock.split(':');
    let (hh, mm, ss) = (
        digits(clock.next()?, 2)?,
        digits(clock.next()?, 2)?,
        digits(clock.next()?, 2)?,
    );
    if clock.next().is_some() || hh > 23 || mm > 59 || ss > 60 {
        return None;
    }
    if !fraction.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    // Milliseconds: the first three digits (padded), the rest dropped.
    let ms = fraction
        .bytes()
        .chain(*b"000")
        .take(3)
        .fold(0u64, |ms, b| ms * 10 + u64::from(b - b'0'));
    let days = days_from_civil(y, m, d)?;
    if civil_from_days(days) != (y, m, d) {
        return None; // no such day (30 February)
    }
    let seconds = days
        .checked_mul(86_400)?
        .checked_add(hh * 3600 + mm * 60 + ss)?;
    let t = VirtualMillis(seconds.checked_mul(1000)?.checked_add(ms)?);
    (t <= LATEST_TIME).then_some(t)
}

/// A field of exactly `width` ASCII digits (no sign, no space) as a number.
fn digits(text: &str, width: usize) -> Option<u64> {
    if text.len() != width || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

/// Days since 1970-01-01 of a date from 1970 on: Howard Hinnant's `days_from_civil`
/// (`None` before 1970 or if the year is too large to count in days).
fn days_from_civil(y: u64, m: u64, d: u64) -> Option<u64> {
    let y = if m <= 2 { y.checked_sub(1)? } else { y };
    let era = y / 400;
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era.checked_mul(146_097)?
        .checked_add(doe)?
        .checked_sub(719_468)
}
