//! Integration tests for facilities.
