#![no_main]
//! libFuzzer target: lint (and, for a quarter of the inputs, fix) the input as a
//! Ts file under the properties of `prodlint::fuzzing`.
use libfuzzer_sys::fuzz_target;
use prodlint::fuzzing::{check_bytes, Budget, Target};
use std::time::Duration;

fuzz_target!(|data: &[u8]| {
    let budget = Budget {
        lint: Duration::from_secs(2),
        fixes: data.len() % 4 == 0,
    };
    if let Err(f) = check_bytes(Target::Ts, data, &budget) {
        panic!("property `{}` broken: {}", f.property, f.detail);
    }
});
