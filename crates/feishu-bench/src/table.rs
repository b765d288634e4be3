//! The table, as the terminal shows it and as Markdown for the README.

use std::fmt::Write as _;

use crate::row::Row;

const HEADER: [&str; 8] = [
    "#",
    "measure",
    "ours",
    "reference",
    "reference is",
    "ratio",
    "budget",
    "ok",
];

/// The cells of one row, in [`HEADER`] order.
fn cells(row: &Row) -> [String; 8] {
    [
        row.id.to_owned(),
        row.name.to_owned(),
        row.ours.to_string(),
        row.reference.to_string(),
        row.reference_name.to_owned(),
        format!("{:.2}×", row.ratio()),
        row.budget.to_string(),
        row.verdict().to_owned(),
    ]
}

/// Numbers are right-aligned, words left-aligned.
fn right_aligned(column: usize) -> bool {
    matches!(column, 2 | 3 | 5)
}

/// A plain-text table with aligned columns.
pub fn text(rows: &[Row]) -> String {
    let body: Vec<[String; 8]> = rows.iter().map(cells).collect();
    let header = HEADER.map(str::to_owned);
    let widths: Vec<usize> = (0..HEADER.len())
        .map(|c| {
            std::iter::once(&header)
                .chain(&body)
                .map(|r| r[c].chars().count())
                .max()
                .unwrap_or(0)
        })
        .collect();
    let line = |r: &[String; 8]| {
        let mut out = String::new();
        for (c, cell) in r.iter().enumerate() {
            let pad = " ".repeat(widths[c] - cell.chars().count());
            if right_aligned(c) {
                out.push_str(&pad);
                out.push_str(cell);
            } else {
                out.push_str(cell);
                out.push_str(&pad);
            }
            out.push_str("  ");
        }
        out.trim_end().to_owned()
    };
    let rule: String = "─".repeat(widths.iter().sum::<usize>() + 2 * (widths.len() - 1));
    let mut out = vec![line(&header), rule];
    out.extend(body.iter().map(line));
    out.join("\n") + "\n"
}

/// The same table in GitHub Markdown.
pub fn markdown(rows: &[Row]) -> String {
    let align: Vec<&str> = (0..HEADER.len())
        .map(|c| if right_aligned(c) { "---:" } else { "---" })
        .collect();
    let mut out = format!("| {} |\n|{}|\n", HEADER.join(" | "), align.join("|"));
    for row in rows {
        let _ = writeln!(out, "| {} |", cells(row).join(" | "));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::row::{Budget, Figure};

    fn sample() -> Vec<Row> {
        vec![Row {
            id: "1",
            name: "cold start",
            reference_name: "empty app",
            ours: Figure::millis(110.0),
            reference: Figure::millis(100.0),
            budget: Budget::Ratio(1.1),
        }]
    }

    #[test]
    fn text_has_every_cell() {
        let t = text(&sample());
        for cell in [
            "cold start",
            "110.0 ms",
            "100.0 ms",
            "1.10×",
            "≤ 1.10×",
            "✓",
        ] {
            assert!(t.contains(cell), "{cell} missing from\n{t}");
        }
    }

    #[test]
    fn markdown_rows_have_as_many_cells_as_the_header() {
        let md = markdown(&sample());
        let counts: Vec<usize> = md.lines().map(|l| l.matches('|').count()).collect();
        assert!(counts.iter().all(|c| *c == counts[0]), "{md}");
    }
}
