//! Integration tests: the real app on a random port, a fresh database per
//! test, the same tests on SQLite and (when configured) PostgreSQL.

mod helpers;

mod accounts;
mod authorization;
mod cli;
mod dashboard;
mod delivery;
mod demo;
mod eletters;
mod export;
mod facilities;
mod i18n;
mod letters;
mod migrations;
mod pages;
mod post;
mod prisoners;
mod reminders;
mod replies;
mod review;
mod setup;
mod smtp_sink;
mod storage;
