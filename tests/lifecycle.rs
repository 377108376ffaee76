//! How the last page ended, told at the next start: a page's marker round-trips, and
//! the summary says what was kept and what died with the simulated clients.

use cqrs_lab::app::lifecycle::{Marker, PreviousClose, IDS_LISTED};
use cqrs_lab::app::screen::Recovery;

fn ids(n: usize) -> Vec<String> {
    (0..n).map(|i| format!("cmd-burst-{i}")).collect()
}

#[test]
fn a_marker_reads_back_what_it_wrote_and_lists_at_most_a_few_ids() {
    let open = Marker::open(&ids(20));
    assert_eq!(open.in_flight, 20);
    assert_eq!(open.ids.len(), IDS_LISTED);
    assert_eq!(Marker::parse(&open.to_text()), Some(open.clone()));
    let closed = Marker {
        closed: true,
        ..open
    };
    assert_eq!(Marker::parse(&closed.to_text()), Some(closed));
    for bad in ["", "maybe\n1", "open\nmany", "open"] {
        assert_eq!(Marker::parse(bad), None, "{bad:?}");
    }
}

#[test]
fn an_abrupt_close_says_what_was_kept_and_which_scripted_commands_died() {
    let previous = PreviousClose::of(&[Marker::open(&ids(3))]).expect("a marker");
    assert!(previous.abrupt);
    let recovery = Recovery {
        republished: 2,
        requeued: 1,
        events: 40,
        previous: Some(previous),
        ..Recovery::default()
    };
    let lines = recovery.describe();
    assert_eq!(lines.len(), 2, "{lines:?}");
    assert!(lines[0].starts_with("The lab was not closed normally last time"));
    assert!(lines[0].contains("Kept: 40 events in IndexedDB."));
    assert!(lines[0].contains("Sent again: 1 command from the durable queue."));
    assert!(lines[0].contains("Published again: 2 events by the outbox relay."));
    assert!(lines[1].starts_with("Lost: 3 scripted commands"));
    assert!(lines[1].contains("cmd-burst-0, cmd-burst-1, cmd-burst-2"));
}

#[test]
fn an_abrupt_close_that_lost_nothing_says_so() {
    let previous = PreviousClose::of(&[Marker::open(&[])]).expect("a marker");
    let lines = previous.describe(5, 0, 0);
    assert_eq!(lines.last().map(String::as_str), Some("Nothing was lost."));
}

#[test]
fn a_normal_close_says_nothing_unless_a_script_died_with_it() {
    let quiet = Marker {
        closed: true,
        ..Marker::open(&[])
    };
    let previous = PreviousClose::of(&[quiet]).expect("a marker");
    assert!(!previous.abrupt);
    assert!(previous.describe(5, 0, 0).is_empty());
    let busy = Marker {
        closed: true,
        ..Marker::open(&ids(12))
    };
    let lines = PreviousClose::of(&[busy])
        .expect("a marker")
        .describe(5, 0, 0);
    assert!(lines[0].starts_with("The lab was closed with a script under way."));
    assert!(lines[1].contains("and 4 more"), "{lines:?}");
    assert_eq!(PreviousClose::of(&[]), None, "no marker: a first visit");
}

#[test]
fn every_tabs_marker_is_kept_under_one_key_and_reads_back() {
    use cqrs_lab::app::lifecycle::{markers_from_text, markers_to_text};
    let all = vec![
        ("a1b2".to_owned(), Marker::open(&ids(2))),
        (
            "c3d4".to_owned(),
            Marker {
                closed: true,
                ..Marker::open(&[])
            },
        ),
    ];
    assert_eq!(markers_from_text(&markers_to_text(&all)), all);
    assert_eq!(
        markers_from_text("garbage\n\ntab x\nopen\n1\ncmd-1"),
        [("x".to_owned(), Marker::open(&["cmd-1".to_owned()]))]
    );
}
