//! Numbers as the CSV files write them. Every CSV writer goes through one of these three,
//! so a value has one spelling wherever it appears: [`decimal`] for what a run measures,
//! [`compact`] for what is often a count, [`given`] for a value the user gave (a factor
//! setting), which must read back as the very number that was run.

/// A measured value: six decimals, `-0` written as `0`, empty when undefined (NaN or
/// infinite). Used by `summary.csv`, `runs.csv`, the sweep aggregates and series.
pub fn decimal(v: f64) -> String {
    if v.is_finite() {
        format!("{:.6}", v + 0.0)
    } else {
        String::new()
    }
}

/// A value that is often a count: whole numbers without decimals (below 10^15), others
/// with six; empty when undefined. Used by `ticks.csv` and `territory.csv`.
pub fn compact(v: f64) -> String {
    if !v.is_finite() {
        String::new()
    } else if v == v.trunc() && v.abs() < 1e15 {
        format!("{}", v as i64)
    } else {
        format!("{v:.6}")
    }
}

/// A value given as input (a factor's setting in `runs.csv`, the sweep aggregates and the
/// report): the shortest spelling that reads back as the same `f64` (so `0.15` stays
/// `0.15` and a Latin-hypercube draw keeps every digit), whole numbers without decimals,
/// `-0` written as `0`, empty when undefined.
pub fn given(v: f64) -> String {
    if v.is_finite() {
        format!("{}", v + 0.0)
    } else {
        String::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimal_spells_values_one_way() {
        assert_eq!(decimal(0.5), "0.500000");
        assert_eq!(decimal(-0.0), "0.000000");
        assert_eq!(decimal(-1e-9), "-0.000000");
        assert_eq!(decimal(f64::NAN), "");
        assert_eq!(decimal(f64::INFINITY), "");
    }

    #[test]
    fn compact_keeps_counts_whole() {
        assert_eq!(compact(12.0), "12");
        assert_eq!(compact(-3.0), "-3");
        assert_eq!(compact(0.25), "0.250000");
        assert_eq!(compact(1e16), "10000000000000000.000000");
        assert_eq!(compact(f64::NAN), "");
    }

    #[test]
    fn given_reads_back_exactly() {
        assert_eq!(given(0.15), "0.15");
        assert_eq!(given(0.8), "0.8");
        assert_eq!(given(3.0), "3");
        assert_eq!(given(-0.0), "0");
        assert_eq!(given(f64::NAN), "");
        let x = 0.123_456_789_012_345_68;
        assert_eq!(given(x).parse::<f64>().unwrap(), x);
        // A whole number is spelled as `compact` spells it.
        assert_eq!(given(12.0), compact(12.0));
    }
}
