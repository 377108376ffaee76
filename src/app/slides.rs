//! The lag chart's geometry (shared by the page and the export), and the chart as a
//! standalone SVG file for slides: title, scale, one stepped line per projection with
//! its own colour and dash pattern, and a legend saying where each one is now.

use super::screen::LagSample;
use crate::store::ProjectionName;
use std::collections::VecDeque;
use std::fmt::Write;

/// Each projection's dash pattern, so colour is never the only signal.
pub const DASHES: [&str; 3] = ["", "8 4", "2 3"];
/// Each projection's colour in exported files (the page's stylesheet uses the same).
pub const COLOURS: [&str; 3] = ["#2d6fd1", "#c26a00", "#7b3fb5"];

/// What a lag chart measures, per projection, at each sample.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LagMeasure {
    /// Events stored but not yet applied.
    Events,
    /// Virtual ms since the oldest of them was recorded (unknown when the page does not
    /// hold that event: the line breaks there).
    Millis,
}

impl LagMeasure {
    /// Both, in the order the charts are drawn.
    pub const BOTH: [LagMeasure; 2] = [LagMeasure::Events, LagMeasure::Millis];

    fn of(self, sample: &LagSample, i: usize) -> Option<u64> {
        match self {
            LagMeasure::Events => Some(sample.events[i]),
            LagMeasure::Millis => sample.ms[i],
        }
    }

    /// The chart's title.
    pub fn title(self) -> &'static str {
        match self {
            LagMeasure::Events => "Events behind the store",
            LagMeasure::Millis => "Milliseconds behind (age of the oldest event not applied)",
        }
    }

    fn unit(self) -> &'static str {
        match self {
            LagMeasure::Events => "events",
            LagMeasure::Millis => "ms",
        }
    }
}

/// One chart's lines in a `width × height` box.
#[derive(Debug, Clone, PartialEq)]
pub struct LagPlot {
    /// What it measures.
    pub measure: LagMeasure,
    /// The scale's top: the most any projection was behind (at least 1).
    pub top: u64,
    /// Virtual milliseconds from the first sample to the last.
    pub span_ms: u64,
    /// Per projection (`ProjectionName::ALL` order): its stepped line, in pieces (it
    /// breaks where the measure is unknown).
    pub lines: [Vec<Vec<(f64, f64)>>; 3],
}

impl LagPlot {
    /// The plot of `samples` (oldest first), or `None` before the first sample.
    pub fn of(
        samples: &VecDeque<LagSample>,
        measure: LagMeasure,
        width: f64,
        height: f64,
    ) -> Option<Self> {
        let (first, last) = (samples.front()?, samples.back()?);
        let span_ms = last.at.0.saturating_sub(first.at.0);
        let span = span_ms.max(1) as f64;
        let top = samples
            .iter()
            .flat_map(|s| (0..3).filter_map(move |i| measure.of(s, i)))
            .max()
            .unwrap_or(0)
            .max(1);
        let x = |s: &LagSample| (s.at.0.saturating_sub(first.at.0)) as f64 / span * width;
        let y = |v: u64| height - (v as f64 / top as f64 * (height - 10.0));
        // Steps, not slopes: a lag holds until the next sample says otherwise.
        let line = |i: usize| {
            let mut pieces: Vec<Vec<(f64, f64)>> = Vec::new();
            let mut previous: Option<u64> = None;
            for s in samples {
                let value = measure.of(s, i);
                // The value before holds until this sample, known now or not.
                if let (Some(before), Some(piece)) = (previous, pieces.last_mut()) {
                    piece.push((x(s), y(before)));
                }
                match (previous, value) {
                    (Some(_), Some(now)) => {
                        if let Some(piece) = pieces.last_mut() {
                            piece.push((x(s), y(now)));
                        }
                    }
                    (None, Some(now)) => pieces.push(vec![(x(s), y(now))]),
                    (_, None) => {}
                }
                previous = value;
            }
            pieces
        };
        Some(LagPlot {
            measure,
            top,
            span_ms,
            lines: [line(0), line(1), line(2)],
        })
    }

    /// The scale in words.
    pub fn scale(&self) -> String {
        format!(
            "top: {} {} · last {:.1} s of virtual time",
            self.top,
            self.measure.unit(),
            self.span_ms as f64 / 1000.0
        )
    }
}

/// Per projection: where it is now, in words (events and ms behind), or `None` before
/// the first sample.
pub fn lag_now(samples: &VecDeque<LagSample>) -> Option<[String; 3]> {
    let last = samples.back()?;
    let now = |i: usize| {
        let ms = last.ms[i].map_or("age unknown".to_owned(), |ms| format!("{ms} ms"));
        format!(
            "{}: {} behind ({ms})",
            ProjectionName::ALL[i].title(),
            last.events[i]
        )
    };
    Some([now(0), now(1), now(2)])
}

/// Points as an SVG `points` attribute.
pub fn points(line: &[(f64, f64)]) -> String {
    line.iter()
        .map(|(x, y)| format!("{x:.1},{y:.1}"))
        .collect::<Vec<_>>()
        .join(" ")
}

/// Text made safe for SVG markup.
fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// The lag charts (events and ms behind) as one standalone SVG document (960 × 560),
/// or `None` before the first sample.
pub fn lag_svg(samples: &VecDeque<LagSample>) -> Option<String> {
    const W: f64 = 880.0;
    const H: f64 = 140.0;
    const LEFT: f64 = 40.0;
    const TOP: f64 = 56.0;
    let now = lag_now(samples)?;
    let mut svg = String::new();
    let _ = write!(
        svg,
        r##"<svg xmlns="http://www.w3.org/2000/svg" width="960" height="560" viewBox="0 0 960 560" font-family="system-ui, -apple-system, 'Segoe UI', Roboto, Arial, sans-serif">
<rect width="960" height="560" fill="#ffffff"/>
<text x="{LEFT}" y="34" font-size="22" font-weight="700" fill="#1f3a5f">Read-model lag</text>
"##
    );
    for (chart, measure) in LagMeasure::BOTH.into_iter().enumerate() {
        let plot = LagPlot::of(samples, measure, W, H)?;
        let top = TOP + chart as f64 * (H + 60.0);
        let _ = write!(
            svg,
            r##"<text x="{LEFT}" y="{}" font-size="15" font-weight="600" fill="#17202b">{}</text>
<text x="{LEFT}" y="{}" font-size="13" fill="#4f5d6e">{}</text>
<g transform="translate({LEFT} {})">
<line x1="0" y1="{H}" x2="{W}" y2="{H}" stroke="#d5dce5" stroke-width="1"/>
"##,
            top + 16.0,
            escape(measure.title()),
            top + 34.0,
            escape(&plot.scale()),
            top + 42.0
        );
        for (i, pieces) in plot.lines.iter().enumerate() {
            for piece in pieces {
                let _ = writeln!(
                    svg,
                    r#"<polyline points="{}" fill="none" stroke="{}" stroke-width="3" stroke-dasharray="{}"/>"#,
                    points(piece),
                    COLOURS[i],
                    DASHES[i]
                );
            }
        }
        svg.push_str("</g>\n");
    }
    for (i, now) in now.iter().enumerate() {
        let x = LEFT;
        let y = 486.0 + 24.0 * i as f64;
        let _ = writeln!(
            svg,
            r##"<line x1="{x}" y1="{}" x2="{}" y2="{}" stroke="{}" stroke-width="3" stroke-dasharray="{}"/><text x="{}" y="{y}" font-size="14" fill="#17202b">{}</text>"##,
            y - 5.0,
            x + 30.0,
            y - 5.0,
            COLOURS[i],
            DASHES[i],
            x + 38.0,
            escape(now)
        );
    }
    svg.push_str("</svg>\n");
    Some(svg)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::ids::VirtualMillis;

    fn sample(at: u64, events: [u64; 3]) -> LagSample {
        LagSample {
            at: VirtualMillis(at),
            events,
            ms: [Some(0), None, Some(40)],
        }
    }

    #[test]
    fn lines_step_and_fill_the_box() {
        let samples: VecDeque<_> = [sample(0, [0, 2, 0]), sample(100, [4, 0, 0])].into();
        let plot = LagPlot::of(&samples, LagMeasure::Events, 100.0, 50.0).expect("a plot");
        assert_eq!(plot.top, 4);
        assert_eq!(plot.span_ms, 100);
        // The first projection holds at 0 until the second sample, then jumps to the top.
        assert_eq!(
            plot.lines[0],
            [vec![(0.0, 50.0), (100.0, 50.0), (100.0, 10.0)]]
        );
        let now = lag_now(&samples).expect("words");
        assert_eq!(now[2], "Revenue per day: 0 behind (40 ms)");
        assert_eq!(now[1], "Orders per customer: 0 behind (age unknown)");
        assert!(LagPlot::of(&VecDeque::new(), LagMeasure::Events, 100.0, 50.0).is_none());
        assert!(lag_now(&VecDeque::new()).is_none());
    }

    #[test]
    fn the_age_line_breaks_where_the_age_is_unknown() {
        let mut samples: VecDeque<_> = [
            sample(0, [1, 1, 1]),
            sample(100, [1, 1, 1]),
            sample(200, [1, 1, 1]),
        ]
        .into();
        samples[0].ms = [Some(10), Some(5), None];
        samples[1].ms = [Some(30), None, Some(20)];
        samples[2].ms = [Some(0), Some(40), Some(20)];
        let plot = LagPlot::of(&samples, LagMeasure::Millis, 200.0, 50.0).expect("a plot");
        assert_eq!(plot.top, 40);
        assert_eq!(plot.scale(), "top: 40 ms · last 0.2 s of virtual time");
        // Known throughout: one stepped piece (10 → 30 → 0 ms).
        assert_eq!(
            plot.lines[0],
            [vec![
                (0.0, 40.0),
                (100.0, 40.0),
                (100.0, 20.0),
                (200.0, 20.0),
                (200.0, 50.0)
            ]]
        );
        // Unknown at the middle sample: the known age holds until it, then a gap.
        assert_eq!(
            plot.lines[1],
            [vec![(0.0, 45.0), (100.0, 45.0)], vec![(200.0, 10.0)]]
        );
        // Unknown at first: the line starts where the age is known.
        assert_eq!(
            plot.lines[2],
            [vec![(100.0, 30.0), (200.0, 30.0), (200.0, 30.0)]]
        );
    }

    #[test]
    fn the_exported_chart_is_a_standalone_svg_with_a_legend() {
        let samples: VecDeque<_> = [sample(0, [1, 2, 3]), sample(2_000, [0, 0, 0])].into();
        let svg = lag_svg(&samples).expect("an svg");
        assert!(svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""));
        // Three lines in each chart; the second projection's age is never known.
        assert_eq!(svg.matches("<polyline").count(), 5);
        assert!(svg.contains("Events behind the store"));
        assert!(svg.contains("top: 3 events · last 2.0 s of virtual time"));
        assert!(svg.contains("Milliseconds behind (age of the oldest event not applied)"));
        assert!(svg.contains("top: 40 ms · last 2.0 s of virtual time"));
        assert!(svg.contains("Order summary: 0 behind (0 ms)"));
        assert!(svg.contains(r#"stroke-dasharray="8 4""#));
        assert!(svg.trim_end().ends_with("</svg>"));
        assert_eq!(escape("a<b & \"c\">"), "a&lt;b &amp; &quot;c&quot;&gt;");
    }
}
