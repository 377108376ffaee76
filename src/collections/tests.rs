//! Property tests of the lookup tables (native only: proptest is not built for wasm).
use super::*;
use crate::domain::ids::GlobalPosition;
use std::collections::BTreeMap;

/// Numbers whose 32 hash bits pair up (`[a, b, c, d, …]`: a and b share theirs, c
/// and d theirs…), found once by search (the first pair is about 80,000 numbers in).
fn colliding_keys() -> &'static [u64] {
    static KEYS: std::sync::OnceLock<Vec<u64>> = std::sync::OnceLock::new();
    KEYS.get_or_init(|| {
        let mut seen: LookupMap<u32, u64> = LookupMap::default();
        let mut pairs = Vec::new();
        for n in 0..50_000_000u64 {
            if let Some(earlier) = seen.insert(ListMap::<u64, ()>::hash_bits(&n), n) {
                pairs.extend([earlier, n]);
                if pairs.len() == 6 {
                    break;
                }
            }
        }
        pairs
    })
}

#[test]
fn keys_sharing_their_hash_bits_are_told_apart() {
    let keys = colliding_keys();
    assert_eq!(keys.len(), 6, "three pairs found");
    let (a, b) = (keys[0], keys[1]);
    assert_eq!(
        ListMap::<u64, ()>::hash_bits(&a),
        ListMap::<u64, ()>::hash_bits(&b)
    );
    let mut map = ListMap::default();
    assert_eq!(map.insert(a, "a"), None);
    assert_eq!(map.get(&b), None, "same bits, another key");
    assert_eq!(map.insert(b, "b"), None);
    map.insert(7, "seven");
    assert_eq!((map.get(&a), map.get(&b)), (Some(&"a"), Some(&"b")));
    assert_eq!(
        map.insert(a, "A"),
        Some("a"),
        "the first of the two replaced"
    );
    if let Some(v) = map.get_mut(&b) {
        *v = "B";
    }
    let all: Vec<(u64, &str)> = map.iter().map(|(k, v)| (*k, *v)).collect();
    assert_eq!(all, vec![(a, "A"), (b, "B"), (7, "seven")]);
    map.clear();
    assert!(map.is_empty() && map.get(&a).is_none());
    // The same with one key in the large table, behind its filter, and the other
    // among the latest.
    let (c, d) = (keys[2], keys[3]);
    let mut map = ListMap::default();
    map.insert(c, 0);
    for n in 0..200_000u64 {
        map.insert(u64::MAX - n, 1);
    }
    map.insert(d, 2);
    assert!(!map.index.filter.blocks.is_empty(), "a filter at this size");
    assert_eq!((map.get(&c), map.get(&d)), (Some(&0), Some(&2)));
    assert_eq!(map.insert(c, 3), Some(0));
    assert_eq!((map.get(&c), map.get(&d)), (Some(&3), Some(&2)));
}

#[test]
fn a_list_map_finds_each_of_many_keys_as_its_table_grows() {
    let mut map = ListMap::default();
    for n in 0..100_000u64 {
        map.insert(n * 7, n);
        if n.is_power_of_two() {
            assert!((0..=n).all(|m| map.get(&(m * 7)) == Some(&m)), "after {n}");
        }
    }
    assert!((0..100_000u64).all(|n| map.get(&(n * 7)) == Some(&n)));
    assert!((0..100_000u64).all(|n| !map.contains_key(&(n * 7 + 1))));
    // The older keys sit behind the filter: it passes every one of them, and only a
    // few percent of absent keys.
    let passes = |n: &u64| map.index.filter.may_hold(ListMap::<u64, u64>::hash_bits(n));
    assert!(!map.index.filter.blocks.is_empty(), "a filter at this size");
    let older = 100_000 - map.index.recent.used as u64;
    assert!((0..older).map(|n| n * 7).all(|k| passes(&k)));
    let false_passes = (0..100_000u64).map(|n| n * 7 + 1).filter(passes).count();
    assert!(false_passes < 5_000, "{false_passes} absent keys passed");
    assert_eq!(map.insert(700, 0), Some(100), "a held key keeps its place");
    assert_eq!(map.iter().nth(100), Some((&700, &0)));
    map.clear();
    assert!(map.get(&0).is_none() && map.is_empty());
    map.insert(5, 5);
    assert_eq!(map.get(&5), Some(&5), "usable after clearing");
}

proptest::proptest! {
    /// Inserts, changes and clears over a few keys, some of them sharing their hash
    /// bits: the map answers as a `BTreeMap` would, and lists keys in arrival order.
    #[test]
    fn a_list_map_behaves_as_a_map_in_arrival_order(
        ops in proptest::collection::vec((0u8..8, 0usize..12), 0..200)
    ) {
        let pool: Vec<u64> = colliding_keys().iter().copied().chain(0..6).collect();
        let mut map = ListMap::default();
        let mut model = BTreeMap::new();
        let mut arrival = Vec::new();
        for (i, (op, k)) in ops.into_iter().enumerate() {
            let key = pool[k % pool.len()];
            match op {
                0..=3 => {
                    if !model.contains_key(&key) {
                        arrival.push(key);
                    }
                    proptest::prop_assert_eq!(map.insert(key, i), model.insert(key, i));
                }
                4 | 5 => {
                    if let Some(v) = map.get_mut(&key) {
                        *v += 1000;
                    }
                    if let Some(v) = model.get_mut(&key) {
                        *v += 1000;
                    }
                }
                6 if i % 5 == 0 => {
                    map.clear();
                    model.clear();
                    arrival.clear();
                }
                _ => {}
            }
            proptest::prop_assert_eq!(map.get(&key), model.get(&key));
            proptest::prop_assert_eq!(map.contains_key(&key), model.contains_key(&key));
            proptest::prop_assert_eq!(map.len(), model.len());
        }
        let listed: Vec<(u64, usize)> = map.iter().map(|(k, v)| (*k, *v)).collect();
        let expected: Vec<(u64, usize)> = arrival.iter().map(|k| (*k, model[k])).collect();
        proptest::prop_assert_eq!(listed, expected);
    }
}

proptest::proptest! {
    /// Keys added mostly in order (some skipped, some going back), removed in any
    /// order: the map answers exactly as an ordered map would.
    #[test]
    fn a_position_map_behaves_as_an_ordered_map(
        ops in proptest::collection::vec((0u8..6, 0u64..40), 0..300)
    ) {
        let mut map = PositionMap::default();
        let mut model = BTreeMap::new();
        let mut next = 1;
        for (i, (op, n)) in ops.into_iter().enumerate() {
            match op {
                0 | 1 => {
                    let key = if op == 0 { next } else { n + 1 };
                    next = next.max(key) + 1;
                    proptest::prop_assert_eq!(
                        map.insert(GlobalPosition(key), i),
                        model.insert(key, i)
                    );
                }
                2 => next += 1 + n % 3,
                3 => {
                    if let Some(v) = map.get_mut(GlobalPosition(n)) {
                        *v += 1000;
                    }
                    if let Some(v) = model.get_mut(&n) {
                        *v += 1000;
                    }
                }
                _ => proptest::prop_assert_eq!(
                    map.remove(GlobalPosition(n)),
                    model.remove(&n)
                ),
            }
            let after = n % (next + 1);
            let got: Vec<u64> = map.keys_after(GlobalPosition(after)).map(|p| p.0).collect();
            let want: Vec<u64> = model.range(after + 1..).map(|(k, _)| *k).collect();
            proptest::prop_assert_eq!(got, want);
            proptest::prop_assert_eq!(map.first_key().map(|p| p.0), model.keys().next().copied());
            proptest::prop_assert_eq!(map.len(), model.len());
            proptest::prop_assert_eq!(map.get(GlobalPosition(n)), model.get(&n));
            proptest::prop_assert_eq!(map.contains_key(GlobalPosition(n)), model.contains_key(&n));
        }
        map.clear();
        proptest::prop_assert!(map.is_empty() && map.first_key().is_none());
    }
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(500))]

    /// The heapsort puts any list, with or without repeated values, in the order the
    /// standard library's sort gives, and keeps every element.
    #[test]
    fn the_heapsort_orders_like_the_standard_sort(
        items in proptest::collection::vec((0u8..6, proptest::prelude::any::<u16>()), 0..300)
    ) {
        let mut expected = items.clone();
        expected.sort();
        let mut by_sort = items.clone();
        sort::sort(&mut by_sort);
        proptest::prop_assert_eq!(&by_sort, &expected);
        // By a key alone: equal keys may come in any order, but the keys are in order
        // and the elements are the same ones.
        let mut by_key = items.clone();
        sort::sort_by_key(&mut by_key, |(k, _)| *k);
        proptest::prop_assert!(by_key.windows(2).all(|w| w[0].0 <= w[1].0));
        by_key.sort();
        proptest::prop_assert_eq!(&by_key, &expected);
        // Descending, by a comparison.
        let mut down = items;
        sort::sort_by(&mut down, |a, b| a > b);
        expected.reverse();
        proptest::prop_assert_eq!(down, expected);
    }
}
