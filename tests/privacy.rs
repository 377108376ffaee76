//! Personal data sealed with a per-customer key, and crypto-shredding: after the key is
//! deleted, the events are all still there but no copy of the data can be read, and no
//! export ever held it in plaintext.

use cqrs_lab::domain::ids::{CommandId, CorrelationId, CustomerId, OrderId, VirtualMillis};
use cqrs_lab::domain::order::{decide, OrderCommand, OrderEvent, OrderState, Rejection};
use cqrs_lab::domain::privacy::{KeyVault, Opened, Personal, PrivacyError, Sealed};
use cqrs_lab::engine::config::EngineConfig;
use cqrs_lab::engine::script::{ClientId, ScriptedCommand};
use cqrs_lab::engine::sim::Simulation;
use cqrs_lab::engine::Engine;
use cqrs_lab::store::transfer::{export_cosmos, export_json, import_json};

fn ana() -> CustomerId {
    CustomerId::parse("cust-ana").expect("valid")
}

fn personal() -> Personal {
    Personal::parse("Ana Ruiz", "12 Calle Mayor, Madrid")
        .expect("valid")
        .expect("given")
}

#[test]
fn sealed_data_opens_with_its_key_and_is_erased_once_the_key_is_deleted() {
    let mut vault = KeyVault::new(7);
    let sealed = vault.seal(&ana(), &personal()).expect("sealed");
    assert_eq!(sealed.key_id, ana());
    assert!(!sealed.ciphertext.contains("Ana"));
    assert_eq!(vault.open(&sealed), Opened::Plain(personal()));
    // The same data sealed twice differs (a fresh nonce each time).
    let again = vault.seal(&ana(), &personal()).expect("sealed");
    assert_ne!(again.nonce, sealed.nonce);
    assert_ne!(again.ciphertext, sealed.ciphertext);
    assert!(vault.forget(&ana()));
    assert_eq!(vault.open(&sealed), Opened::Erased);
    assert_eq!(vault.open(&sealed).describe(), "[erased]");
    assert!(!vault.forget(&ana()), "nothing left to delete");
    assert_eq!(
        vault.seal(&ana(), &personal()),
        Err(PrivacyError::Forgotten(ana()))
    );
}

#[test]
fn altered_or_foreign_ciphertext_is_unreadable_not_a_panic() {
    let mut vault = KeyVault::new(1);
    let sealed = vault.seal(&ana(), &personal()).expect("sealed");
    let mut altered = sealed.clone();
    let flipped = if altered.ciphertext.starts_with('0') {
        "1"
    } else {
        "0"
    };
    altered.ciphertext.replace_range(0..1, flipped);
    assert_eq!(vault.open(&altered), Opened::Unreadable);
    let ben = CustomerId::parse("cust-ben").expect("valid");
    vault.seal(&ben, &personal()).expect("sealed");
    let foreign = Sealed {
        key_id: ben,
        ..sealed
    };
    assert_eq!(vault.open(&foreign), Opened::Unreadable);
}

#[test]
fn the_vault_is_stored_apart_and_read_back_with_its_nonce_counter() {
    let mut vault = KeyVault::new(3);
    let sealed = vault.seal(&ana(), &personal()).expect("sealed");
    let file = vault.to_text();
    assert!(!file.contains("Ana Ruiz"), "the vault holds keys, not data");
    let restored = KeyVault::restore(&file, 99).expect("restores");
    assert!(matches!(
        KeyVault::restore("cqrs-lab vault 1 5\nkey cust-ana 00", 1),
        Err(PrivacyError::BadVault(line)) if line == "line 2"
    ));
    assert_eq!(restored.open(&sealed), Opened::Plain(personal()));
    let mut restored = restored;
    let next = restored.seal(&ana(), &personal()).expect("sealed");
    assert_ne!(
        next.nonce, sealed.nonce,
        "a nonce is never reused with a key"
    );
    let mut merged = KeyVault::new(4);
    let before = merged.to_text();
    let bad = format!("{file}key cust-ben zz\n");
    assert!(matches!(
        merged.merge(&bad),
        Err(PrivacyError::BadVault(line)) if line == "line 3"
    ));
    assert_eq!(merged.to_text(), before, "a bad copy changes nothing");
}

#[test]
fn form_input_is_checked_and_blank_means_none() {
    assert_eq!(Personal::parse("  ", ""), Ok(None));
    assert_eq!(
        Personal::parse("", "Main St"),
        Err(PrivacyError::NameRequired)
    );
    assert!(matches!(
        Personal::parse(&"x".repeat(201), ""),
        Err(PrivacyError::TooLong { .. })
    ));
    assert!(matches!(
        Personal::parse("Ana\u{0}", ""),
        Err(PrivacyError::ControlCharacter { .. })
    ));
    let html = Personal::parse("<img src=x onerror=alert(1)>", "").expect("text is text");
    assert!(html.is_some());
}

#[test]
fn stored_sealed_data_is_checked_part_by_part() {
    let read = |json: &str| serde_json::from_str::<Sealed>(json).map_err(|e| e.to_string());
    let ok = r#""cust-ana:000000000000000000000001:00112233445566778899aabbccddeeff00""#;
    let sealed = read(ok).expect("reads");
    assert_eq!(serde_json::to_string(&sealed).expect("writes"), ok);
    let odd = ok.replace("eeff00", "eeff001");
    assert!(read(&odd).expect_err("bad").contains("personal.ciphertext"));
    let short = ok.replace("00112233445566778899aabbccddeeff00", "0011");
    assert!(read(&short).is_err(), "shorter than the tag");
    let bad_nonce = ok.replace("000000000000000000000001", "xyz");
    assert!(read(&bad_nonce)
        .expect_err("bad")
        .contains("personal.nonce"));
    assert!(read(r#""cust-ana:00""#)
        .expect_err("bad")
        .contains("keyId:nonce:ciphertext"));
    assert!(
        read(r#"{"keyId":"cust-ana"}"#).is_err(),
        "one string, not an object"
    );
}

#[test]
fn the_decider_keeps_sealed_data_and_refuses_another_customers_key() {
    let mut vault = KeyVault::new(5);
    let sealed = vault.seal(&ana(), &personal()).expect("sealed");
    let create = |customer: CustomerId| OrderCommand::CreateOrder {
        customer_id: customer,
        currency: None,
        personal: Some(sealed.clone()),
    };
    let events = decide(&OrderState::NotCreated, &create(ana())).expect("created");
    assert!(matches!(
        &events[..],
        [OrderEvent::OrderCreated { personal: Some(s), .. }] if **s == sealed
    ));
    assert_eq!(
        decide(
            &OrderState::NotCreated,
            &create(CustomerId::parse("cust-ben").expect("valid"))
        ),
        Err(Rejection::PersonalDataOfAnotherCustomer)
    );
}

#[test]
fn no_export_holds_the_plaintext_and_after_forgetting_no_copy_opens() {
    let mut vault = KeyVault::new(11);
    let sealed = vault.seal(&ana(), &personal()).expect("sealed");
    let command = ScriptedCommand {
        at: VirtualMillis(0),
        client: ClientId(1),
        command_id: CommandId::parse("c1").expect("valid"),
        correlation_id: CorrelationId::parse("corr-c1").expect("valid"),
        order_id: OrderId::parse("o-1").expect("valid"),
        command: OrderCommand::CreateOrder {
            customer_id: ana(),
            currency: None,
            personal: Some(sealed),
        },
    };
    let mut sim = Simulation::new(Engine::new(EngineConfig::default(), vec![command]));
    sim.run_to_idle(10_000);
    let events = sim.store.events();
    assert_eq!(events.len(), 1);
    for export in [export_json(events), export_cosmos(events)] {
        assert!(
            export.contains("\"personal\": \"cust-ana:"),
            "the sealed data is exported"
        );
        for plain in ["Ana Ruiz", "Calle Mayor", "Madrid"] {
            assert!(!export.contains(plain), "{plain} in an export");
        }
    }
    // An exported log imports, sealed data checked, and still opens until forgotten.
    let imported = import_json(&export_json(events)).expect("imports");
    let stored = match &imported[0].event {
        OrderEvent::OrderCreated {
            personal: Some(s), ..
        } => s.clone(),
        other => panic!("{other:?}"),
    };
    assert_eq!(vault.open(&stored), Opened::Plain(personal()));
    vault.forget(&ana());
    assert_eq!(vault.open(&stored), Opened::Erased);
    // The audit trail is intact: the event, its customer id and its place are all there.
    assert_eq!(imported[0].event.event_type(), "OrderCreated");
    assert_eq!(imported[0].global_position.0, 1);
}

#[test]
fn two_tabs_that_each_made_a_first_key_for_a_customer_keep_both() {
    let (mut a, mut b) = (KeyVault::new(1), KeyVault::new(2));
    let from_a = a.seal(&ana(), &personal()).expect("sealed");
    let from_b = b.seal(&ana(), &personal()).expect("sealed");
    let (text_a, text_b) = (a.to_text(), b.to_text());
    b.merge(&text_a).expect("reads");
    a.merge(&text_b).expect("reads");
    for vault in [&a, &b] {
        assert_eq!(vault.open(&from_a), Opened::Plain(personal()));
        assert_eq!(vault.open(&from_b), Opened::Plain(personal()));
        assert_eq!(vault.to_text().matches("key cust-ana ").count(), 2);
    }
    // Each still seals with the key it made first.
    let again = a.seal(&ana(), &personal()).expect("sealed");
    assert_eq!(
        KeyVault::restore(&text_a, 0).expect("reads").open(&again),
        Opened::Plain(personal())
    );
    a.forget(&ana());
    assert_eq!(a.open(&from_b), Opened::Erased);
    assert!(!a.to_text().contains("key cust-ana"));
}

#[test]
fn data_sealed_in_another_browser_reads_as_erased_and_says_why() {
    let mut there = KeyVault::new(1);
    let sealed = there.seal(&ana(), &personal()).expect("sealed");
    let here = KeyVault::new(2);
    assert_eq!(here.open(&sealed), Opened::Erased);
    assert_eq!(
        cqrs_lab::app::privacy_view::describe(Some(&sealed), &here).as_deref(),
        Some("[erased]: this browser holds no key for cust-ana")
    );
}

// proptest is a native dev-dependency.
#[cfg(not(target_arch = "wasm32"))]
mod vault_copies {
    use super::*;
    use proptest::prelude::*;
    use std::collections::BTreeSet;

    #[derive(Debug, Clone)]
    enum Op {
        Seal {
            tab: usize,
            customer: usize,
        },
        Forget {
            tab: usize,
            customer: usize,
        },
        /// `to` merges what `from` stored.
        Sync {
            from: usize,
            to: usize,
        },
    }

    fn op() -> impl Strategy<Value = Op> {
        prop_oneof![
            4 => (0..2usize, 0..4usize).prop_map(|(tab, customer)| Op::Seal { tab, customer }),
            1 => (0..2usize, 0..4usize).prop_map(|(tab, customer)| Op::Forget { tab, customer }),
            3 => (0..2usize).prop_map(|from| Op::Sync { from, to: 1 - from }),
        ]
    }

    fn customer(i: usize) -> CustomerId {
        CustomerId::parse(&format!("cust-{i}")).expect("valid")
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(300))]

        /// Two tabs seal, forget and exchange their stored vaults in any order: once
        /// both have read each other, a customer forgotten in either is erased in both,
        /// both tabs open everything either sealed for everyone else (even when both
        /// made a first key for the same customer before they met), no nonce is used
        /// twice under one key, and the text form reads back as it was written.
        #[test]
        fn two_tabs_agree_once_they_have_read_each_other(
            seeds in (any::<u64>(), any::<u64>()),
            ops in proptest::collection::vec(op(), 1..40),
        ) {
            let mut tabs = [KeyVault::new(seeds.0), KeyVault::new(seeds.1)];
            let mut sealed: Vec<(usize, Sealed)> = Vec::new();
            let mut forgotten = BTreeSet::new();
            for op in ops {
                match op {
                    Op::Seal { tab, customer: c } => match tabs[tab].seal(&customer(c), &personal()) {
                        Ok(s) => sealed.push((c, s)),
                        Err(PrivacyError::Forgotten(_)) => prop_assert!(tabs[tab].is_forgotten(&customer(c))),
                        Err(e) => prop_assert!(false, "sealing failed: {e}"),
                    },
                    Op::Forget { tab, customer: c } => {
                        tabs[tab].forget(&customer(c));
                        forgotten.insert(c);
                    }
                    Op::Sync { from, to } => {
                        let text = tabs[from].to_text();
                        prop_assert!(tabs[to].merge(&text).is_ok());
                    }
                }
            }
            let (a, b) = (tabs[0].to_text(), tabs[1].to_text());
            tabs[1].merge(&a).expect("reads");
            tabs[0].merge(&b).expect("reads");
            for (c, s) in &sealed {
                for vault in &tabs {
                    let opened = vault.open(s);
                    if forgotten.contains(c) {
                        prop_assert_eq!(opened, Opened::Erased);
                    } else {
                        prop_assert_eq!(opened, Opened::Plain(personal()));
                    }
                }
            }
            for vault in &tabs {
                for c in 0..4 {
                    prop_assert_eq!(vault.is_forgotten(&customer(c)), forgotten.contains(&c));
                }
                let text = vault.to_text();
                let restored = KeyVault::restore(&text, 0).expect("reads back");
                prop_assert_eq!(restored.to_text(), text);
            }
            let nonces: BTreeSet<_> = sealed.iter().map(|(_, s)| (s.key_id.clone(), s.nonce.clone())).collect();
            prop_assert_eq!(nonces.len(), sealed.len(), "a nonce was used twice under one key");
        }
    }
}

#[test]
fn a_vault_whose_nonce_counter_is_used_up_refuses_to_seal_rather_than_repeat() {
    let mut vault =
        KeyVault::restore(&format!("cqrs-lab vault 1 {}\n", u64::MAX), 1).expect("a valid vault");
    assert!(matches!(
        vault.seal(&ana(), &personal()),
        Err(PrivacyError::BadVault(why)) if why.contains("nonce counter")
    ));
}
