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

/// An ISO 4217 currency code such as `USD` (three capital letters), held in place (no
/// text on the heap: every order-created event may carry one).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Currency([u8; 3]);

/// Why text is not a currency code.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("must be a three-letter currency code such as USD")]
pub struct CurrencyError;

impl Currency {
    /// Validates a currency code.
    pub fn parse(text: &str) -> Result<Self, CurrencyError> {
        match text.trim().as_bytes() {
            &[a, b, c] if [a, b, c].iter().all(u8::is_ascii_uppercase) => Ok(Currency([a, b, c])),
            _ => Err(CurrencyError),
        }
    }

    /// US dollars: what every v1 order was in (amounts in this lab show as `$`).
    pub fn usd() -> Self {
        Currency(*b"USD")
    }

    /// The code.
    pub fn as_str(&self) -> &str {
        // Three ASCII capitals (checked when made), so always valid UTF-8.
        std::str::from_utf8(&self.0).unwrap_or_default()
    }
}

/// Hashes the code's text, as the `String` it once was did.
impl std::hash::Hash for Currency {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.as_str().hash(state);
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
        currency.as_str().to_owned()
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
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
    fn a_currency_is_three_capital_letters() {
        let eur = Currency::parse(" EUR ").expect("valid");
        assert_eq!((eur.as_str(), eur.to_string()), ("EUR", "EUR".to_owned()));
        assert_eq!(Currency::usd().as_str(), "USD");
        for bad in ["", "EU", "EURO", "eur", "E1R", "ÉUR", "€"] {
            assert_eq!(Currency::parse(bad), Err(CurrencyError), "{bad:?}");
        }
        let json = serde_json::to_string(&eur).expect("serializes");
        assert_eq!(json, "\"EUR\"");
        assert_eq!(
            serde_json::from_str::<Currency>(&json).ok(),
            Some(eur.clone())
        );
        assert!(serde_json::from_str::<Currency>("\"eur\"").is_err());
        assert!(Currency::usd() > eur, "ordered as text");
        let hash = |h: &dyn Fn(&mut rustc_hash::FxHasher)| {
            let mut hasher = rustc_hash::FxHasher::default();
            h(&mut hasher);
            std::hash::Hasher::finish(&hasher)
        };
        use std::hash::Hash;
        assert_eq!(
            hash(&|s| eur.hash(s)),
            hash(&|s| "EUR".hash(s)),
            "hashed as text"
        );
    }

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
