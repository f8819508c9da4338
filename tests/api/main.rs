//! Integration tests: the real app on a random port, a fresh database per
//! test, the same tests on SQLite and (when configured) PostgreSQL.

mod helpers;

mod cli;
mod demo;
mod migrations;
mod pages;
mod setup;
mod storage;
