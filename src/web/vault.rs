//! The key vault kept apart from the event log: in this browser's localStorage (the
//! events are in IndexedDB), shared by the lab's tabs and merged when they both change it.

use crate::app::screen::{Msg, PrivacyMsg, Screen};
use gloo_events::EventListener;
use wasm_bindgen::JsCast;
use yew::prelude::*;

/// The localStorage key.
const KEY: &str = "cqrs-lab.vault";
/// Where a stored vault that does not read is kept before a new one is stored.
const UNREADABLE: &str = "cqrs-lab.vault.unreadable";

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok()?
}

/// The stored vault, if any.
pub fn read() -> Option<String> {
    storage()?.get_item(KEY).ok()?
}

/// A seed for new keys from the platform's random source (0 if it has none).
pub fn random_seed() -> u64 {
    let mut bytes = [0u8; 8];
    let filled = web_sys::window()
        .and_then(|w| w.crypto().ok())
        .is_some_and(|c| c.get_random_values_with_u8_array(&mut bytes).is_ok());
    if filled {
        u64::from_le_bytes(bytes)
    } else {
        0
    }
}

/// Stores the vault if it changed, merged first with what another tab stored.
pub fn save(screen: &mut Screen) {
    if !screen.take_vault_change() {
        return;
    }
    if let Some(stored) = read() {
        if screen.privacy.vault.merge(&stored).is_err() {
            // Its keys may still matter: keep its text aside (after any kept there
            // before), never write over it.
            let kept = storage().is_some_and(|s| {
                let mut aside = s.get_item(UNREADABLE).ok().flatten().unwrap_or_default();
                if !aside.contains(&stored) {
                    aside.push_str(&stored);
                    aside.push('\n');
                }
                s.set_item(UNREADABLE, &aside).is_ok()
            });
            if !kept {
                screen.privacy.note = Some(
                    "The stored key vault could not be read, nor kept aside: it was left as it is, and keys made now are not stored.".into(),
                );
                return;
            }
            screen.privacy.note = Some(format!(
                "The stored key vault could not be read; its text was kept in this browser's storage as {UNREADABLE}, and a new vault is stored."
            ));
        }
    }
    let text = screen.privacy.vault.to_text();
    let written = storage().is_some_and(|s| s.set_item(KEY, &text).is_ok());
    if !written {
        screen.privacy.note = Some(
            "The key vault could not be stored in this browser: personal data sealed now cannot be opened after a reload.".into(),
        );
    }
}

/// Merges what other tabs store (a new key, a forgotten customer) as they store it.
pub fn listen(
    model: UseReducerHandle<crate::web::in_place::InPlace<Screen>>,
) -> Option<EventListener> {
    let window = web_sys::window()?;
    Some(EventListener::new(&window, "storage", move |event| {
        let Some(e) = event.dyn_ref::<web_sys::StorageEvent>() else {
            return;
        };
        if e.key().as_deref() == Some(KEY) {
            model.dispatch(Msg::Privacy(PrivacyMsg::VaultRead {
                file: e.new_value(),
                seed: 0,
            }));
        }
    }))
}
