//! Helpers shared by Sotto's end-to-end tests (`tests/tests/*.rs`).
