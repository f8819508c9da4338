//! The dashboard's arithmetic, as pure functions: when birthdays fall, the
//! last day to send a letter by each channel so that it arrives in time, the
//! weighted pick of someone to write to, and the charts.

pub mod chart;
pub mod dates;
pub mod pick;

/// `part` as a whole percentage of `whole`, rounded half up (4 of 6 is 67),
/// and 0 of nothing.
pub fn percent(part: i64, whole: i64) -> i64 {
    if whole <= 0 {
        return 0;
    }
    (part * 200 + whole) / (whole * 2)
}

/// The median of some numbers (the mean of the middle two for an even
/// count); `None` for none.
pub fn median(values: &mut [f64]) -> Option<f64> {
    values.sort_by(f64::total_cmp);
    let n = values.len();
    match n {
        0 => None,
        _ if n % 2 == 1 => Some(values[n / 2]),
        _ => Some((values[n / 2 - 1] + values[n / 2]) / 2.0),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn percentages_round_half_up() {
        assert_eq!(super::percent(4, 6), 67);
        assert_eq!(super::percent(1, 3), 33);
        assert_eq!(super::percent(1, 8), 13);
        assert_eq!(super::percent(1, 200), 1);
        assert_eq!(super::percent(0, 5), 0);
        assert_eq!(super::percent(5, 5), 100);
        assert_eq!(super::percent(3, 0), 0);
    }

    #[test]
    fn median_of_odd_even_and_no_values() {
        assert_eq!(super::median(&mut [9.0, 1.0, 5.0]), Some(5.0));
        assert_eq!(super::median(&mut [4.0, 1.0, 3.0, 10.0]), Some(3.5));
        assert_eq!(super::median(&mut []), None);
    }
}
