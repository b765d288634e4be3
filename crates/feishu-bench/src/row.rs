//! One line of the table: a figure of ours beside its reference from the same run, the ratio,
//! and the budget it is held to.

use std::fmt;

/// What a figure counts; decides how it is printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    /// Wall time.
    Millis,
    /// Memory or file size.
    Bytes,
    /// Calls to an endpoint.
    Calls,
    /// CPU time (user and system), in milliseconds.
    CpuMillis,
    /// Voluntary context switches: how often a thread went to sleep, each a wake-up later.
    Switches,
    /// Files in a folder.
    Files,
}

/// A measured value (a median, a size or a count).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Figure {
    pub value: f64,
    pub unit: Unit,
}

impl Figure {
    pub fn millis(value: f64) -> Self {
        Self {
            value,
            unit: Unit::Millis,
        }
    }

    #[allow(clippy::cast_precision_loss)] // Sizes here are far below 2^52 bytes.
    pub fn bytes(value: u64) -> Self {
        Self {
            value: value as f64,
            unit: Unit::Bytes,
        }
    }

    pub fn calls(value: u32) -> Self {
        Self {
            value: f64::from(value),
            unit: Unit::Calls,
        }
    }

    pub fn cpu_millis(value: f64) -> Self {
        Self {
            value,
            unit: Unit::CpuMillis,
        }
    }

    #[allow(clippy::cast_precision_loss)] // Counts far below 2^52.
    pub fn switches(value: u64) -> Self {
        Self {
            value: value as f64,
            unit: Unit::Switches,
        }
    }

    #[allow(clippy::cast_precision_loss)] // Counts far below 2^52.
    pub fn files(value: usize) -> Self {
        Self {
            value: value as f64,
            unit: Unit::Files,
        }
    }
}

impl fmt::Display for Figure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.unit {
            Unit::Millis if self.value < 10.0 => write!(f, "{:.2} ms", self.value),
            Unit::Millis => write!(f, "{:.1} ms", self.value),
            Unit::Bytes => write!(f, "{:.2} MiB", self.value / 1024.0 / 1024.0),
            Unit::Calls if (self.value - 1.0).abs() < f64::EPSILON => f.write_str("1 call"),
            Unit::Calls => write!(f, "{} calls", self.value),
            Unit::CpuMillis if self.value < 10.0 => write!(f, "{:.2} ms CPU", self.value),
            Unit::CpuMillis => write!(f, "{:.0} ms CPU", self.value),
            Unit::Switches => write!(f, "{:.0} switches", self.value),
            Unit::Files if (self.value - 1.0).abs() < f64::EPSILON => f.write_str("1 file"),
            Unit::Files => write!(f, "{:.0} files", self.value),
        }
    }
}

/// The limit a row is held to.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Budget {
    /// Ours ≤ this many times the reference.
    Ratio(f64),
    /// Ours ≤ this figure, whatever the reference.
    AtMost(Figure),
    /// Ours equals this figure exactly (a count).
    Exactly(Figure),
    /// Ours ≤ the reference plus this figure: a count that must not grow (files left behind).
    Extra(Figure),
    /// Shown for information only.
    None,
}

impl fmt::Display for Budget {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Budget::Ratio(r) => write!(f, "≤ {r:.2}×"),
            Budget::AtMost(figure) => write!(f, "≤ {figure}"),
            Budget::Exactly(figure) => write!(f, "= {figure}"),
            Budget::Extra(figure) => write!(f, "≤ reference + {figure}"),
            Budget::None => f.write_str("—"),
        }
    }
}

/// A row of the table.
#[derive(Debug, Clone)]
pub struct Row {
    /// The task's row number and part, such as `1` or `6b`.
    pub id: &'static str,
    /// What is measured, short.
    pub name: &'static str,
    /// What the reference is.
    pub reference_name: &'static str,
    pub ours: Figure,
    pub reference: Figure,
    pub budget: Budget,
}

impl Row {
    /// Ours over the reference.
    pub fn ratio(&self) -> f64 {
        if self.reference.value == 0.0 {
            f64::INFINITY
        } else {
            self.ours.value / self.reference.value
        }
    }

    /// Whether the budget holds; `None` for rows without one.
    pub fn passes(&self) -> Option<bool> {
        match self.budget {
            Budget::Ratio(limit) => Some(self.ratio() <= limit),
            Budget::AtMost(limit) => Some(self.ours.value <= limit.value),
            Budget::Exactly(want) => Some((self.ours.value - want.value).abs() < f64::EPSILON),
            Budget::Extra(more) => Some(self.ours.value <= self.reference.value + more.value),
            Budget::None => None,
        }
    }

    /// ✓, ✗, or blank for an informational row.
    pub fn verdict(&self) -> &'static str {
        match self.passes() {
            Some(true) => "✓",
            Some(false) => "✗",
            None => "",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(ours: f64, reference: f64, budget: Budget) -> Row {
        Row {
            id: "1",
            name: "n",
            reference_name: "r",
            ours: Figure::millis(ours),
            reference: Figure::millis(reference),
            budget,
        }
    }

    #[test]
    fn budgets_decide_the_verdict() {
        assert_eq!(row(11.0, 10.0, Budget::Ratio(1.1)).passes(), Some(true));
        assert_eq!(row(11.5, 10.0, Budget::Ratio(1.1)).passes(), Some(false));
        let ten = Budget::AtMost(Figure::millis(10.0));
        assert_eq!(row(9.0, 1.0, ten).passes(), Some(true));
        assert_eq!(row(10.5, 1.0, ten).passes(), Some(false));
        assert_eq!(row(3.0, 1.0, Budget::None).passes(), None);
        let one = Budget::Exactly(Figure::calls(1));
        let mut calls = row(1.0, 1.0, one);
        calls.ours = Figure::calls(1);
        assert_eq!(calls.passes(), Some(true));
        calls.ours = Figure::calls(2);
        assert_eq!(calls.passes(), Some(false));
        let none_more = Budget::Extra(Figure::files(0));
        let mut files = row(0.0, 0.0, none_more);
        (files.ours, files.reference) = (Figure::files(4), Figure::files(4));
        assert_eq!(files.passes(), Some(true));
        files.ours = Figure::files(5);
        assert_eq!(files.passes(), Some(false));
    }

    #[test]
    fn figures_print_in_their_unit() {
        assert_eq!(Figure::millis(3.456).to_string(), "3.46 ms");
        assert_eq!(Figure::millis(345.6).to_string(), "345.6 ms");
        assert_eq!(Figure::bytes(3 * 1024 * 1024).to_string(), "3.00 MiB");
        assert_eq!(Figure::calls(1).to_string(), "1 call");
        assert_eq!(Figure::cpu_millis(123.4).to_string(), "123 ms CPU");
        assert_eq!(Figure::switches(4567).to_string(), "4567 switches");
        assert_eq!(Figure::files(0).to_string(), "0 files");
        assert_eq!(
            Budget::Extra(Figure::files(0)).to_string(),
            "≤ reference + 0 files"
        );
    }
}
