//! E-mail reminders to supporters (issue 8): when each is due, and the
//! signed links that turn them off.

pub mod schedule;
pub mod token;
