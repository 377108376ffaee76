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

/// The chart's lines in a `width × height` box.
#[derive(Debug, Clone, PartialEq)]
pub struct LagPlot {
    /// The scale's top: the most events any projection was behind (at least 1).
    pub top: u64,
    /// Virtual milliseconds from the first sample to the last.
    pub span_ms: u64,
    /// Per projection (`ProjectionName::ALL` order): the points of its stepped line.
    pub lines: [Vec<(f64, f64)>; 3],
    /// Per projection: where it is now, in words.
    pub now: [String; 3],
}

impl LagPlot {
    /// The plot of `samples` (oldest first), or `None` before the first sample.
    pub fn of(samples: &VecDeque<LagSample>, width: f64, height: f64) -> Option<Self> {
        let (first, last) = (samples.front()?, samples.back()?);
        let span_ms = last.at.0.saturating_sub(first.at.0);
        let span = span_ms.max(1) as f64;
        let top = samples
            .iter()
            .flat_map(|s| s.events)
            .max()
            .unwrap_or(0)
            .max(1);
        let x = |s: &LagSample| (s.at.0.saturating_sub(first.at.0)) as f64 / span * width;
        let y = |v: u64| height - (v as f64 / top as f64 * (height - 10.0));
        // Steps, not slopes: a lag holds until the next sample says otherwise.
        let line = |i: usize| {
            let mut points = Vec::with_capacity(samples.len() * 2);
            let mut previous: Option<u64> = None;
            for s in samples {
                if let Some(before) = previous {
                    points.push((x(s), y(before)));
                }
                points.push((x(s), y(s.events[i])));
                previous = Some(s.events[i]);
            }
            points
        };
        let now = |i: usize| {
            let ms = last.ms[i].map_or("age unknown".to_owned(), |ms| format!("{ms} ms"));
            format!(
                "{}: {} behind ({ms})",
                ProjectionName::ALL[i].title(),
                last.events[i]
            )
        };
        Some(LagPlot {
            top,
            span_ms,
            lines: [line(0), line(1), line(2)],
            now: [now(0), now(1), now(2)],
        })
    }

    /// The scale in words.
    pub fn scale(&self) -> String {
        format!(
            "top: {} events behind · last {:.1} s of virtual time",
            self.top,
            self.span_ms as f64 / 1000.0
        )
    }
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

/// The lag chart as a standalone SVG document (960 × 400), or `None` before the first
/// sample.
pub fn lag_svg(samples: &VecDeque<LagSample>) -> Option<String> {
    const W: f64 = 880.0;
    const H: f64 = 220.0;
    const LEFT: f64 = 40.0;
    const TOP: f64 = 70.0;
    let plot = LagPlot::of(samples, W, H)?;
    let mut svg = String::new();
    let _ = write!(
        svg,
        r##"<svg xmlns="http://www.w3.org/2000/svg" width="960" height="400" viewBox="0 0 960 400" font-family="system-ui, -apple-system, 'Segoe UI', Roboto, Arial, sans-serif">
<rect width="960" height="400" fill="#ffffff"/>
<text x="{LEFT}" y="34" font-size="22" font-weight="700" fill="#1f3a5f">Read-model lag (events behind the store)</text>
<text x="{LEFT}" y="56" font-size="14" fill="#4f5d6e">{}</text>
<g transform="translate({LEFT} {TOP})">
<line x1="0" y1="{H}" x2="{W}" y2="{H}" stroke="#d5dce5" stroke-width="1"/>
"##,
        escape(&plot.scale())
    );
    for (i, line) in plot.lines.iter().enumerate() {
        let _ = writeln!(
            svg,
            r#"<polyline points="{}" fill="none" stroke="{}" stroke-width="3" stroke-dasharray="{}"/>"#,
            points(line),
            COLOURS[i],
            DASHES[i]
        );
    }
    svg.push_str("</g>\n");
    for (i, now) in plot.now.iter().enumerate() {
        let y = TOP + H + 36.0 + 24.0 * i as f64;
        let _ = writeln!(
            svg,
            r##"<line x1="{LEFT}" y1="{}" x2="{}" y2="{}" stroke="{}" stroke-width="3" stroke-dasharray="{}"/><text x="{}" y="{}" font-size="15" fill="#17202b">{}</text>"##,
            y - 5.0,
            LEFT + 36.0,
            y - 5.0,
            COLOURS[i],
            DASHES[i],
            LEFT + 46.0,
            y,
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
        let plot = LagPlot::of(&samples, 100.0, 50.0).expect("a plot");
        assert_eq!(plot.top, 4);
        assert_eq!(plot.span_ms, 100);
        // The first projection holds at 0 until the second sample, then jumps to the top.
        assert_eq!(plot.lines[0], [(0.0, 50.0), (100.0, 50.0), (100.0, 10.0)]);
        assert_eq!(plot.now[2], "Revenue per day: 0 behind (40 ms)");
        assert_eq!(plot.now[1], "Orders per customer: 0 behind (age unknown)");
        assert!(LagPlot::of(&VecDeque::new(), 100.0, 50.0).is_none());
    }

    #[test]
    fn the_exported_chart_is_a_standalone_svg_with_a_legend() {
        let samples: VecDeque<_> = [sample(0, [1, 2, 3]), sample(2_000, [0, 0, 0])].into();
        let svg = lag_svg(&samples).expect("an svg");
        assert!(svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""));
        assert_eq!(svg.matches("<polyline").count(), 3);
        assert!(svg.contains("top: 3 events behind · last 2.0 s of virtual time"));
        assert!(svg.contains("Order summary: 0 behind (0 ms)"));
        assert!(svg.contains(r#"stroke-dasharray="8 4""#));
        assert!(svg.trim_end().ends_with("</svg>"));
        assert_eq!(escape("a<b & \"c\">"), "a&lt;b &amp; &quot;c&quot;&gt;");
    }
}
