//! The storage line: persistent or best effort, and the usage against the quota (the
//! request at the first append is tested with the screen, in `screen.rs`).

use cqrs_lab::app::durability::{bytes, Durability};

#[test]
fn the_storage_line_says_whether_the_browser_may_evict_the_log_and_how_full_it_is() {
    let best_effort = Durability {
        persisted: Some(false),
        usage: Some((1_234_567, 300_000_000_000)),
        asked: false,
    };
    assert_eq!(
        best_effort.describe(),
        "Best effort: the browser may evict the log under pressure — export to keep a copy. Using 1.2 MB of 300 GB."
    );
    let kept = Durability {
        persisted: Some(true),
        ..best_effort
    };
    assert!(kept.describe().starts_with("Persistent storage"));
    assert!(!kept.should_ask());
    let declined = Durability {
        asked: true,
        ..best_effort
    };
    assert!(declined.describe().starts_with("Best effort"));
    assert!(!declined.should_ask(), "asked once");
    assert_eq!(bytes(999), "999 B");
    assert_eq!(bytes(64_000), "64.0 KB");
    assert_eq!(bytes(512_000_000), "512 MB");
}
