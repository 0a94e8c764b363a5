#![no_main]
//! libFuzzer target: the first 8 bytes seed a random sequence of client edits
//! applied to the rest (as a TypeScript, SQL or dotenv document); the server's
//! incremental text and diagnostics must equal the client's text and a fresh open.
use libfuzzer_sys::fuzz_target;
use prodlint::fuzzing::{check_lsp_edits, Rng, Target};

fuzz_target!(|data: &[u8]| {
    if data.len() < 9 {
        return;
    }
    let (head, rest) = data.split_at(8);
    let mut seed = [0u8; 8];
    seed.copy_from_slice(head);
    let mut rng = Rng::new(u64::from_le_bytes(seed));
    let target = *rng.pick(&[Target::Ts, Target::Tsx, Target::Sql, Target::Dotenv]);
    let text = String::from_utf8_lossy(rest);
    let steps = 1 + rng.below(12);
    if let Err(f) = check_lsp_edits(&mut rng, target, &text, steps) {
        panic!("property `{}` broken: {}", f.property, f.detail);
    }
});
