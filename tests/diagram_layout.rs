//! The diagram's three layouts: every part inside the drawing, no two parts overlapping,
//! every arrow long enough to show its head and ending on the edge of the part it leads
//! into, and the layout each screen gets.

use cqrs_lab::app::component::Component;
use cqrs_lab::app::diagram_layout::{along, Layout, Rect};
use cqrs_lab::store::ProjectionName;

const ALL: [Layout; 3] = [Layout::Wide, Layout::Compact, Layout::Tall];

fn parts() -> Vec<Component> {
    let mut parts = vec![
        Component::Client,
        Component::CommandBus,
        Component::Handler,
        Component::Store,
        Component::Outbox,
        Component::EventBus,
        Component::Query,
    ];
    for name in ProjectionName::ALL {
        parts.push(Component::Projection(name));
        parts.push(Component::DeadLetters(name));
    }
    parts
}

fn overlap(a: &Rect, b: &Rect) -> bool {
    a.left() < b.right() && b.left() < a.right() && a.top() < b.bottom() && b.top() < a.bottom()
}

#[test]
fn every_part_is_inside_the_drawing_and_none_overlap() {
    for layout in ALL {
        let g = layout.geometry();
        let (w, h) = g.size;
        let boxes: Vec<(Component, Rect)> = parts()
            .into_iter()
            .map(|p| (p, g.rect(p).expect("a box")))
            .collect();
        for (part, r) in &boxes {
            assert!(
                r.left() >= 0.0 && r.top() >= 0.0 && r.right() <= w && r.bottom() <= h,
                "{layout:?}: {part:?} at {r:?} leaves the {w}×{h} drawing"
            );
        }
        for (i, (a, ra)) in boxes.iter().enumerate() {
            for (b, rb) in &boxes[i + 1..] {
                assert!(!overlap(ra, rb), "{layout:?}: {a:?} overlaps {b:?}");
            }
        }
    }
}

#[test]
fn each_arrow_ends_on_the_edge_of_its_part_and_shows_its_head() {
    for layout in ALL {
        let g = layout.geometry();
        for part in parts() {
            let arrow = g.arrow(part);
            if matches!(part, Component::Client | Component::Query) {
                assert!(arrow.is_empty(), "{layout:?}: no arrow leads into {part:?}");
                continue;
            }
            let r = g.rect(part).expect("a box");
            let &(x, y) = arrow.last().expect("an arrow");
            let on_edge = ((x - r.left()).abs() < 0.01 || (x - r.right()).abs() < 0.01)
                && y >= r.top()
                && y <= r.bottom()
                || ((y - r.top()).abs() < 0.01 || (y - r.bottom()).abs() < 0.01)
                    && x >= r.left()
                    && x <= r.right();
            assert!(
                on_edge,
                "{layout:?}: the arrow into {part:?} ends at ({x}, {y}), off {r:?}"
            );
            let [.., (ax, ay), (bx, by)] = arrow[..] else {
                panic!("{layout:?}: the arrow into {part:?} has one point");
            };
            let last = ((bx - ax).powi(2) + (by - ay).powi(2)).sqrt();
            assert!(
                last >= 13.9,
                "{layout:?}: the arrow into {part:?} ends in {last} units, too short for its head"
            );
            // A message on its way is on the arrow, from its start to its end.
            assert_eq!(along(&arrow, 0), arrow[0]);
            assert_eq!(along(&arrow, 1000), (bx, by));
        }
        for read in g.reads() {
            let &(x, y) = read.last().expect("an arrow");
            let q = g.query;
            assert!(x >= q.left() && x <= q.right() && y >= q.top() && y <= q.bottom());
        }
    }
}

#[test]
fn a_phone_gets_the_tall_layout_a_tablet_and_a_presenter_the_dense_one() {
    assert_eq!(Layout::pick(false, 390.0), Layout::Tall);
    assert_eq!(Layout::pick(true, 390.0), Layout::Tall);
    assert_eq!(Layout::pick(false, 820.0), Layout::Compact);
    assert_eq!(Layout::pick(false, 1366.0), Layout::Wide);
    assert_eq!(Layout::pick(true, 1280.0), Layout::Compact);
    assert_eq!(Layout::pick(true, 1920.0), Layout::Compact);
}

#[test]
fn a_box_of_three_lines_holds_them() {
    for layout in ALL {
        let g = layout.geometry();
        let (title, value) = g.fonts;
        for (projection, _) in g.lanes {
            let (first, gap) = g.text_top(projection.y(), 3);
            let top = first - 0.72 * title;
            let bottom = first + gap + 2.0 * g.line + 0.22 * value;
            assert!(
                top >= projection.top() && bottom <= projection.bottom(),
                "{layout:?}: {top}..{bottom} outside {projection:?}"
            );
        }
    }
}
