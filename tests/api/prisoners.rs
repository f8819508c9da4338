//! Integration tests for prisoners.
