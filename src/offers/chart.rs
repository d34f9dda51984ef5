//! Inline SVG bar chart of the points of each offer per main criterion (no JavaScript): one
//! stacked horizontal bar per offer, one colour per criterion, the total at the end of the bar.
//! Coordinates are computed with exact decimals and written with one decimal.

use crate::error::escape_html;
use rust_decimal::Decimal;
use rust_decimal::dec;

/// Colours of the criteria (cycled), chosen for contrast on white.
const PALETTE: [&str; 6] = [
    "#1d4e89", "#e07a1f", "#2a9d55", "#9b2f7f", "#7a6a1b", "#3b8ea5",
];
const LABEL_W: Decimal = dec!(220);
/// Pixels per point (100 points = 400 px).
const SCALE: Decimal = dec!(4);
const BAR_H: i64 = 22;
const GAP: i64 = 10;

/// One offer's bar.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Bar {
    pub label: String,
    /// Points per criterion, in the order of the legend.
    pub segments: Vec<Decimal>,
    /// Total shown at the end (rounded for display by the caller).
    pub total: String,
}

fn px(d: Decimal) -> String {
    let r = d.round_dp(1).normalize();
    r.to_string()
}

fn fr(d: Decimal) -> String {
    crate::scoring::format_points(d).replace('.', ",")
}

/// The chart; `criteria` are the legend labels, one per segment.
#[must_use]
pub fn stacked_bars(title: &str, criteria: &[String], bars: &[Bar]) -> String {
    let n = i64::try_from(bars.len()).unwrap_or(0);
    let legend_y = n * (BAR_H + GAP) + 20;
    let legend_rows = i64::try_from(criteria.len()).unwrap_or(0);
    let height = legend_y + legend_rows * 18 + 10;
    let width = LABEL_W + SCALE * dec!(100) + dec!(90);
    let mut s = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {w} {height}\" width=\"{w}\" height=\"{height}\" role=\"img\" aria-label=\"{t}\"><title>{t}</title>",
        w = px(width),
        t = escape_html(title)
    );
    for (i, b) in bars.iter().enumerate() {
        let y = i64::try_from(i).unwrap_or(0) * (BAR_H + GAP) + 10;
        s.push_str(&format!(
            "<text x=\"{}\" y=\"{}\" text-anchor=\"end\" font-size=\"12\">{}</text>",
            px(LABEL_W - dec!(8)),
            y + 15,
            escape_html(&b.label)
        ));
        let mut x = LABEL_W;
        for (k, v) in b.segments.iter().enumerate() {
            let w = (*v * SCALE).max(Decimal::ZERO);
            let crit = criteria.get(k).map_or("", String::as_str);
            s.push_str(&format!(
                "<rect x=\"{}\" y=\"{y}\" width=\"{}\" height=\"{BAR_H}\" fill=\"{}\"><title>{} : {} points</title></rect>",
                px(x),
                px(w),
                PALETTE[k % PALETTE.len()],
                escape_html(crit),
                fr(*v)
            ));
            x += w;
        }
        s.push_str(&format!(
            "<text x=\"{}\" y=\"{}\" font-size=\"12\" font-weight=\"bold\">{}</text>",
            px(x + dec!(6)),
            y + 15,
            escape_html(&b.total)
        ));
    }
    for (k, c) in criteria.iter().enumerate() {
        let y = legend_y + i64::try_from(k).unwrap_or(0) * 18;
        s.push_str(&format!(
            "<rect x=\"{}\" y=\"{y}\" width=\"12\" height=\"12\" fill=\"{}\"/><text x=\"{}\" y=\"{}\" font-size=\"12\">{}</text>",
            px(LABEL_W),
            PALETTE[k % PALETTE.len()],
            px(LABEL_W + dec!(18)),
            y + 11,
            escape_html(c)
        ));
    }
    s.push_str("</svg>");
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn segments_are_stacked_at_four_pixels_per_point() {
        let svg = stacked_bars(
            "Points",
            &["Technique".into(), "Prix <&>".into()],
            &[Bar {
                label: "ALPHA".into(),
                segments: vec![dec!(52.5), dec!(27.04)],
                total: "79,54".into(),
            }],
        );
        assert!(svg.starts_with("<svg"), "{svg}");
        // First segment from x = 220, 52.5 × 4 = 210 px wide; the second starts at 430.
        assert!(
            svg.contains("<rect x=\"220\" y=\"10\" width=\"210\""),
            "{svg}"
        );
        assert!(
            svg.contains("<rect x=\"430\" y=\"10\" width=\"108.2\""),
            "{svg}"
        );
        assert!(svg.contains("Prix &lt;&amp;&gt; : 27,04 points"), "{svg}");
        assert!(svg.contains(">79,54</text>"));
        assert!(svg.ends_with("</svg>"));
    }
}
