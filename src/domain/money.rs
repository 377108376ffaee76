//! Exact money: integer cents, parsed from and shown as decimal text. Never a float.

use serde::{Deserialize, Serialize};
use std::fmt;

/// An amount of money in cents. Negative values exist only so bad input can be named.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(transparent)]
pub struct Cents(pub i64);

/// Why text is not an amount of money.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MoneyError {
    /// Nothing was entered.
    #[error("is required")]
    Empty,
    /// The text is not a decimal amount such as `12.50`.
    #[error("must be an amount such as 12.50")]
    NotAnAmount,
    /// More than two digits after the decimal point.
    #[error("can have at most two digits after the decimal point")]
    TooPrecise,
    /// More than a trillion: no order in this lab is that large.
    #[error("is too large")]
    TooLarge,
}

/// An ISO 4217 currency code such as `USD` (three capital letters).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Currency(String);

/// Why text is not a currency code.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("must be a three-letter currency code such as USD")]
pub struct CurrencyError;

impl Currency {
    /// Validates a currency code.
    pub fn parse(text: &str) -> Result<Self, CurrencyError> {
        let text = text.trim();
        if text.len() == 3 && text.bytes().all(|b| b.is_ascii_uppercase()) {
            Ok(Currency(text.to_owned()))
        } else {
            Err(CurrencyError)
        }
    }

    /// US dollars: what every v1 order was in (amounts in this lab show as `$`).
    pub fn usd() -> Self {
        Currency("USD".to_owned())
    }

    /// The code.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for Currency {
    type Error = CurrencyError;

    fn try_from(text: String) -> Result<Self, CurrencyError> {
        Currency::parse(&text)
    }
}

impl From<Currency> for String {
    fn from(currency: Currency) -> String {
        currency.0
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl Cents {
    /// Zero.
    pub const ZERO: Cents = Cents(0);

    /// Parses `12`, `12.5`, `12.50`, `$12.50` or `-3.00` into cents, exactly.
    pub fn parse(text: &str) -> Result<Cents, MoneyError> {
        let text = text.trim();
        if text.is_empty() {
            return Err(MoneyError::Empty);
        }
        let (negative, text) = match text.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, text),
        };
        let text = text.strip_prefix('$').unwrap_or(text);
        let (whole, fraction) = text.split_once('.').unwrap_or((text, ""));
        let all_digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
        if whole.is_empty() && fraction.is_empty()
            || !all_digits(whole)
            || !all_digits(fraction)
            || text.ends_with('.')
        {
            return Err(MoneyError::NotAnAmount);
        }
        if fraction.len() > 2 {
            return Err(MoneyError::TooPrecise);
        }
        if whole.len() > 12 {
            return Err(MoneyError::TooLarge);
        }
        let whole: i64 = if whole.is_empty() {
            0
        } else {
            whole.parse().map_err(|_| MoneyError::NotAnAmount)?
        };
        let fraction: i64 = match fraction.len() {
            0 => 0,
            1 => {
                fraction
                    .parse::<i64>()
                    .map_err(|_| MoneyError::NotAnAmount)?
                    * 10
            }
            _ => fraction.parse().map_err(|_| MoneyError::NotAnAmount)?,
        };
        let cents = whole * 100 + fraction;
        Ok(Cents(if negative { -cents } else { cents }))
    }

    /// Sum that refuses to overflow.
    pub fn checked_add(self, other: Cents) -> Option<Cents> {
        self.0.checked_add(other.0).map(Cents)
    }

    /// This amount times a quantity, refusing to overflow.
    pub fn checked_times(self, quantity: u32) -> Option<Cents> {
        self.0.checked_mul(i64::from(quantity)).map(Cents)
    }
}

impl fmt::Display for Cents {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.0 < 0 { "-" } else { "" };
        let abs = self.0.unsigned_abs();
        write!(f, "{sign}${}.{:02}", abs / 100, abs % 100)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimal_text_parses_exactly() {
        assert_eq!(Cents::parse("12.50"), Ok(Cents(1250)));
        assert_eq!(Cents::parse("12.5"), Ok(Cents(1250)));
        assert_eq!(Cents::parse("12"), Ok(Cents(1200)));
        assert_eq!(Cents::parse("$0.07"), Ok(Cents(7)));
        assert_eq!(Cents::parse(".99"), Ok(Cents(99)));
        assert_eq!(Cents::parse("-3.00"), Ok(Cents(-300)));
    }

    #[test]
    fn bad_amounts_say_why() {
        assert_eq!(Cents::parse(" "), Err(MoneyError::Empty));
        assert_eq!(Cents::parse("abc"), Err(MoneyError::NotAnAmount));
        assert_eq!(Cents::parse("1.2.3"), Err(MoneyError::NotAnAmount));
        assert_eq!(Cents::parse("12."), Err(MoneyError::NotAnAmount));
        assert_eq!(Cents::parse("."), Err(MoneyError::NotAnAmount));
        assert_eq!(Cents::parse("1e3"), Err(MoneyError::NotAnAmount));
        assert_eq!(Cents::parse("0.001"), Err(MoneyError::TooPrecise));
        assert_eq!(Cents::parse("9999999999999"), Err(MoneyError::TooLarge));
    }

    #[test]
    fn amounts_display_with_two_decimals() {
        assert_eq!(Cents(1250).to_string(), "$12.50");
        assert_eq!(Cents(7).to_string(), "$0.07");
        assert_eq!(Cents(-300).to_string(), "-$3.00");
    }
}
