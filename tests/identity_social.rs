//! Identity tests.
