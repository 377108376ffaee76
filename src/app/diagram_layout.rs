//! Where the architecture diagram's parts sit, in three layouts of the same parts and
//! arrows: one long row for a laptop, a denser block whose text reads from the back
//! of a room (presenter mode), and a tall one for a phone, so its text stays legible
//! without scrolling sideways. Pure geometry, in the drawing's own units.

use super::component::Component;
use crate::store::ProjectionName;

/// Which arrangement of the diagram to draw.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    /// The parts in one row, the subscriptions' lanes below its end (laptop, desktop).
    Wide,
    /// The parts in two rows and the lanes below, for large type (presenter mode).
    Compact,
    /// The parts in three short rows, then the lanes and the query (phone).
    Tall,
}

/// A box, by its centre and size, in whole units (stored small: the layouts are
/// constant tables).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rect {
    cx: u16,
    cy: u16,
    width: u16,
    height: u16,
}

impl Rect {
    const fn at(x: u16, y: u16, w: u16, h: u16) -> Rect {
        Rect {
            cx: x,
            cy: y,
            width: w,
            height: h,
        }
    }
    /// Its centre, across.
    pub fn x(&self) -> f64 {
        f64::from(self.cx)
    }
    /// Its centre, down.
    pub fn y(&self) -> f64 {
        f64::from(self.cy)
    }
    /// Its width.
    pub fn w(&self) -> f64 {
        f64::from(self.width)
    }
    /// Its height.
    pub fn h(&self) -> f64 {
        f64::from(self.height)
    }
    /// Its left edge.
    pub fn left(&self) -> f64 {
        self.x() - self.w() / 2.0
    }
    /// Its right edge.
    pub fn right(&self) -> f64 {
        self.x() + self.w() / 2.0
    }
    /// Its top edge.
    pub fn top(&self) -> f64 {
        self.y() - self.h() / 2.0
    }
    /// Its bottom edge.
    pub fn bottom(&self) -> f64 {
        self.y() + self.h() / 2.0
    }
}

/// Everything placed: the drawing's size, each part's box, where the subscriptions'
/// line runs down, and the spacing of a box's lines of text.
#[derive(Debug, Clone, PartialEq)]
pub struct Geometry {
    /// Which layout this is (also the class that sets its type size).
    pub layout: Layout,
    /// Width and height of the drawing.
    pub size: (f64, f64),
    /// Client, command bus, handler, event store, outbox, event bus.
    pub chain: [Rect; 6],
    /// Each lane's projection and its dead-letter queue, in `ProjectionName::ALL` order.
    pub lanes: [(Rect, Rect); 3],
    /// The query side.
    pub query: Rect,
    /// Where the subscriptions' line runs down from the event bus to the lanes.
    pub drop_x: f64,
    /// Distance between two lines of a box's figures (the title sits a little further).
    pub line: f64,
    /// Type size of a box's title and of its figures (the stylesheet sets the same
    /// sizes by the layout's class).
    pub fonts: (f64, f64),
}

const CHAIN: [Component; 6] = [
    Component::Client,
    Component::CommandBus,
    Component::Handler,
    Component::Store,
    Component::Outbox,
    Component::EventBus,
];

impl Layout {
    /// The layout for a page in presenter mode or not, in a window `width` CSS px
    /// wide: tall on a phone (the stylesheet's one-column width), the denser block on
    /// a tablet (the long row would need text under 12 px) and in presenter mode.
    pub fn pick(presenter: bool, width: f64) -> Layout {
        if width <= 600.0 {
            Layout::Tall
        } else if presenter || width <= 980.0 {
            Layout::Compact
        } else {
            Layout::Wide
        }
    }

    /// Its class name, which the stylesheet sizes the type by.
    pub fn class(self) -> &'static str {
        match self {
            Layout::Wide => "wide",
            Layout::Compact => "compact",
            Layout::Tall => "tall",
        }
    }

    /// Where each part sits.
    pub fn geometry(self) -> &'static Geometry {
        match self {
            Layout::Wide => &WIDE,
            Layout::Compact => &COMPACT,
            Layout::Tall => &TALL,
        }
    }
}

const fn chain_row(xs: [u16; 6], y: u16, w: u16, h: u16) -> [Rect; 6] {
    [
        Rect::at(xs[0], y, w, h),
        Rect::at(xs[1], y, w, h),
        Rect::at(xs[2], y, w, h),
        Rect::at(xs[3], y, w, h),
        Rect::at(xs[4], y, w, h),
        Rect::at(xs[5], y, w, h),
    ]
}

/// Each lane's projection at `(x, width)` and dead-letter queue at `(x, width)`, on the
/// rows `ys`, `h` high.
const fn lanes(ys: [u16; 3], p: (u16, u16), d: (u16, u16), h: u16) -> [(Rect, Rect); 3] {
    [
        (Rect::at(p.0, ys[0], p.1, h), Rect::at(d.0, ys[0], d.1, h)),
        (Rect::at(p.0, ys[1], p.1, h), Rect::at(d.0, ys[1], d.1, h)),
        (Rect::at(p.0, ys[2], p.1, h), Rect::at(d.0, ys[2], d.1, h)),
    ]
}

/// One row; the lanes hang from its end.
const WIDE: Geometry = Geometry {
    layout: Layout::Wide,
    size: (1095.0, 322.0),
    chain: chain_row([65, 199, 333, 467, 601, 735], 40, 120, 62),
    lanes: lanes([140, 212, 284], (890, 190), (600, 104), 66),
    query: Rect::at(1045, 212, 76, 210),
    drop_x: 735.0,
    line: 16.0,
    fonts: (15.0, 14.0),
};

/// Two rows: the command side left to right, then the outbox and the bus back under
/// it; the lanes hang from the bus.
const COMPACT: Geometry = Geometry {
    layout: Layout::Compact,
    size: (710.0, 418.0),
    chain: [
        Rect::at(82, 40, 145, 60),
        Rect::at(262, 40, 145, 60),
        Rect::at(442, 40, 145, 60),
        Rect::at(622, 40, 145, 60),
        Rect::at(622, 136, 145, 60),
        Rect::at(262, 136, 145, 60),
    ],
    lanes: lanes([221, 297, 373], (415, 220), (150, 130), 70),
    query: Rect::at(620, 297, 120, 222),
    drop_x: 262.0,
    line: 17.0,
    fonts: (16.0, 15.0),
};

/// Three rows of two, snaking down; then the lanes, and the query under them.
const TALL: Geometry = Geometry {
    layout: Layout::Tall,
    size: (420.0, 630.0),
    chain: [
        Rect::at(90, 40, 160, 62),
        Rect::at(330, 40, 160, 62),
        Rect::at(330, 132, 160, 62),
        Rect::at(90, 132, 160, 62),
        Rect::at(90, 224, 160, 62),
        Rect::at(330, 224, 160, 62),
    ],
    lanes: lanes([324, 412, 500], (298, 224), (68, 120), 70),
    query: Rect::at(298, 592, 224, 54),
    drop_x: 156.0,
    line: 16.0,
    fonts: (15.5, 15.0),
};

/// The arrow from box `a` to box `b`, between their facing edges: across when they
/// share a row, else down or up.
fn link(a: &Rect, b: &Rect) -> Vec<(f64, f64)> {
    if (a.y() - b.y()).abs() < 1.0 {
        if a.x() < b.x() {
            vec![(a.right(), a.y()), (b.left(), b.y())]
        } else {
            vec![(a.left(), a.y()), (b.right(), b.y())]
        }
    } else if a.y() < b.y() {
        vec![(a.x(), a.bottom()), (b.x(), b.top())]
    } else {
        vec![(a.x(), a.top()), (b.x(), b.bottom())]
    }
}

impl Geometry {
    /// The box of `part` (`System` has none).
    pub fn rect(&self, part: Component) -> Option<Rect> {
        match part {
            Component::Projection(name) => Some(self.lanes[lane_index(name)].0),
            Component::DeadLetters(name) => Some(self.lanes[lane_index(name)].1),
            Component::Query => Some(self.query),
            Component::System => None,
            chain => CHAIN
                .iter()
                .position(|c| *c == chain)
                .map(|i| self.chain[i]),
        }
    }

    /// The subscriptions' line from the event bus down to the lane at `y`, ending on
    /// the drop line.
    fn drop_to(&self, y: f64) -> Vec<(f64, f64)> {
        let bus = self.chain[5];
        let mut points = vec![(bus.x(), bus.bottom())];
        if (bus.x() - self.drop_x).abs() >= 1.0 {
            let turn = (bus.bottom() + self.lanes[0].0.top()) / 2.0;
            points.push((bus.x(), turn));
            points.push((self.drop_x, turn));
        }
        points.push((self.drop_x, y));
        points
    }

    /// The arrow into `part`, as points (none for a part no arrow leads into).
    pub fn arrow(&self, part: Component) -> Vec<(f64, f64)> {
        let toward = |target: &Rect| {
            let mut points = self.drop_to(target.y());
            let edge = if target.x() > self.drop_x {
                target.left()
            } else {
                target.right()
            };
            points.push((edge, target.y()));
            points
        };
        match part {
            Component::Projection(name) => toward(&self.lanes[lane_index(name)].0),
            Component::DeadLetters(name) => toward(&self.lanes[lane_index(name)].1),
            Component::Client | Component::Query | Component::System => Vec::new(),
            chain => match CHAIN.iter().position(|c| *c == chain) {
                Some(i) if i > 0 => link(&self.chain[i - 1], &self.chain[i]),
                _ => Vec::new(),
            },
        }
    }

    /// The arrows from each projection into the query side.
    pub fn reads(&self) -> Vec<Vec<(f64, f64)>> {
        let q = &self.query;
        if self.layout == Layout::Tall {
            // The query sits under the last lane's projection.
            let last = &self.lanes[2].0;
            return vec![vec![(last.x(), last.bottom()), (last.x(), q.top())]];
        }
        self.lanes
            .iter()
            .map(|(p, _)| vec![(p.right(), p.y()), (q.left(), p.y())])
            .collect()
    }

    /// The baseline of the title of a box centred at `y` with `lines` lines of figures
    /// under it, and the distance from the title to the first of them: the text, from
    /// the title's capitals to the last line's descenders, is centred in the box.
    pub fn text_top(&self, y: f64, lines: usize) -> (f64, f64) {
        let (p, (title, value)) = (self.line, self.fonts);
        let gap = p + 2.0;
        let below = match lines {
            0 => 0.22 * title,
            n => gap + (n - 1) as f64 * p + 0.22 * value,
        };
        (y - (below - 0.72 * title) / 2.0, gap)
    }
}

fn lane_index(name: ProjectionName) -> usize {
    ProjectionName::ALL
        .iter()
        .position(|n| *n == name)
        .unwrap_or(0)
        .min(2)
}

/// The point `progress` (thousandths) along a path.
pub fn along(path: &[(f64, f64)], progress: u16) -> (f64, f64) {
    let lengths: Vec<f64> = path
        .windows(2)
        .map(|w| ((w[1].0 - w[0].0).powi(2) + (w[1].1 - w[0].1).powi(2)).sqrt())
        .collect();
    let total: f64 = lengths.iter().sum();
    let mut left = total * f64::from(progress.min(1000)) / 1000.0;
    for (w, length) in path.windows(2).zip(&lengths) {
        if left <= *length && *length > 0.0 {
            let t = left / length;
            return (
                w[0].0 + (w[1].0 - w[0].0) * t,
                w[0].1 + (w[1].1 - w[0].1) * t,
            );
        }
        left -= length;
    }
    path.last().copied().unwrap_or((0.0, 0.0))
}
