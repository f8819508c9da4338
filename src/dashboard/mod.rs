//! The dashboard's arithmetic, as pure functions: when birthdays fall, and
//! the last day to send a letter by each channel so that it arrives in time.

pub mod dates;
