//! The `eds` command line.
fn main() {}
