//! Scaffolding shared by the integration tests (`mod common;`).

#![allow(dead_code)] // each test binary uses a part

pub mod fixtures;
