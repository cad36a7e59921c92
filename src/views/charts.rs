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
/// Points without an estimate (suppressed) leave a gap.
pub fn trend(points: &[(String, &Estimate)], label: &str) -> Markup {
    const WIDTH: f64 = 640.0;
    const HEIGHT: f64 = 200.0;
    const LEFT: f64 = 44.0;
    const BOTTOM: f64 = 28.0;
    const TOP: f64 = 10.0;
    let plot_width = WIDTH - LEFT - 16.0;
    let plot_height = HEIGHT - BOTTOM - TOP;
    let step = plot_width / points.len().max(1) as f64;
    let x = |i: usize| LEFT + step * (i as f64 + 0.5);
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
    html! {
        svg.trend viewBox=(format!("0 0 {WIDTH} {HEIGHT}")) role="img" aria-label=(label) preserveAspectRatio="xMidYMid meet" {
            title { (label) }
            @for tick in [0.0, 0.25, 0.5, 0.75, 1.0] {
                line x1=(LEFT) x2=(WIDTH - 16.0) y1=(format!("{:.1}", y(tick))) y2=(format!("{:.1}", y(tick))) stroke="#e3e7ec" {}
                text x=(LEFT - 6.0) y=(format!("{:.1}", y(tick) + 4.0)) text-anchor="end" font-size="11" fill="#555" { (format!("{:.0}", tick * 100.0)) }
            }
            @if shown.len() > 1 {
                polygon points=(band) fill="#9cc3e6" fill-opacity="0.5" {}
                polyline points=(line.join(" ")) fill="none" stroke="#0b4f8a" stroke-width="2" {}
            }
            @for (i, e, _, _) in &shown {
                circle cx=(format!("{:.1}", x(*i))) cy=(format!("{:.1}", y(*e))) r="3.5" fill="#0b4f8a" {}
            }
            @for (i, (period, _)) in points.iter().enumerate() {
                text x=(format!("{:.1}", x(i))) y=(HEIGHT - 8.0) text-anchor="middle" font-size="11" fill="#333" { (period) }
            }
        }
    }
}
