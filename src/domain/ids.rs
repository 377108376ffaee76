//! Identifier and counter newtypes, so a version is never passed where a position belongs.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::rc::Rc;

// Ids are `Rc<str>`: the engine copies them into every envelope, message and hop, and
// a copy must cost a reference count, not an allocation.

/// Longest identifier accepted from a user (order, customer and product ids).
pub const MAX_ID_LEN: usize = 64;

/// Why a piece of text is not a valid identifier.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdError {
    /// The id was empty or only whitespace.
    #[error("is required")]
    Empty,
    /// The id was longer than [`MAX_ID_LEN`] characters.
    #[error("must be at most {MAX_ID_LEN} characters")]
    TooLong,
    /// A stored id had leading or trailing whitespace.
    #[error("must not start or end with whitespace")]
    PaddedWithSpace,
    /// The id contained a character outside `A–Z a–z 0–9 - _ .`.
    #[error("may contain only letters, digits, '-', '_' and '.' (found {found:?})")]
    BadCharacter {
        /// The first offending character.
        found: char,
    },
}

/// `prefix-n` with a single allocation, the `Rc` itself (generated ids can be made by
/// the hundred thousand). A long prefix takes the slow path.
fn numbered_text(prefix: &str, mut n: u64) -> Rc<str> {
    let mut buf = [0u8; 64];
    let digits_at = prefix.len() + 1;
    if digits_at + 20 > buf.len() {
        return Rc::from(format!("{prefix}-{n}"));
    }
    buf[..prefix.len()].copy_from_slice(prefix.as_bytes());
    buf[prefix.len()] = b'-';
    let mut digits = [0u8; 20];
    let mut start = digits.len();
    loop {
        start -= 1;
        digits[start] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    let end = digits_at + digits.len() - start;
    buf[digits_at..end].copy_from_slice(&digits[start..]);
    // Only ASCII was written after a `&str` prefix, so this never falls back.
    Rc::from(std::str::from_utf8(&buf[..end]).unwrap_or(prefix))
}

/// Equal text, the last byte checked first: ids that differ mostly differ in their
/// trailing number (`p1`, `p2`), and this tells them apart without calling `memcmp`.
#[inline]
pub(crate) fn same_text(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.as_bytes().last() == b.as_bytes().last() && a == b
}

macro_rules! text_id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Eq, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(try_from = "String", into = "String")]
        pub struct $name(Rc<str>);

        /// Copies of one id share their text, so most comparisons end at the pointer
        /// (`Rc` only takes that shortcut for sized types, not `str`).
        impl PartialEq for $name {
            fn eq(&self, other: &Self) -> bool {
                Rc::ptr_eq(&self.0, &other.0) || same_text(&self.0, &other.0)
            }
        }

        /// Hashes the text, as equality compares it.
        impl std::hash::Hash for $name {
            fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
                self.0.hash(state);
            }
        }

        /// Stored and imported ids are checked as strictly as typed ones.
        impl TryFrom<String> for $name {
            type Error = IdError;

            fn try_from(text: String) -> Result<Self, IdError> {
                let id = Self::parse(&text)?;
                if id.0.len() == text.len() {
                    Ok(id)
                } else {
                    Err(IdError::PaddedWithSpace)
                }
            }
        }

        impl From<$name> for String {
            fn from(id: $name) -> String {
                id.0.to_string()
            }
        }

        impl $name {
            /// Validates user text as an id: trimmed, non-empty, short, and URL/key safe.
            pub fn parse(text: &str) -> Result<Self, IdError> {
                let text = text.trim();
                if text.is_empty() {
                    return Err(IdError::Empty);
                }
                if text.chars().count() > MAX_ID_LEN {
                    return Err(IdError::TooLong);
                }
                if let Some(found) = text
                    .chars()
                    .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')))
                {
                    return Err(IdError::BadCharacter { found });
                }
                Ok(Self(Rc::from(text)))
            }

            /// A generated id such as `evt-7`: always valid, as the prefix is a safe literal.
            pub fn numbered(prefix: &'static str, n: u64) -> Self {
                debug_assert!(Self::parse(prefix).is_ok());
                Self(numbered_text(prefix, n))
            }

            /// The id as text.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}

text_id!(
    /// The id of an order: also the id of its event stream and its partition key.
    OrderId
);
text_id!(
    /// The id of a customer.
    CustomerId
);
text_id!(
    /// The id of a product in an order line.
    ProductId
);
text_id!(
    /// A command's id: the idempotency key a retry carries unchanged.
    CommandId
);
text_id!(
    /// Ties together every command and event caused by one user action.
    CorrelationId
);
/// The unique id of one stored event (Service Bus uses it as the message id). The
/// engine names each event after the command that recorded it (`{command}.{index}`,
/// `of_command`); such an id holds the command's id and the number instead of text of
/// its own, so making one (once per event) allocates nothing. An id of that form read
/// from elsewhere is held the same way, so equal text means equal ids; any other id
/// holds its text.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct EventId(EventName);

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum EventName {
    /// `{command}.{index}`, at most `MAX_ID_LEN` long, the index without leading zeros.
    OfCommand(CommandId, u32),
    /// Any other id.
    Text(Rc<str>),
}

macro_rules! counter {
    ($(#[$doc:meta])* $name:ident($inner:ty)) => {
        $(#[$doc])*
        #[derive(
            Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
        )]
        #[serde(transparent)]
        pub struct $name(pub $inner);

        impl $name {
            /// The next value; saturates rather than wrapping.
            #[must_use]
            pub fn next(self) -> Self {
                Self(self.0.saturating_add(1))
            }

            /// True at zero (for serde's `skip_serializing_if`).
            pub fn is_zero(&self) -> bool {
                self.0 == 0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}", self.0)
            }
        }
    };
}

counter!(
    /// Number of events in one stream; the first event of a stream has version 1.
    StreamVersion(u64)
);
counter!(
    /// Position of an event in the whole store (the change feed order); the first is 1.
    GlobalPosition(u64)
);
counter!(
    /// Version of an event's schema (its data shape), e.g. `OrderCreated` v1 or v2.
    SchemaVersion(u16)
);
counter!(
    /// Simulated time in milliseconds since the simulation started; never the wall clock.
    VirtualMillis(u64)
);

impl EventId {
    /// The id of the `index`-th event (from 1) a command produced: `{command}.{index}`.
    /// Unique wherever command ids are (the store records each command once), stable
    /// when a command is retried, and the same in every tab. A command id too long to
    /// take the suffix falls back to a 64-bit FNV-1a hash of it.
    pub fn of_command(command: &CommandId, index: u32) -> Self {
        // A command id is valid and ASCII, so with `.index` it is valid while short enough.
        if command.as_str().len() + 1 + decimal_digits(index) <= MAX_ID_LEN {
            return Self(EventName::OfCommand(command.clone(), index));
        }
        let hash = command
            .as_str()
            .bytes()
            .fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
                (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
            });
        Self::from_valid(Rc::from(format!("cmd{hash:016x}.{index}")))
    }

    /// The `n` of an id `{command}.{n}` of this command, if it is one.
    pub(crate) fn number_of(&self, command: &CommandId) -> Option<u32> {
        match &self.0 {
            EventName::OfCommand(held, n) if held == command => Some(*n),
            _ => None,
        }
    }

    /// The id `{command}.{n}` that `number_of` took apart (so known to be valid).
    pub(crate) fn numbered_of(command: &CommandId, n: u32) -> Self {
        Self(EventName::OfCommand(command.clone(), n))
    }

    /// Validates text as an event id, as other ids are validated.
    pub fn parse(text: &str) -> Result<Self, IdError> {
        CommandId::parse(text).map(|id| Self::from_valid(id.0))
    }

    /// A generated id such as `evt-7`: always valid, as the prefix is a safe literal.
    pub fn numbered(prefix: &'static str, n: u64) -> Self {
        Self::from_valid(CommandId::numbered(prefix, n).0)
    }

    /// A valid id's text, held as a command's id and number when it has that form.
    fn from_valid(text: Rc<str>) -> Self {
        // `{command}.{index}`: digits after the last dot, no leading zero, within u32.
        let bytes = text.as_bytes();
        let digits = bytes
            .iter()
            .rev()
            .take_while(|b| b.is_ascii_digit())
            .count();
        let dot = bytes.len().checked_sub(digits + 1).filter(|&dot| {
            dot > 0
                && (1..=10).contains(&digits)
                && bytes.get(dot) == Some(&b'.')
                && (digits == 1 || bytes.get(dot + 1) != Some(&b'0'))
        });
        let of_command = dot.and_then(|dot| {
            let index = bytes.get(dot + 1..)?.iter().try_fold(0u32, |n, b| {
                n.checked_mul(10)?.checked_add(u32::from(b - b'0'))
            })?;
            Some((CommandId::parse(text.get(..dot)?).ok()?, index))
        });
        match of_command {
            Some((command, index)) => Self(EventName::OfCommand(command, index)),
            None => Self(EventName::Text(text)),
        }
    }
}

/// How many decimal digits a number takes.
fn decimal_digits(n: u32) -> usize {
    n.checked_ilog10().map_or(1, |log| log as usize + 1)
}

/// Stored and imported ids are checked as strictly as typed ones.
impl TryFrom<String> for EventId {
    type Error = IdError;

    fn try_from(text: String) -> Result<Self, IdError> {
        CommandId::try_from(text).map(|id| Self::from_valid(id.0))
    }
}

impl From<EventId> for String {
    fn from(id: EventId) -> String {
        id.to_string()
    }
}

impl fmt::Display for EventId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.0 {
            EventName::OfCommand(command, index) => write!(f, "{command}.{index}"),
            EventName::Text(text) => f.write_str(text),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_event_id_derives_from_its_command() {
        let command = CommandId::parse("cmd-7").expect("valid");
        assert_eq!(EventId::of_command(&command, 2).to_string(), "cmd-7.2");
        let long = CommandId::parse(&"c".repeat(MAX_ID_LEN)).expect("valid");
        let id = EventId::of_command(&long, 10);
        assert_eq!(EventId::parse(&id.to_string()), Ok(id.clone()));
        assert_ne!(id, EventId::of_command(&long, 11));
        // Right at the limit the suffix is kept; one character past it, the hash.
        let edge = CommandId::parse(&"e".repeat(MAX_ID_LEN - 2)).expect("valid");
        let kept = EventId::of_command(&edge, 9);
        assert_eq!(kept.to_string(), format!("{edge}.9"));
        let hashed = EventId::of_command(&edge, 10);
        assert!(hashed.to_string().starts_with("cmd"), "{hashed}");
        assert!(hashed.to_string().len() <= MAX_ID_LEN, "{hashed}");
        assert_eq!(EventId::parse(&hashed.to_string()), Ok(hashed.clone()));
    }

    /// The id's parts when it is held as a command's id and a number.
    fn command_and_index(id: &EventId) -> Option<(&CommandId, u32)> {
        match &id.0 {
            EventName::OfCommand(command, index) => Some((command, *index)),
            EventName::Text(_) => None,
        }
    }

    fn hash_of(id: &EventId) -> u64 {
        std::hash::BuildHasher::hash_one(&rustc_hash::FxBuildHasher, id)
    }

    #[test]
    fn an_event_id_read_as_text_equals_the_one_its_command_makes() {
        let command = CommandId::parse("c.5").expect("valid");
        for (text, index) in [("c.5.0", 0), ("c.5.3", 3), ("c.5.4294967295", u32::MAX)] {
            let made = EventId::of_command(&command, index);
            let read = EventId::parse(text).expect("valid");
            assert_eq!(read, made, "{text}");
            assert_eq!(hash_of(&read), hash_of(&made), "{text}");
            assert_eq!(command_and_index(&read), Some((&command, index)));
            assert_eq!(read.to_string(), text);
            let json = serde_json::to_string(&read).expect("serializes");
            assert_eq!(json, format!("\"{text}\""));
            assert_eq!(serde_json::from_str::<EventId>(&json).ok(), Some(made));
        }
        // Text not of that exact form keeps its text (and so never equals one that is).
        for text in ["c.05", "c.", ".5", "c.4294967296", "c-5", "evt-7", "a..1x"] {
            let read = EventId::parse(text).expect("valid");
            assert_eq!(command_and_index(&read), None, "{text}");
            assert_eq!(read.to_string(), text);
        }
        assert_ne!(EventId::parse("c.05"), EventId::parse("c.5"));
        assert!(EventId::parse(" c.5").is_ok_and(|id| id.to_string() == "c.5"));
        assert!(
            serde_json::from_str::<EventId>("\" c.5\"").is_err(),
            "padded"
        );
        assert!(
            serde_json::from_str::<EventId>("\"c 5\"").is_err(),
            "bad character"
        );
    }

    #[test]
    fn numbered_ids_read_prefix_dash_number() {
        assert_eq!(EventId::numbered("evt", 0).to_string(), "evt-0");
        assert_eq!(EventId::numbered("evt", 7).to_string(), "evt-7");
        assert_eq!(
            CommandId::numbered("cmd", u64::MAX).as_str(),
            format!("cmd-{}", u64::MAX)
        );
        let long = "a-prefix-long-enough-to-leave-no-room-for-twenty-digits";
        assert_eq!(
            CorrelationId::numbered(long, 42).as_str(),
            format!("{long}-42")
        );
    }

    #[test]
    fn an_id_is_trimmed() {
        assert_eq!(
            OrderId::parse("  order-1 ").map(|id| id.0),
            Ok("order-1".into())
        );
    }

    #[test]
    fn an_empty_id_is_refused() {
        assert_eq!(OrderId::parse("   "), Err(IdError::Empty));
    }

    #[test]
    fn markup_in_an_id_is_refused() {
        assert_eq!(
            CustomerId::parse("<b>"),
            Err(IdError::BadCharacter { found: '<' })
        );
    }

    #[test]
    fn a_long_id_is_refused() {
        assert_eq!(ProductId::parse(&"p".repeat(65)), Err(IdError::TooLong));
        assert!(ProductId::parse(&"p".repeat(64)).is_ok());
    }

    #[test]
    fn counters_saturate_instead_of_wrapping() {
        assert_eq!(StreamVersion(u64::MAX).next(), StreamVersion(u64::MAX));
        assert_eq!(GlobalPosition(1).next(), GlobalPosition(2));
    }
}
