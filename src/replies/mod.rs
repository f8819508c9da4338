//! Replies from prisoners: the reply codes printed on outgoing letters, and
//! finding them again in what comes back.

pub mod codes;
pub mod intake;
pub mod list;
pub mod notify;
pub mod record;
pub mod scans;
pub mod whom;
