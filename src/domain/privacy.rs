//! Personal data in an immutable log, and how to forget it: crypto-shredding.
//!
//! A customer's name and address are never written to the event log in plaintext. They
//! are sealed (ChaCha20-Poly1305, an authenticated cipher) with a key of that customer's
//! own, and the key is kept in a `KeyVault` apart from the events. To forget a customer,
//! delete the key: every copy of their data — in the log, in read models, in exports and
//! backups — can no longer be read, while the events themselves, and so the audit trail
//! (who ordered what, when), stay exactly as they were.
//!
//! Keys are drawn from a seeded generator, so the core stays deterministic; the browser
//! seeds it from the platform's random source. (A simulator's vault: a real one is a
//! separate service such as Azure Key Vault.)

use super::ids::CustomerId;
use chacha20::rand_core::{Rng, SeedableRng};
use chacha20::ChaCha8Rng;
use chacha20poly1305::aead::{Aead, KeyInit};
use chacha20poly1305::{ChaCha20Poly1305, Key, Nonce};
use serde::{Deserialize, Serialize};
use std::collections::btree_map::Entry;
use std::collections::BTreeMap;
use std::fmt::Write;

/// Longest name or address, in characters.
pub const MAX_PERSONAL_LEN: usize = 200;
/// Hex characters of a nonce (12 bytes).
const NONCE_HEX: usize = 24;
/// Most hex characters a sealed value may hold (its plaintext is bounded).
const MAX_CIPHERTEXT_HEX: usize = 4 * 2 * (2 * MAX_PERSONAL_LEN * 4 + 64);

/// A customer's personal data, in plaintext (only ever in memory).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Personal {
    /// Full name.
    pub name: String,
    /// Postal address (may be empty).
    pub address: String,
}

/// Why personal data or a sealed value was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PrivacyError {
    /// A blank name.
    #[error("the customer name is required when an address is given")]
    NameRequired,
    /// Too long.
    #[error("{field} must be at most {MAX_PERSONAL_LEN} characters")]
    TooLong {
        /// Which field.
        field: &'static str,
    },
    /// A control character.
    #[error("{field} must not contain control characters")]
    ControlCharacter {
        /// Which field.
        field: &'static str,
    },
    /// A nonce or ciphertext that is not what sealing writes.
    #[error("personal.{field} is not valid sealed data ({why})")]
    BadSealed {
        /// Which field.
        field: &'static str,
        /// What is wrong.
        why: &'static str,
    },
    /// The customer was forgotten: no new personal data is taken for them.
    #[error("customer {0} was forgotten; their personal data is no longer taken")]
    Forgotten(CustomerId),
    /// A vault file that does not read.
    #[error("the key vault could not be read: {0}")]
    BadVault(String),
}

impl Personal {
    /// Checks form input: trimmed; `None` when both are blank.
    pub fn parse(name: &str, address: &str) -> Result<Option<Personal>, PrivacyError> {
        let (name, address) = (name.trim(), address.trim());
        for (field, text) in [("the customer name", name), ("the address", address)] {
            if text.chars().count() > MAX_PERSONAL_LEN {
                return Err(PrivacyError::TooLong { field });
            }
            if text.chars().any(char::is_control) {
                return Err(PrivacyError::ControlCharacter { field });
            }
        }
        match (name.is_empty(), address.is_empty()) {
            (true, true) => Ok(None),
            (true, false) => Err(PrivacyError::NameRequired),
            _ => Ok(Some(Personal {
                name: name.to_owned(),
                address: address.to_owned(),
            })),
        }
    }
}

/// Personal data as the log stores it: sealed with the key of `key_id`. Written as one
/// string, `keyId:nonce:ciphertext` (ids never hold a colon), checked when read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Sealed {
    /// Whose key seals it (the customer).
    pub key_id: CustomerId,
    /// The nonce, 24 hex digits.
    pub nonce: String,
    /// The ciphertext with its authentication tag, in hex.
    pub ciphertext: String,
}

impl From<Sealed> for String {
    fn from(s: Sealed) -> String {
        s.to_string()
    }
}

impl std::fmt::Display for Sealed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}:{}", self.key_id, self.nonce, self.ciphertext)
    }
}

impl TryFrom<String> for Sealed {
    type Error = PrivacyError;

    fn try_from(text: String) -> Result<Self, PrivacyError> {
        Sealed::parse(&text)
    }
}

impl Sealed {
    /// Reads `keyId:nonce:ciphertext`, checking each part.
    pub fn parse(text: &str) -> Result<Sealed, PrivacyError> {
        let bad = |field, why| PrivacyError::BadSealed { field, why };
        let mut parts = text.split(':');
        let (Some(key), Some(nonce), Some(ciphertext), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(bad("personal", "keyId:nonce:ciphertext expected"));
        };
        let key_id = CustomerId::parse(key).map_err(|_| bad("keyId", "not a customer id"))?;
        if nonce.len() != NONCE_HEX || unhex(nonce).is_none() {
            return Err(bad("nonce", "24 hex digits expected"));
        }
        if ciphertext.len() < 32 || ciphertext.len() > MAX_CIPHERTEXT_HEX {
            return Err(bad("ciphertext", "wrong length"));
        }
        if unhex(ciphertext).is_none() {
            return Err(bad("ciphertext", "hex digits expected"));
        }
        Ok(Sealed {
            key_id,
            nonce: nonce.to_owned(),
            ciphertext: ciphertext.to_owned(),
        })
    }
}

/// What opening sealed data gives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Opened {
    /// The data.
    Plain(Personal),
    /// No key: it was deleted (the data is gone for good) or was never held here.
    Erased,
    /// The key is there but the data does not open (altered, or sealed elsewhere).
    Unreadable,
}

impl Opened {
    /// The name as a view shows it.
    pub fn name(&self) -> String {
        match self {
            Opened::Plain(p) => p.name.clone(),
            Opened::Erased => "[erased]".into(),
            Opened::Unreadable => "[unreadable]".into(),
        }
    }

    /// Name and address as a view shows them.
    pub fn describe(&self) -> String {
        match self {
            Opened::Plain(p) if p.address.is_empty() => p.name.clone(),
            Opened::Plain(p) => format!("{}, {}", p.name, p.address),
            other => other.name(),
        }
    }
}

fn hex(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        let _ = write!(out, "{b:02x}");
    }
    out
}

fn unhex(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) {
        return None;
    }
    (0..text.len())
        .step_by(2)
        .map(|i| {
            text.get(i..i + 2)
                .and_then(|pair| u8::from_str_radix(pair, 16).ok())
        })
        .collect()
}

/// A customer's key: 32 bytes for ChaCha20-Poly1305.
type CustomerKey = [u8; 32];

/// The keys of each customer, kept apart from the event log.
#[derive(Debug)]
pub struct KeyVault {
    /// Each customer's keys (`None` once the customer was forgotten: keys deleted).
    /// Usually one; two tabs that each made a first key for the same customer before
    /// reading each other's copy both keep both, so neither tab's data is lost. The
    /// first seals; any of them opens (the cipher's tag tells which one fits).
    keys: BTreeMap<CustomerId, Option<Vec<CustomerKey>>>,
    rng: ChaCha8Rng,
    next_nonce: u64,
    changes: u64,
}

/// The first line of a vault's text, before its nonce counter.
const VAULT_HEADER: &str = "cqrs-lab vault 1 ";

impl Clone for KeyVault {
    fn clone(&self) -> Self {
        KeyVault {
            keys: self.keys.clone(),
            rng: ChaCha8Rng::deserialize_state(&self.rng.serialize_state()),
            next_nonce: self.next_nonce,
            changes: self.changes,
        }
    }
}

impl Default for KeyVault {
    fn default() -> Self {
        KeyVault::new(0)
    }
}

impl KeyVault {
    /// An empty vault whose keys are drawn from `seed`.
    pub fn new(seed: u64) -> Self {
        KeyVault {
            keys: BTreeMap::new(),
            rng: ChaCha8Rng::seed_from_u64(seed ^ 0x6b65_795f_7661_756c),
            next_nonce: 1,
            changes: 0,
        }
    }

    /// A vault read back from its text (`to_text`); new keys are drawn from `seed`.
    pub fn restore(text: &str, seed: u64) -> Result<Self, PrivacyError> {
        let mut vault = KeyVault::new(seed);
        vault.merge(text)?;
        vault.changes = 0;
        Ok(vault)
    }

    /// The vault as it is stored, apart from the events: a header with the nonce
    /// counter (never reused, so it is stored with the keys), then one line per key,
    /// `key <customer> <64 hex digits>`, or per forgotten customer, `forgotten <customer>`.
    pub fn to_text(&self) -> String {
        let mut out = format!("{VAULT_HEADER}{}\n", self.next_nonce);
        for (customer, keys) in &self.keys {
            match keys {
                Some(keys) => {
                    for key in keys {
                        let _ = writeln!(out, "key {customer} {}", hex(key));
                    }
                }
                None => {
                    let _ = writeln!(out, "forgotten {customer}");
                }
            }
        }
        out
    }

    /// Takes in another copy of the vault, as text (another tab's, or the stored one):
    /// keys it has that this one lacks, and every customer it forgot. A text that does
    /// not read changes nothing; the error names its first bad line.
    pub fn merge(&mut self, text: &str) -> Result<(), PrivacyError> {
        let mut lines = text.lines();
        let bad = |n: usize| PrivacyError::BadVault(format!("line {n}"));
        let next_nonce: u64 = lines
            .next()
            .and_then(|h| h.strip_prefix(VAULT_HEADER))
            .and_then(|n| n.parse().ok())
            .ok_or_else(|| bad(1))?;
        let mut read = Vec::new();
        for (i, line) in lines.enumerate() {
            let customer = |w: &str| CustomerId::parse(w).map_err(|_| bad(i + 2));
            match line.split(' ').collect::<Vec<_>>()[..] {
                ["key", c, key] => {
                    let key = unhex(key)
                        .and_then(|b| CustomerKey::try_from(b).ok())
                        .ok_or_else(|| bad(i + 2))?;
                    read.push((customer(c)?, Some(key)));
                }
                ["forgotten", c] => read.push((customer(c)?, None)),
                [""] => {}
                _ => return Err(bad(i + 2)),
            }
        }
        for (customer, key) in read {
            match key {
                None => {
                    self.forget(&customer);
                }
                Some(key) => match self.keys.entry(customer) {
                    Entry::Vacant(slot) => {
                        slot.insert(Some(vec![key]));
                        self.changes += 1;
                    }
                    Entry::Occupied(mut slot) => {
                        if let Some(keys) = slot.get_mut() {
                            if !keys.contains(&key) {
                                keys.push(key);
                                self.changes += 1;
                            }
                        }
                    }
                },
            }
        }
        self.next_nonce = self.next_nonce.max(next_nonce);
        Ok(())
    }

    /// Counts changes (a new key, a forgotten customer), so a page knows to store it.
    pub fn changes(&self) -> u64 {
        self.changes
    }

    /// Seals a customer's data with their key (made on first use).
    pub fn seal(
        &mut self,
        customer: &CustomerId,
        personal: &Personal,
    ) -> Result<Sealed, PrivacyError> {
        let key = match self.keys.get(customer) {
            Some(Some(keys)) if !keys.is_empty() => keys[0],
            Some(Some(_)) | None => {
                let mut key = [0u8; 32];
                self.rng.fill_bytes(&mut key);
                self.keys.insert(customer.clone(), Some(vec![key]));
                self.changes += 1;
                key
            }
            Some(None) => return Err(PrivacyError::Forgotten(customer.clone())),
        };
        // Four random bytes, then a counter stored with the keys: unique per key even
        // when two tabs seal with the same key at once.
        // A counter at its end would repeat a nonce: refused, never wrapped.
        let after = self.next_nonce.checked_add(1).ok_or_else(|| {
            PrivacyError::BadVault("its nonce counter is used up: no key can seal again".into())
        })?;
        let mut nonce = [0u8; 12];
        self.rng.fill_bytes(&mut nonce[..4]);
        nonce[4..].copy_from_slice(&self.next_nonce.to_be_bytes());
        self.next_nonce = after;
        self.changes += 1;
        // Name, a unit separator, address (input never holds control characters).
        let plaintext = format!("{}\u{1f}{}", personal.name, personal.address);
        let ciphertext = ChaCha20Poly1305::new(&Key::from(key))
            .encrypt(&Nonce::from(nonce), plaintext.as_bytes())
            .map_err(|_| PrivacyError::BadSealed {
                field: "ciphertext",
                why: "sealing failed",
            })?;
        Ok(Sealed {
            key_id: customer.clone(),
            nonce: hex(&nonce),
            ciphertext: hex(&ciphertext),
        })
    }

    /// Opens sealed data, if its key still exists.
    pub fn open(&self, sealed: &Sealed) -> Opened {
        let Some(Some(keys)) = self.keys.get(&sealed.key_id) else {
            return Opened::Erased;
        };
        let (Some(nonce), Some(ciphertext)) = (
            unhex(&sealed.nonce).and_then(|n| <[u8; 12]>::try_from(n).ok()),
            unhex(&sealed.ciphertext),
        ) else {
            return Opened::Unreadable;
        };
        keys.iter()
            .find_map(|key| {
                ChaCha20Poly1305::new(&Key::from(*key))
                    .decrypt(&Nonce::from(nonce), ciphertext.as_slice())
                    .ok()
            })
            .and_then(|plain| String::from_utf8(plain).ok())
            .and_then(|plain| {
                let (name, address) = plain.split_once('\u{1f}')?;
                Some(Personal {
                    name: name.to_owned(),
                    address: address.to_owned(),
                })
            })
            .map_or(Opened::Unreadable, Opened::Plain)
    }

    /// Deletes a customer's key (crypto-shredding); true if there was one.
    pub fn forget(&mut self, customer: &CustomerId) -> bool {
        match self.keys.insert(customer.clone(), None) {
            Some(None) => false,
            had => {
                self.changes += 1;
                had.is_some()
            }
        }
    }

    /// True once a customer was forgotten.
    pub fn is_forgotten(&self, customer: &CustomerId) -> bool {
        matches!(self.keys.get(customer), Some(None))
    }
}
