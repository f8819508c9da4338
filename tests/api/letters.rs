//! Integration tests for letters.
