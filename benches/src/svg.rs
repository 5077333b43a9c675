//! A small SVG line-chart writer: enough for the benchmarks' plots, and no dependency.
//!
//! A [`Chart`] has one [`Series`] per contender (a polyline with a marker at every point),
//! optional horizontal [`Guide`] lines, a title, axis labels, ticks and a legend to the right
//! of the plot area. The x axis is linear or logarithmic ([`Scale`]); the y axis is linear and
//! starts at 0, so that a ratio between two heights is the ratio between the two figures.
//! [`render`] stacks one or more charts in one SVG document. Every marker carries a `<title>`
//! with its exact values, which a browser shows on hover.
//!
//! ```
//! use spindle_benches::svg::{render, Chart, Marker, Scale, Series, Style};
//!
//! let chart = Chart {
//!     series: vec![Series {
//!         name: "spindle".into(),
//!         points: vec![(1e3, 300.0), (1e6, 330.0)],
//!         style: Style { colour: "#1f77b4", dashed: false, marker: Marker::Circle },
//!     }],
//!     ..Chart::new("cost per task", "tasks", "ns per task", Scale::Log10)
//! };
//! let svg = render(&[chart], 900);
//! assert!(svg.starts_with("<svg") && svg.trim_end().ends_with("</svg>"));
//! assert_eq!(svg.matches("<polyline").count(), 1);
//! ```

use std::fmt::Write as _;

/// How the x axis maps values to positions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scale {
    /// Equal distances for equal differences; the axis starts at 0.
    Linear,
    /// Equal distances for equal ratios (decades labelled, 2..9 as minor grid lines); every x
    /// must be positive.
    Log10,
}

/// The shape drawn at each point of a series.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Marker {
    /// A filled circle.
    Circle,
    /// A filled square.
    Square,
    /// A filled triangle, point up.
    Triangle,
    /// A filled diamond.
    Diamond,
    /// An open circle (white inside).
    Ring,
}

/// How a series is drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Style {
    /// Any SVG colour (`#1f77b4`, `teal`).
    pub colour: &'static str,
    /// A dashed line rather than a solid one.
    pub dashed: bool,
    /// The marker at each point.
    pub marker: Marker,
}

/// One line of a chart: its name in the legend and its points, in the order they are joined.
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    /// The name in the legend.
    pub name: String,
    /// `(x, y)` points; those with a non-finite coordinate (or x <= 0 on a log axis) are left
    /// out.
    pub points: Vec<(f64, f64)>,
    /// Colour, dashes and marker.
    pub style: Style,
}

/// A horizontal reference line across the plot area, labelled at its left end.
#[derive(Debug, Clone, PartialEq)]
pub struct Guide {
    /// Its height, in the y axis' unit.
    pub y: f64,
    /// The label written above it.
    pub label: String,
    /// Its colour.
    pub colour: &'static str,
}

/// One chart: a title, two labelled axes, the series and the guides.
#[derive(Debug, Clone, PartialEq)]
pub struct Chart {
    /// The title, above the plot area.
    pub title: String,
    /// A smaller line under the title (settings, the command), if any.
    pub subtitle: Option<String>,
    /// The x axis' label.
    pub x_label: String,
    /// The y axis' label.
    pub y_label: String,
    /// The x axis' scale.
    pub x_scale: Scale,
    /// The lines, in the legend's order.
    pub series: Vec<Series>,
    /// Horizontal reference lines.
    pub guides: Vec<Guide>,
}

impl Chart {
    /// A chart with no series, no guides and no subtitle.
    pub fn new(title: &str, x_label: &str, y_label: &str, x_scale: Scale) -> Chart {
        Chart {
            title: title.to_owned(),
            subtitle: None,
            x_label: x_label.to_owned(),
            y_label: y_label.to_owned(),
            x_scale,
            series: Vec::new(),
            guides: Vec::new(),
        }
    }
}

/// Height of one chart in the document, in pixels.
const CHART_HEIGHT: f64 = 440.0;
/// Space left of the plot area (y tick labels and the y label).
const LEFT: f64 = 80.0;
/// Space right of the plot area (the legend).
const RIGHT: f64 = 230.0;
/// Space above the plot area (title and subtitle).
const TOP: f64 = 70.0;
/// Space under the plot area (x tick labels and the x label).
const BOTTOM: f64 = 60.0;

/// The charts as one SVG document, `width` pixels wide, one chart under the other.
pub fn render(charts: &[Chart], width: u32) -> String {
    let width = f64::from(width.max(400));
    let height = CHART_HEIGHT * charts.len().max(1) as f64;
    let mut out = String::new();
    let _ = writeln!(
        out,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}" font-family="DejaVu Sans, Helvetica, Arial, sans-serif">"#
    );
    let _ = writeln!(
        out,
        r#"<rect x="0" y="0" width="{width}" height="{height}" fill="white"/>"#
    );
    for (index, chart) in charts.iter().enumerate() {
        let _ = writeln!(
            out,
            r#"<g transform="translate(0,{})">"#,
            index as f64 * CHART_HEIGHT
        );
        chart_body(&mut out, chart, width);
        out.push_str("</g>\n");
    }
    out.push_str("</svg>\n");
    out
}

/// The x axis' mapping from values to pixels.
struct XAxis {
    scale: Scale,
    lo: f64,
    hi: f64,
    left: f64,
    right: f64,
}

impl XAxis {
    fn pixel(&self, x: f64) -> f64 {
        let (x, lo, hi) = match self.scale {
            Scale::Linear => (x, self.lo, self.hi),
            Scale::Log10 => (x.log10(), self.lo.log10(), self.hi.log10()),
        };
        self.left + (x - lo) / (hi - lo) * (self.right - self.left)
    }

    fn accepts(&self, x: f64) -> bool {
        x.is_finite() && (self.scale == Scale::Linear || x > 0.0)
    }
}

fn chart_body(out: &mut String, chart: &Chart, width: f64) {
    let (left, right) = (LEFT, width - RIGHT);
    let (top, bottom) = (TOP, CHART_HEIGHT - BOTTOM);

    // Title and subtitle.
    let _ = writeln!(
        out,
        r#"<text x="{}" y="28" font-size="18" font-weight="bold" text-anchor="middle">{}</text>"#,
        (left + right) / 2.0,
        escape(&chart.title)
    );
    if let Some(subtitle) = &chart.subtitle {
        let _ = writeln!(
            out,
            r##"<text x="{}" y="48" font-size="12" fill="#555" text-anchor="middle">{}</text>"##,
            (left + right) / 2.0,
            escape(subtitle)
        );
    }

    // The ranges: x over the points drawn, y from 0 to a round number above every point and
    // guide.
    let xs: Vec<f64> = chart
        .series
        .iter()
        .flat_map(|s| s.points.iter())
        .filter(|(x, y)| {
            x.is_finite() && y.is_finite() && (chart.x_scale == Scale::Linear || *x > 0.0)
        })
        .map(|p| p.0)
        .collect();
    let (mut x_lo, mut x_hi) = xs
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), x| {
            (a.min(*x), b.max(*x))
        });
    if !x_lo.is_finite() {
        (x_lo, x_hi) = (1.0, 10.0);
    }
    if chart.x_scale == Scale::Log10 {
        // Whole decades, so that the ends are labelled.
        x_lo = 10f64.powf(x_lo.log10().floor());
        x_hi = 10f64.powf(x_hi.log10().ceil());
        if x_hi <= x_lo {
            x_hi = x_lo * 10.0;
        }
    } else {
        x_lo = x_lo.min(0.0);
        if x_hi <= x_lo {
            x_hi = x_lo + 1.0;
        }
    }
    let x_axis = XAxis {
        scale: chart.x_scale,
        lo: x_lo,
        hi: x_hi,
        left,
        right,
    };
    let y_max = chart
        .series
        .iter()
        .flat_map(|s| s.points.iter().map(|p| p.1))
        .chain(chart.guides.iter().map(|g| g.y))
        .filter(|y| y.is_finite())
        .fold(0.0f64, f64::max);
    let (y_step, y_top) = nice_axis(y_max);
    let y_pixel = |y: f64| bottom - y / y_top * (bottom - top);

    // Grid and ticks.
    out.push_str(r##"<g font-size="12" fill="#333">"##);
    out.push('\n');
    let mut y = 0.0;
    while y <= y_top * (1.0 + 1e-9) {
        let py = y_pixel(y);
        let _ = writeln!(
            out,
            r##"<line x1="{left}" y1="{py:.1}" x2="{right}" y2="{py:.1}" stroke="#e4e4e4"/>"##
        );
        let _ = writeln!(
            out,
            r#"<text x="{}" y="{:.1}" text-anchor="end">{}</text>"#,
            left - 8.0,
            py + 4.0,
            tick_label(y, y_step)
        );
        y += y_step;
    }
    for (x, major) in x_ticks(&x_axis) {
        let px = x_axis.pixel(x);
        let colour = if major { "#d0d0d0" } else { "#f0f0f0" };
        let _ = writeln!(
            out,
            r#"<line x1="{px:.1}" y1="{top}" x2="{px:.1}" y2="{bottom}" stroke="{colour}"/>"#
        );
        if major {
            let _ = writeln!(
                out,
                r#"<text x="{px:.1}" y="{}" text-anchor="middle">{}</text>"#,
                bottom + 18.0,
                si(x)
            );
        }
    }
    out.push_str("</g>\n");

    // Axes and their labels.
    let _ = writeln!(
        out,
        r##"<path d="M{left},{top} V{bottom} H{right}" fill="none" stroke="#333"/>"##
    );
    let _ = writeln!(
        out,
        r#"<text x="{}" y="{}" font-size="14" text-anchor="middle">{}</text>"#,
        (left + right) / 2.0,
        bottom + 42.0,
        escape(&chart.x_label)
    );
    let _ = writeln!(
        out,
        r#"<text x="0" y="0" font-size="14" text-anchor="middle" transform="translate(22,{}) rotate(-90)">{}</text>"#,
        (top + bottom) / 2.0,
        escape(&chart.y_label)
    );

    // Guides.
    for guide in chart.guides.iter().filter(|g| g.y.is_finite()) {
        let py = y_pixel(guide.y);
        let _ = writeln!(
            out,
            r#"<line x1="{left}" y1="{py:.1}" x2="{right}" y2="{py:.1}" stroke="{}" stroke-width="1.5" stroke-dasharray="2,4"/>"#,
            guide.colour
        );
        let _ = writeln!(
            out,
            r#"<text x="{}" y="{:.1}" font-size="11" fill="{}">{}</text>"#,
            left + 6.0,
            py - 5.0,
            guide.colour,
            escape(&guide.label)
        );
    }

    // The series: a polyline, then a marker with its values at each point.
    for series in &chart.series {
        let points: Vec<(f64, f64)> = series
            .points
            .iter()
            .copied()
            .filter(|(x, y)| x_axis.accepts(*x) && y.is_finite())
            .collect();
        let style = series.style;
        let coords: Vec<String> = points
            .iter()
            .map(|(x, y)| format!("{:.1},{:.1}", x_axis.pixel(*x), y_pixel(*y)))
            .collect();
        let _ = writeln!(
            out,
            r#"<polyline points="{}" fill="none" stroke="{}" stroke-width="2"{}/>"#,
            coords.join(" "),
            style.colour,
            dashes(style.dashed)
        );
        for (x, y) in &points {
            let title = format!("{}: {} at {}", series.name, number(*y), si(*x));
            marker(out, style, x_axis.pixel(*x), y_pixel(*y), Some(&title));
        }
    }

    // The legend, right of the plot area.
    let legend_x = right + 20.0;
    for (index, series) in chart.series.iter().enumerate() {
        let ly = top + 10.0 + index as f64 * 24.0;
        let _ = writeln!(
            out,
            r#"<line x1="{legend_x}" y1="{ly}" x2="{}" y2="{ly}" stroke="{}" stroke-width="2"{}/>"#,
            legend_x + 30.0,
            series.style.colour,
            dashes(series.style.dashed)
        );
        marker(out, series.style, legend_x + 15.0, ly, None);
        let _ = writeln!(
            out,
            r#"<text x="{}" y="{}" font-size="13">{}</text>"#,
            legend_x + 38.0,
            ly + 4.5,
            escape(&series.name)
        );
    }
}

fn dashes(dashed: bool) -> &'static str {
    if dashed {
        r#" stroke-dasharray="7,4""#
    } else {
        ""
    }
}

/// One marker at `(x, y)` pixels, with a hover `title` if given.
fn marker(out: &mut String, style: Style, x: f64, y: f64, title: Option<&str>) {
    let colour = style.colour;
    let shape = match style.marker {
        Marker::Circle => format!(r#"<circle cx="{x:.1}" cy="{y:.1}" r="4" fill="{colour}""#),
        Marker::Ring => format!(
            r#"<circle cx="{x:.1}" cy="{y:.1}" r="4" fill="white" stroke="{colour}" stroke-width="2""#
        ),
        Marker::Square => format!(
            r#"<rect x="{:.1}" y="{:.1}" width="8" height="8" fill="{colour}""#,
            x - 4.0,
            y - 4.0
        ),
        Marker::Triangle => format!(
            r#"<path d="M{x:.1},{:.1} L{:.1},{:.1} L{:.1},{:.1} Z" fill="{colour}""#,
            y - 5.0,
            x + 5.0,
            y + 4.0,
            x - 5.0,
            y + 4.0
        ),
        Marker::Diamond => format!(
            r#"<path d="M{x:.1},{:.1} L{:.1},{y:.1} L{x:.1},{:.1} L{:.1},{y:.1} Z" fill="{colour}""#,
            y - 5.5,
            x + 5.5,
            y + 5.5,
            x - 5.5
        ),
    };
    let name = match style.marker {
        Marker::Circle | Marker::Ring => "circle",
        Marker::Square => "rect",
        Marker::Triangle | Marker::Diamond => "path",
    };
    match title {
        Some(title) => {
            let _ = writeln!(out, "{shape}><title>{}</title></{name}>", escape(title));
        }
        None => {
            let _ = writeln!(out, "{shape}/>");
        }
    }
}

/// The x axis' ticks, `(value, major)`: on a log axis every decade (major) and 2..9 times it
/// (minor); on a linear one the steps of [`nice_axis`].
fn x_ticks(axis: &XAxis) -> Vec<(f64, bool)> {
    let mut ticks = Vec::new();
    match axis.scale {
        Scale::Log10 => {
            let (lo, hi) = (
                axis.lo.log10().round() as i32,
                axis.hi.log10().round() as i32,
            );
            for decade in lo..=hi {
                let base = 10f64.powi(decade);
                ticks.push((base, true));
                if decade < hi {
                    ticks.extend((2..10).map(|m| (base * f64::from(m), false)));
                }
            }
        }
        Scale::Linear => {
            let (step, top) = nice_axis(axis.hi);
            let mut x = axis.lo;
            while x <= top * (1.0 + 1e-9) && x <= axis.hi * (1.0 + 1e-9) {
                ticks.push((x, true));
                x += step;
            }
        }
    }
    ticks
}

/// A round step (1, 2 or 5 times a power of ten) and the axis' top, a multiple of the step at
/// or above `max`: 4 to 10 steps from 0.
fn nice_axis(max: f64) -> (f64, f64) {
    if !(max.is_finite() && max > 0.0) {
        return (1.0, 1.0);
    }
    let raw = max / 6.0;
    let magnitude = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 5.0, 10.0]
        .into_iter()
        .map(|m| m * magnitude)
        .find(|s| *s >= raw)
        .unwrap_or(10.0 * magnitude);
    let top = (max / step).ceil().max(1.0) * step;
    (step, top)
}

/// A y tick's label: as many decimals as the step needs.
fn tick_label(y: f64, step: f64) -> String {
    let decimals = if step >= 1.0 {
        0
    } else {
        (-step.log10().floor()) as usize
    };
    format!("{y:.decimals$}")
}

/// `x` with an SI suffix where round (`1k`, `300k`, `1M`), else as a plain number.
pub fn si(x: f64) -> String {
    for (factor, suffix) in [(1e9, "G"), (1e6, "M"), (1e3, "k")] {
        if x >= factor {
            let scaled = x / factor;
            if (scaled - scaled.round()).abs() < 1e-9 {
                return format!("{}{suffix}", scaled.round());
            }
            return format!("{}{suffix}", number(scaled));
        }
    }
    number(x)
}

/// `value` with three significant digits, trailing zeros dropped.
fn number(value: f64) -> String {
    let digits = match value.abs() {
        v if v < 10.0 => 2,
        v if v < 100.0 => 1,
        _ => 0,
    };
    let text = format!("{value:.digits$}");
    if text.contains('.') {
        text.trim_end_matches('0').trim_end_matches('.').to_owned()
    } else {
        text
    }
}

/// `text` safe inside an SVG element or attribute.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn axes_get_round_steps() {
        assert_eq!(nice_axis(430.0), (100.0, 500.0));
        assert_eq!(nice_axis(95.0), (20.0, 100.0));
        assert_eq!(nice_axis(0.0), (1.0, 1.0));
        assert_eq!(tick_label(0.5, 0.1), "0.5");
        assert_eq!(tick_label(300.0, 100.0), "300");
    }

    #[test]
    fn counts_read_as_people_write_them() {
        assert_eq!(si(1_000.0), "1k");
        assert_eq!(si(300_000.0), "300k");
        assert_eq!(si(1_000_000.0), "1M");
        assert_eq!(si(1_500.0), "1.5k");
        assert_eq!(si(42.0), "42");
    }

    #[test]
    fn log_axis_has_decades_and_minor_ticks() {
        let axis = XAxis {
            scale: Scale::Log10,
            lo: 1e3,
            hi: 1e6,
            left: 0.0,
            right: 300.0,
        };
        let ticks = x_ticks(&axis);
        let majors: Vec<f64> = ticks.iter().filter(|t| t.1).map(|t| t.0).collect();
        assert_eq!(majors, vec![1e3, 1e4, 1e5, 1e6]);
        assert_eq!(ticks.len(), 4 + 3 * 8);
        assert!((axis.pixel(1e4) - 100.0).abs() < 1e-9);
    }

    #[test]
    fn text_is_escaped_and_bad_points_left_out() {
        let chart = Chart {
            series: vec![Series {
                name: "a<b & c".into(),
                points: vec![(0.0, 1.0), (10.0, f64::NAN), (100.0, 2.0), (1000.0, 3.0)],
                style: Style {
                    colour: "red",
                    dashed: true,
                    marker: Marker::Diamond,
                },
            }],
            guides: vec![Guide {
                y: 4.5,
                label: "1.5 x min".into(),
                colour: "gray",
            }],
            ..Chart::new("t", "x", "y", Scale::Log10)
        };
        let svg = render(&[chart], 800);
        assert!(svg.contains("a&lt;b &amp; c"));
        assert!(!svg.contains("NaN") && !svg.contains("inf"));
        // Two points survive on the log axis: (0, 1) and (10, NaN) are dropped.
        assert_eq!(svg.matches("<title>").count(), 2);
    }
}
