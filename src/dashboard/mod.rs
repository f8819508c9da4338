//! The dashboard's arithmetic, as pure functions: when birthdays fall, the
//! last day to send a letter by each channel so that it arrives in time, the
//! weighted pick of someone to write to, and the charts.

pub mod chart;
pub mod dates;
pub mod pick;

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
    fn median_of_odd_even_and_no_values() {
        assert_eq!(super::median(&mut [9.0, 1.0, 5.0]), Some(5.0));
        assert_eq!(super::median(&mut [4.0, 1.0, 3.0, 10.0]), Some(3.5));
        assert_eq!(super::median(&mut []), None);
    }
}
