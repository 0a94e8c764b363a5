//! The stable fuzz harness: mutations of seed files (the rule fixtures, the
//! examples and, with `PRODLINT_FUZZ_CORPUS=DIR`, any corpus such as the
//! benchmark's) linted and fixed under the properties of `prodlint::fuzzing`.
//!
//! `cargo test --test fuzz` runs a short pass (what CI runs). By hand, as long as
//! you like, in release mode:
//!
//! ```sh
//! PRODLINT_FUZZ_ITERS=2000000 PRODLINT_FUZZ_SEED=$RANDOM \
//!   PRODLINT_FUZZ_CORPUS=/tmp/corpus cargo test --release --test fuzz -- --nocapture
//! ```
//!
//! `PRODLINT_FUZZ_ITERS` is the number of executions per language harness (the
//! LSP harness runs a tenth as many edit sequences), `PRODLINT_FUZZ_SEED` makes
//! a run reproducible, `PRODLINT_FUZZ_BUDGET_MS` is the per-input lint budget,
//! `PRODLINT_FUZZ_THREADS` the number of workers (each with the linting stack;
//! the iterations are shared out). A progress line goes to stderr every
//! 100,000 inputs.
//! A failing input is written to `target/fuzz-failures/` and the test fails.

use prodlint::fuzzing::{self, Budget, Rng, Target};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

fn env_u64(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(default)
}

fn seed_dirs() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut dirs = vec![root.join("tests"), root.join("examples")];
    if let Ok(extra) = std::env::var("PRODLINT_FUZZ_CORPUS") {
        dirs.push(PathBuf::from(extra));
    }
    dirs
}

fn save_failure(name: &str, input: &[u8]) -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/fuzz-failures");
    let _ = std::fs::create_dir_all(&dir);
    let path = dir.join(name);
    let _ = std::fs::write(&path, input);
    path
}

fn run(target: Target, default_iters: u64) {
    // `PRODLINT_FUZZ_REPLAY=FILE`: check one saved input (a cargo-fuzz artifact
    // or a file from target/fuzz-failures/) instead of fuzzing.
    if let Ok(file) = std::env::var("PRODLINT_FUZZ_REPLAY") {
        let input = std::fs::read(&file).expect("the replayed input");
        if let Err(f) = fuzzing::check_bytes(target, &input, &Budget::default()) {
            panic!("{target:?}: {file} breaks `{}`\n{}", f.property, f.detail);
        }
        return;
    }
    let iters = env_u64("PRODLINT_FUZZ_ITERS", default_iters);
    let seed = env_u64("PRODLINT_FUZZ_SEED", 20261205);
    let budget = Budget {
        lint: Duration::from_millis(env_u64("PRODLINT_FUZZ_BUDGET_MS", 10_000)),
        fixes: true,
    };
    // Inputs that once broke a property (tests/fuzz-regressions/<target>/,
    // named after what broke) are checked first, every run.
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../tests/fuzz-regressions")
        .join(format!("{target:?}").to_lowercase());
    if let Ok(rd) = std::fs::read_dir(&dir) {
        for e in rd.flatten() {
            let input = std::fs::read(e.path()).expect("a regression input");
            if let Err(f) = fuzzing::check_bytes(target, &input, &Budget::default()) {
                panic!(
                    "{}: `{}` broken again\n{}",
                    e.path().display(),
                    f.property,
                    f.detail
                );
            }
        }
    }
    let mut seeds = fuzzing::seeds(target, &seed_dirs(), 2_000);
    seeds.push(Vec::new());
    assert!(seeds.len() > 1, "no seed files for {target:?}");
    // `PRODLINT_FUZZ_THREADS=N`: N workers (own seeds derived from `seed`,
    // iterations shared out), each on a thread with the linting stack, as in
    // `check`. One worker runs the same inputs as before this option existed.
    let threads = env_u64("PRODLINT_FUZZ_THREADS", 1).clamp(1, 64);
    let started = Instant::now();
    let done = std::sync::atomic::AtomicU64::new(0);
    let bytes = std::sync::atomic::AtomicU64::new(0);
    std::thread::scope(|scope| {
        let workers: Vec<_> = (0..threads)
            .map(|t| {
                let share = iters / threads + u64::from(t < iters % threads);
                let (seeds, budget, done, bytes) = (&seeds, &budget, &done, &bytes);
                std::thread::Builder::new()
                    .stack_size(prodlint::engine::LINT_STACK_BYTES)
                    .spawn_scoped(scope, move || {
                        let worker_seed = if t == 0 { seed } else { seed ^ (t << 40) };
                        let mut rng = Rng::new(worker_seed ^ target as u64);
                        for i in 0..share {
                            let mut input = rng.pick(seeds).clone();
                            for _ in 0..1 + rng.below(8) {
                                fuzzing::mutate(&mut rng, target, seeds, &mut input);
                            }
                            bytes.fetch_add(input.len() as u64, std::sync::atomic::Ordering::Relaxed);
                            // Long runs by hand: a progress line every 100,000 inputs (stderr).
                            let n = done.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1;
                            if n % 100_000 == 0 {
                                eprintln!(
                                    "fuzz {target:?}: {n} executions, {:.0} s",
                                    started.elapsed().as_secs_f64()
                                );
                            }
                            // Fixes cost about three more lints: check them on a quarter of the inputs.
                            let b = Budget {
                                fixes: i % 4 == 0,
                                ..budget.clone()
                            };
                            if let Err(f) = fuzzing::check_bytes(target, &input, &b) {
                                let path =
                                    save_failure(&format!("{target:?}-{worker_seed}-{i}"), &input);
                                panic!(
                                    "{target:?} iteration {i} (worker seed {worker_seed}) broke `{}`; input saved to {}\n{}",
                                    f.property,
                                    path.display(),
                                    f.detail
                                );
                            }
                        }
                    })
                    .expect("a fuzz worker thread")
            })
            .collect();
        for w in workers {
            if let Err(payload) = w.join() {
                std::panic::resume_unwind(payload);
            }
        }
    });
    let secs = started.elapsed().as_secs_f64();
    println!(
        "fuzz {target:?}: {iters} executions, 0 failures, {:.1} s, {:.0} exec/s, {:.1} MB linted, seed {seed}, {threads} worker(s), {} seed files",
        secs,
        iters as f64 / secs.max(1e-9),
        bytes.into_inner() as f64 / 1e6,
        seeds.len() - 1
    );
}

#[test]
fn fuzz_typescript() {
    run(Target::Ts, 400);
}

#[test]
fn fuzz_tsx() {
    run(Target::Tsx, 200);
}

#[test]
fn fuzz_sql() {
    run(Target::Sql, 400);
}

#[test]
fn fuzz_dotenv() {
    run(Target::Dotenv, 400);
}

#[test]
fn fuzz_lsp_incremental_edits() {
    let sequences = env_u64("PRODLINT_FUZZ_ITERS", 2_000) / 10;
    let seed = env_u64("PRODLINT_FUZZ_SEED", 20261205);
    let mut rng = Rng::new(seed ^ 0x15b);
    let targets = [Target::Ts, Target::Tsx, Target::Sql, Target::Dotenv];
    let seeds: Vec<(Target, Vec<Vec<u8>>)> = targets
        .iter()
        .map(|&t| (t, fuzzing::seeds(t, &seed_dirs(), 300)))
        .collect();
    let started = Instant::now();
    for i in 0..sequences {
        let (target, files) = rng.pick(&seeds);
        let mut text = files
            .get(rng.below(files.len().max(1)))
            .map(|b| String::from_utf8_lossy(b).into_owned())
            .unwrap_or_default();
        // Line endings of every kind, and text the UTF-16 columns must count right.
        match rng.below(4) {
            0 => text = text.replace('\n', "\r\n"),
            1 => text = text.replace('\n', "\r"),
            2 => text.insert_str(0, "// 😀 é 𝄞\r"),
            _ => {}
        }
        text.truncate(text.floor_char_boundary(16 * 1024));
        let steps = 1 + rng.below(25);
        if let Err(f) = fuzzing::check_lsp_edits(&mut rng, *target, &text, steps) {
            panic!(
                "LSP sequence {i} (seed {seed}, {target:?}) broke `{}`\n{}",
                f.property, f.detail
            );
        }
    }
    println!(
        "fuzz LSP: {sequences} edit sequences, 0 mismatches, {:.1} s, seed {seed}",
        started.elapsed().as_secs_f64()
    );
}
