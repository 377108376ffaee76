//! Personal data as the views show it: opened with the key vault at the moment it is
//! shown, so once a customer is forgotten every view reads "[erased]" at once — the
//! read models hold only sealed tokens, the log only sealed data.

use crate::domain::privacy::{KeyVault, Opened, Sealed};
use crate::engine::projection::{SEALED_CLOSE, SEALED_OPEN};

/// The crypto-shredding trade-off, as the workbench explains it.
pub const TRADE_OFF: &str = "Crypto-shredding: the customer's name and address are stored only sealed with a key of their own, kept apart from the events. Forgetting deletes the key: every copy — in the log, the read models, exports and backups — can never be read again (on Azure Key Vault: once the soft-deleted key is purged), while the events stay, so the audit trail (who ordered what, when) is intact. The price: the key vault becomes critical (lose it and every customer's data is gone; it must be backed up apart from the events), and a replay can no longer bring the data back, so rebuilt read models show it as erased too.";

/// A row's text with each sealed token replaced by the name it holds, or "[erased]".
pub fn reveal(text: &str, vault: &KeyVault) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find(SEALED_OPEN) {
        out.push_str(&rest[..start]);
        let after = &rest[start + SEALED_OPEN.len()..];
        let Some(end) = after.find(SEALED_CLOSE) else {
            out.push_str(&rest[start..]);
            return out;
        };
        out.push_str(&open_token(&after[..end], vault));
        rest = &after[end + SEALED_CLOSE.len()..];
    }
    out.push_str(rest);
    out
}

fn open_token(token: &str, vault: &KeyVault) -> String {
    Sealed::parse(token).map_or_else(|_| "[unreadable]".into(), |s| vault.open(&s).name())
}

/// Name and address of sealed data, or why not.
pub fn describe(sealed: Option<&Sealed>, vault: &KeyVault) -> Option<String> {
    sealed.map(|s| match vault.open(s) {
        Opened::Erased if vault.is_forgotten(&s.key_id) => {
            format!("[erased]: {}'s key was deleted", s.key_id)
        }
        Opened::Erased => format!("[erased]: this browser holds no key for {}", s.key_id),
        other => other.describe(),
    })
}
