//! SVG charts drawn on the server: readable without JavaScript, each with a
//! text alternative (a title, and a table beside it on the page).

use maud::{html, Markup};

use crate::stats::Estimate;

/// A horizontal bar from the interval's low to high end with a mark at the
/// estimate, on a 0–100 % axis.
pub fn ci_bar(estimate: &Estimate, label: &str) -> Markup {
    const WIDTH: f64 = 160.0;
    match (estimate.estimate, estimate.ci_low, estimate.ci_high) {
        (Some(value), Some(low), Some(high)) => html! {
            svg.bar width="160" height="16" viewBox="0 0 160 16" role="img" aria-label=(label) {
                title { (label) }
                rect x="0" y="7" width="160" height="2" fill="#dde3ea" {}
                rect x=(format!("{:.1}", low * WIDTH)) y="3" width=(format!("{:.1}", ((high - low) * WIDTH).max(1.0))) height="10" rx="2" fill="#9cc3e6" {}
                rect x=(format!("{:.1}", value * WIDTH - 1.5)) y="1" width="3" height="14" fill="#0b4f8a" {}
            }
        },
        _ => html! {},
    }
}

/// A line of estimates over periods with the interval drawn as a band.
/// Points without an estimate (suppressed) leave a gap. Drawn twice, the
/// page showing one by its width: a wide chart, and a narrow one for phones
/// whose labels stay 12 px or more (a scaled-down wide chart would draw
/// them at 5 px).
pub fn trend(points: &[(String, &Estimate)], label: &str) -> Markup {
    html! {
        (trend_drawing(points, label, &WIDE))
        (trend_drawing(points, label, &NARROW))
    }
}

/// The geometry of one drawing of the trend, in its own units (CSS pixels
/// when drawn at its natural width).
struct TrendSize {
    class: &'static str,
    width: f64,
    height: f64,
    left: f64,
    font: f64,
    /// Every how many periods a label is written.
    label_every: usize,
}

const WIDE: TrendSize = TrendSize {
    class: "trend wide",
    width: 640.0,
    height: 200.0,
    left: 44.0,
    font: 12.0,
    label_every: 1,
};

/// At most 280 units wide: a 360 px screen leaves about 290 px inside a
/// card, so the drawing is never scaled below its natural size there.
const NARROW: TrendSize = TrendSize {
    class: "trend narrow",
    width: 280.0,
    height: 190.0,
    left: 34.0,
    font: 12.0,
    label_every: 2,
};

fn trend_drawing(points: &[(String, &Estimate)], label: &str, size: &TrendSize) -> Markup {
    const BOTTOM: f64 = 28.0;
    const TOP: f64 = 10.0;
    let (width, height, left) = (size.width, size.height, size.left);
    let plot_width = width - left - 12.0;
    let plot_height = height - BOTTOM - TOP;
    let step = plot_width / points.len().max(1) as f64;
    let x = |i: usize| left + step * (i as f64 + 0.5);
    let y = |p: f64| TOP + (1.0 - p) * plot_height;
    let shown: Vec<(usize, f64, f64, f64)> = points
        .iter()
        .enumerate()
        .filter_map(|(i, (_, e))| Some((i, e.estimate?, e.ci_low?, e.ci_high?)))
        .collect();
    let band = {
        let upper: Vec<String> = shown
            .iter()
            .map(|(i, _, _, h)| format!("{:.1},{:.1}", x(*i), y(*h)))
            .collect();
        let lower: Vec<String> = shown
            .iter()
            .rev()
            .map(|(i, _, l, _)| format!("{:.1},{:.1}", x(*i), y(*l)))
            .collect();
        [upper, lower].concat().join(" ")
    };
    let line: Vec<String> = shown
        .iter()
        .map(|(i, e, _, _)| format!("{:.1},{:.1}", x(*i), y(*e)))
        .collect();
    // Labels from the newest backwards, so the latest period is named.
    let last = points.len().saturating_sub(1);
    html! {
        svg class=(size.class) viewBox=(format!("0 0 {width} {height}")) role="img" aria-label=(label) preserveAspectRatio="xMidYMid meet" {
            title { (label) }
            @for tick in [0.0, 0.25, 0.5, 0.75, 1.0] {
                line x1=(left) x2=(width - 12.0) y1=(format!("{:.1}", y(tick))) y2=(format!("{:.1}", y(tick))) stroke="#e3e7ec" {}
                text x=(left - 6.0) y=(format!("{:.1}", y(tick) + 4.0)) text-anchor="end" font-size=(size.font) fill="#555" { (format!("{:.0}", tick * 100.0)) }
            }
            @if shown.len() > 1 {
                polygon points=(band) fill="#9cc3e6" fill-opacity="0.5" {}
                polyline points=(line.join(" ")) fill="none" stroke="#0b4f8a" stroke-width="2" {}
            }
            @for (i, e, _, _) in &shown {
                circle cx=(format!("{:.1}", x(*i))) cy=(format!("{:.1}", y(*e))) r="3.5" fill="#0b4f8a" {}
            }
            @for (i, (period, _)) in points.iter().enumerate() {
                @if (last - i).is_multiple_of(size.label_every) {
                    text x=(format!("{:.1}", x(i))) y=(height - 8.0) text-anchor="middle" font-size=(size.font) fill="#333" { (period) }
                }
            }
        }
    }
}
