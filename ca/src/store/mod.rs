//! The register's storage (being written).
