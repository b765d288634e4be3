//! A small SVG bar chart of the ratios against their budgets, written by hand: one horizontal bar
//! per row (ours ÷ reference), a line where the budget lies, green when it holds.

use std::fmt::Write as _;

use crate::row::{Budget, Row};

const WIDTH: f64 = 860.0;
const LABEL_WIDTH: f64 = 300.0;
const VALUE_WIDTH: f64 = 170.0;
const ROW_HEIGHT: f64 = 28.0;
const TOP: f64 = 30.0;
const BOTTOM: f64 = 30.0;
const LEGEND: f64 = 22.0;

const PASS: &str = "#2e9e5b";
const FAIL: &str = "#d64545";
const INFO: &str = "#8a94a6";

/// Where the budget lies on the ratio axis: an absolute budget is divided by the reference
/// measured in the same run, so the bar crosses the line exactly when the budget fails.
fn budget_ratio(row: &Row) -> Option<f64> {
    match row.budget {
        Budget::Ratio(r) => Some(r),
        Budget::AtMost(f) | Budget::Exactly(f) if row.reference.value > 0.0 => {
            Some(f.value / row.reference.value)
        }
        Budget::Extra(f) if row.reference.value > 0.0 => {
            Some((row.reference.value + f.value) / row.reference.value)
        }
        Budget::AtMost(_) | Budget::Exactly(_) | Budget::Extra(_) | Budget::None => None,
    }
}

/// The axis ends past every bar and every ratio budget, but not at an absolute budget far to the
/// right (10 ms against a 1 ms floor would squash every bar): such a line is drawn at the edge.
fn axis_end(rows: &[Row]) -> (f64, f64) {
    let largest = rows
        .iter()
        .flat_map(|r| {
            let budget = match r.budget {
                Budget::Ratio(_) | Budget::Exactly(_) | Budget::Extra(_) => budget_ratio(r),
                Budget::AtMost(_) | Budget::None => None,
            };
            [Some(r.ratio()), budget]
        })
        .flatten()
        .filter(|v| v.is_finite())
        .fold(2.0_f64, f64::max);
    let step = if largest > 6.0 { 1.0 } else { 0.5 };
    ((largest * 1.05 / step).ceil() * step, step)
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// The chart of `rows` as an SVG document.
#[allow(clippy::cast_precision_loss)] // A handful of rows and grid lines.
pub fn svg(rows: &[Row], title: &str) -> String {
    let (max, step) = axis_end(rows);
    let plot = WIDTH - LABEL_WIDTH - VALUE_WIDTH;
    let x = |ratio: f64| LABEL_WIDTH + plot * ratio.clamp(0.0, max) / max;
    let height = TOP + ROW_HEIGHT * rows.len() as f64 + BOTTOM + LEGEND;

    let mut out = String::new();
    let _ = writeln!(
        out,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}" viewBox="0 0 {WIDTH} {height}" font-family="sans-serif" font-size="12">"#
    );
    let _ = writeln!(
        out,
        r##"<rect width="100%" height="100%" fill="#ffffff"/>
<text x="{LABEL_WIDTH}" y="18" font-size="13" font-weight="bold">{}</text>
<text x="10" y="{:.1}" fill="#555">Bars: ours ÷ reference (medians, measured in the same run). Black line: the budget. Green holds, red fails, grey has no budget.</text>"##,
        escape(title),
        height - 8.0
    );
    // Grid and axis labels.
    let mut ratio = 0.0;
    while ratio <= max + 1e-9 {
        let gx = x(ratio);
        let (stroke, dash) = if (ratio - 1.0).abs() < 1e-9 {
            ("#333", "")
        } else {
            ("#ddd", r#" stroke-dasharray="2,3""#)
        };
        let bottom = height - BOTTOM - LEGEND;
        let _ = writeln!(
            out,
            r##"<line x1="{gx:.1}" y1="{TOP}" x2="{gx:.1}" y2="{bottom}" stroke="{stroke}"{dash}/><text x="{gx:.1}" y="{:.1}" text-anchor="middle" fill="#555">{ratio}×</text>"##,
            bottom + 16.0
        );
        ratio += step;
    }
    for (i, row) in rows.iter().enumerate() {
        let y = TOP + ROW_HEIGHT * i as f64;
        let colour = match row.passes() {
            Some(true) => PASS,
            Some(false) => FAIL,
            None => INFO,
        };
        let ratio = row.ratio();
        let bar = x(ratio) - LABEL_WIDTH;
        let limit = budget_ratio(row);
        let text_x = x(ratio).max(limit.map_or(0.0, x)) + 6.0;
        let _ = writeln!(
            out,
            r#"<text x="{:.1}" y="{:.1}" text-anchor="end">{} {}</text>
<rect x="{LABEL_WIDTH}" y="{:.1}" width="{bar:.1}" height="{:.1}" fill="{colour}"/>
<text x="{:.1}" y="{:.1}">{ratio:.2}×</text>"#,
            LABEL_WIDTH - 8.0,
            y + ROW_HEIGHT * 0.62,
            escape(row.id),
            escape(row.name),
            y + 5.0,
            ROW_HEIGHT - 10.0,
            text_x,
            y + ROW_HEIGHT * 0.62,
        );
        if let Some(limit) = limit {
            let bx = x(limit);
            let _ = writeln!(
                out,
                r##"<line x1="{bx:.1}" y1="{:.1}" x2="{bx:.1}" y2="{:.1}" stroke="#000" stroke-width="2.5"/>"##,
                y + 1.0,
                y + ROW_HEIGHT - 1.0
            );
            if limit > max {
                let _ = writeln!(
                    out,
                    r##"<text x="{:.1}" y="{:.1}" fill="#555">budget {limit:.1}× →</text>"##,
                    text_x + 44.0,
                    y + ROW_HEIGHT * 0.62,
                );
            }
        }
    }
    out.push_str("</svg>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::row::Figure;

    #[test]
    fn one_bar_and_one_budget_line_per_row() {
        let rows = vec![
            Row {
                id: "1",
                name: "a <b>",
                reference_name: "r",
                ours: Figure::millis(12.0),
                reference: Figure::millis(10.0),
                budget: Budget::Ratio(1.1),
            },
            Row {
                id: "5",
                name: "token",
                reference_name: "cat",
                ours: Figure::millis(4.0),
                reference: Figure::millis(1.0),
                budget: Budget::AtMost(Figure::millis(10.0)),
            },
        ];
        let svg = svg(&rows, "t");
        assert_eq!(svg.matches("<rect x=").count(), 2);
        assert_eq!(svg.matches("stroke-width=\"2.5\"").count(), 2);
        assert!(svg.contains(FAIL) && svg.contains(PASS));
        assert!(svg.contains("a &lt;b&gt;"));
        assert!(svg.starts_with("<svg") && svg.trim_end().ends_with("</svg>"));
    }
}
