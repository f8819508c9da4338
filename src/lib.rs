//! Konvert: letters to political prisoners, from the first draft to the reply.

pub mod accounts;
pub mod address;
pub mod compose;
pub mod config;
pub mod dashboard;
pub mod db;
pub mod delivery;
pub mod demo;
pub mod error;
pub mod exchange;
pub mod i18n;
pub mod letters;
pub mod locale;
pub mod mail;
pub mod prisoners;
pub mod reminders;
pub mod replies;
pub mod review;
pub mod startup;
pub mod templates;
pub mod web;
