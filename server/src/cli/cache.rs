//! The result cache of `check` (like Ruff's): per file, the findings of the last
//! run with their line/column positions, reused while the file's bytes, its
//! configuration, the workspace facts and the prodlint binary are unchanged.
//! Stored in `.prodlint_cache/` under the current folder (or
//! `$PRODLINT_CACHE_DIR`); `--no-cache` disables it.
//!
//! One binary file per key (version, build hash, facts), written atomically and
//! only when something changed. Layout (integers little-endian):
//!
//! ```text
//! MAGIC  FORMAT_VERSION:u32  key:str  count:u32
//! count × { path:str mtime_ns:u128 size:u64 hash:u64 config:u64 body:bytes }
//! checksum:u64   (xxh3 of everything before it)
//! ```
//!
//! `str` and `bytes` are a `u32` length and the bytes. A body (the findings of
//! one file) is decoded only when its file is looked up, in the worker threads.
//! A file that is truncated, corrupt, of another format version or of another key
//! is ignored (the run lints everything and rewrites it).
//!
//! The folder may be shared with other files (`PRODLINT_CACHE_DIR=.`, or a
//! `.prodlint_cache` that is a symlink to a user's folder), so the cache only
//! ever deletes files it wrote itself — `results-v*.bin` regular files that start
//! with its `MAGIC` — and writes its `.gitignore` only into a folder it created.
//! Files are opened only if they are regular files, without blocking (a FIFO
//! planted in the folder is skipped, not waited on).

use super::report::{Finding, Pos, Span};
use crate::diagnostic::{Applicability, Diagnostic, Edit, Fix, Level};
use crate::rules;
use std::collections::HashMap;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;

const MAGIC: &[u8; 8] = b"PLCACHE\0";
/// Bump on any change of the layout above or of the body encoding.
const FORMAT_VERSION: u32 = 2;

/// An entry of the file read at the start of the run.
struct OldEntry {
    mtime_ns: u128,
    size: u64,
    hash: u64,
    config: u64,
    /// Where the encoded findings are in `Cache::bytes`.
    body: Range<usize>,
    /// Looked up (and still valid) in this run.
    seen: AtomicBool,
}

/// An entry made or updated in this run.
struct NewEntry {
    mtime_ns: u128,
    size: u64,
    hash: u64,
    config: u64,
    body: Vec<u8>,
}

pub struct Cache {
    file: PathBuf,
    key: String,
    /// The cache file as read.
    bytes: Vec<u8>,
    old: HashMap<PathBuf, OldEntry>,
    new: Mutex<HashMap<PathBuf, NewEntry>>,
}

/// What identifies the binary, the facts and the run options in the cache key.
fn key(facts: u64) -> String {
    format!(
        "{}-{}-{:016x}",
        env!("CARGO_PKG_VERSION"),
        env!("PRODLINT_BUILD_HASH"),
        facts
    )
}

pub fn file_stamp(path: &Path) -> Option<(u128, u64)> {
    let meta = std::fs::metadata(path).ok()?;
    let mtime = meta
        .modified()
        .ok()?
        .duration_since(std::time::UNIX_EPOCH)
        .ok()?
        .as_nanos();
    Some((mtime, meta.len()))
}

pub fn content_hash(text: &str) -> u64 {
    xxhash_rust::xxh3::xxh3_64(text.as_bytes())
}

impl Cache {
    /// Open the cache for this run; `None` when it cannot be used.
    pub fn open(cwd: &Path, facts_fingerprint: u64) -> Option<Cache> {
        let dir = std::env::var_os("PRODLINT_CACHE_DIR")
            .map(PathBuf::from)
            .unwrap_or_else(|| cwd.join(".prodlint_cache"));
        // `symlink_metadata` would refuse a `.prodlint_cache` symlink; following
        // it is fine as long as nothing but the cache's own files is touched.
        if !dir.is_dir() {
            std::fs::create_dir_all(&dir).ok()?;
            // Only a folder made here is ours to hide from git.
            let _ = std::fs::write(dir.join(".gitignore"), "# Created by prodlint.\n*\n");
        }
        let key = key(facts_fingerprint);
        let file = dir.join(format!("results-v{FORMAT_VERSION}-{key}.bin"));
        let bytes = read_regular(&file, None).unwrap_or_default();
        let old = parse(&bytes, &key).unwrap_or_default();
        Some(Cache {
            file,
            key,
            bytes,
            old,
            new: Mutex::new(HashMap::new()),
        })
    }

    /// A cached result for `path` if its stamp (mtime and size) and config match.
    /// `verify`, given the entry's content hash, can still refuse it.
    pub fn lookup_by_stamp(
        &self,
        path: &Path,
        stamp: (u128, u64),
        config: u64,
        verify: impl FnOnce(u64) -> bool,
    ) -> Option<Vec<Finding>> {
        let e = self.old.get(path)?;
        if e.mtime_ns != stamp.0 || e.size != stamp.1 || e.config != config {
            return None;
        }
        let findings = decode_body(&self.bytes[e.body.clone()])?;
        if !verify(e.hash) {
            return None;
        }
        e.seen.store(true, Ordering::Relaxed);
        Some(findings)
    }

    /// A cached result for `path` if its content hash and config match.
    pub fn lookup_by_hash(
        &self,
        path: &Path,
        stamp: (u128, u64),
        hash: u64,
        config: u64,
    ) -> Option<Vec<Finding>> {
        let e = self.old.get(path)?;
        if e.hash != hash || e.config != config {
            return None;
        }
        let body = &self.bytes[e.body.clone()];
        let findings = decode_body(body)?;
        if e.mtime_ns == stamp.0 && e.size == stamp.1 {
            // Unchanged (SQL files, read for the facts anyway, are looked up here).
            e.seen.store(true, Ordering::Relaxed);
            return Some(findings);
        }
        // Same bytes, new stamp: keep the entry under the new stamp.
        self.keep(
            path,
            NewEntry {
                mtime_ns: stamp.0,
                size: stamp.1,
                hash,
                config,
                body: body.to_vec(),
            },
        );
        Some(findings)
    }

    fn keep(&self, path: &Path, e: NewEntry) {
        if let Ok(mut m) = self.new.lock() {
            m.insert(path.to_path_buf(), e);
        }
    }

    pub fn store(
        &self,
        path: &Path,
        stamp: (u128, u64),
        hash: u64,
        config: u64,
        findings: &[Finding],
    ) {
        let mut body = Vec::new();
        encode_body(&mut body, findings);
        self.keep(
            path,
            NewEntry {
                mtime_ns: stamp.0,
                size: stamp.1,
                hash,
                config,
                body,
            },
        );
    }

    /// Write the entries of the files seen in this run (atomically), unless they
    /// are exactly those already on disk; cache files of other keys are removed.
    pub fn save(self) {
        let Ok(new) = self.new.into_inner() else {
            return;
        };
        let seen = |e: &OldEntry| e.seen.load(Ordering::Relaxed);
        if new.is_empty() && self.old.values().all(seen) {
            return;
        }
        // Paths that are not UTF-8 are not stored (their files are linted each run).
        let mut entries: Vec<(&str, Stamp, &[u8])> = Vec::new();
        for (path, e) in &self.old {
            if let Some(p) = path.to_str().filter(|_| seen(e) && !new.contains_key(path)) {
                let stamp = (e.mtime_ns, e.size, e.hash, e.config);
                entries.push((p, stamp, &self.bytes[e.body.clone()]));
            }
        }
        for (path, e) in &new {
            if let Some(p) = path.to_str() {
                entries.push((p, (e.mtime_ns, e.size, e.hash, e.config), &e.body));
            }
        }
        entries.sort_unstable_by_key(|e| e.0);
        let mut out = Vec::with_capacity(self.bytes.len() + 4096);
        out.extend_from_slice(MAGIC);
        put_u32(&mut out, FORMAT_VERSION);
        put_str(&mut out, &self.key);
        put_u32(&mut out, entries.len() as u32);
        for (path, stamp, body) in entries {
            put_entry(&mut out, path, stamp, body);
        }
        let sum = xxhash_rust::xxh3::xxh3_64(&out);
        put_u64(&mut out, sum);
        let Some(dir) = self.file.parent() else {
            return;
        };
        if let Ok(rd) = std::fs::read_dir(dir) {
            for e in rd.flatten() {
                let p = e.path();
                if p != self.file && is_cache_file(&p) {
                    let _ = std::fs::remove_file(&p);
                }
            }
        }
        if let Ok(mut tmp) = tempfile::NamedTempFile::new_in(dir) {
            use std::io::Write;
            if tmp.write_all(&out).is_ok() {
                let _ = tmp.persist(&self.file);
            }
        }
    }
}

/// Read `path` if it is a regular file (opened without blocking, so a FIFO or
/// device is refused, not waited on), at most `limit` bytes when given.
pub fn read_regular(path: &Path, limit: Option<u64>) -> std::io::Result<Vec<u8>> {
    use std::io::Read;
    let file = crate::fsutil::open_regular(path)?;
    let mut bytes = Vec::new();
    match limit {
        Some(n) => file.take(n).read_to_end(&mut bytes)?,
        None => (&file).read_to_end(&mut bytes)?,
    };
    Ok(bytes)
}

/// A file this cache wrote: named `results-v*.bin`, a regular file (not a
/// symlink), starting with `MAGIC`. Anything else in the folder is left alone.
fn is_cache_file(path: &Path) -> bool {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
    if !(name.starts_with("results-v") && name.ends_with(".bin")) {
        return false;
    }
    if !std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_file()) {
        return false;
    }
    read_regular(path, Some(MAGIC.len() as u64)).is_ok_and(|head| head == MAGIC)
}

/// mtime (ns), size, content hash, config fingerprint.
type Stamp = (u128, u64, u64, u64);

fn put_entry(out: &mut Vec<u8>, path: &str, (mtime, size, hash, config): Stamp, body: &[u8]) {
    put_str(out, path);
    out.extend_from_slice(&mtime.to_le_bytes());
    put_u64(out, size);
    put_u64(out, hash);
    put_u64(out, config);
    put_bytes(out, body);
}

/// The entry table of a cache file; `None` if it is not a valid file for `key`.
fn parse(bytes: &[u8], key: &str) -> Option<HashMap<PathBuf, OldEntry>> {
    let payload_len = bytes.len().checked_sub(8)?;
    let (payload, sum) = bytes.split_at(payload_len);
    if xxhash_rust::xxh3::xxh3_64(payload) != u64::from_le_bytes(sum.try_into().ok()?) {
        return None;
    }
    let mut r = Reader::new(payload);
    if r.take(MAGIC.len())? != MAGIC || r.u32()? != FORMAT_VERSION || r.str()? != key {
        return None;
    }
    let count = r.u32()? as usize;
    // Every entry takes more than 48 bytes: a bad count cannot allocate much.
    let mut map = HashMap::with_capacity(count.min(payload.len() / 48));
    for _ in 0..count {
        let path = PathBuf::from(r.str()?);
        let mtime_ns = r.u128()?;
        let size = r.u64()?;
        let hash = r.u64()?;
        let config = r.u64()?;
        let len = r.u32()? as usize;
        let start = r.pos;
        r.take(len)?;
        map.insert(
            path,
            OldEntry {
                mtime_ns,
                size,
                hash,
                config,
                body: start..start + len,
                seen: AtomicBool::new(false),
            },
        );
    }
    if r.pos != payload.len() {
        return None;
    }
    Some(map)
}

fn put_u32(out: &mut Vec<u8>, v: u32) {
    out.extend_from_slice(&v.to_le_bytes());
}

fn put_u64(out: &mut Vec<u8>, v: u64) {
    out.extend_from_slice(&v.to_le_bytes());
}

fn put_bytes(out: &mut Vec<u8>, b: &[u8]) {
    put_u32(out, b.len() as u32);
    out.extend_from_slice(b);
}

fn put_str(out: &mut Vec<u8>, s: &str) {
    put_bytes(out, s.as_bytes());
}

fn put_span(out: &mut Vec<u8>, s: &Span) {
    for v in [s.start.line, s.start.col, s.end.line, s.end.col] {
        put_u32(out, v);
    }
}

fn put_range(out: &mut Vec<u8>, r: &Range<usize>) {
    put_u64(out, r.start as u64);
    put_u64(out, r.end as u64);
}

fn level_code(l: Level) -> u8 {
    match l {
        Level::Error => 0,
        Level::Warn => 1,
        Level::Info => 2,
        Level::Off => 3,
    }
}

fn level_of(code: u8) -> Option<Level> {
    Some(match code {
        0 => Level::Error,
        1 => Level::Warn,
        2 => Level::Info,
        3 => Level::Off,
        _ => return None,
    })
}

fn encode_body(out: &mut Vec<u8>, findings: &[Finding]) {
    put_u32(out, findings.len() as u32);
    for f in findings {
        let d = &f.diag;
        put_str(out, d.rule);
        out.push(level_code(d.level));
        put_str(out, &d.message);
        put_range(out, &d.range);
        put_span(out, &f.span);
        put_u32(out, d.fixes.len() as u32);
        for fix in &d.fixes {
            out.push(u8::from(fix.applicability == Applicability::Safe));
            put_str(out, &fix.title);
            put_u32(out, fix.edits.len() as u32);
            for e in &fix.edits {
                put_range(out, &e.range);
                put_str(out, &e.text);
            }
        }
        put_u32(out, f.fix_spans.len() as u32);
        for s in &f.fix_spans {
            put_span(out, s);
        }
    }
}

fn decode_body(body: &[u8]) -> Option<Vec<Finding>> {
    let mut r = Reader::new(body);
    let n = r.count(40)?;
    let mut findings = Vec::with_capacity(n);
    for _ in 0..n {
        let rule = rules::meta(r.str()?)?.id;
        let level = level_of(r.u8()?)?;
        let message = r.str()?.to_string();
        let range = r.range()?;
        let span = r.span()?;
        let nfix = r.count(9)?;
        let mut fixes = Vec::with_capacity(nfix);
        for _ in 0..nfix {
            let applicability = match r.u8()? {
                1 => Applicability::Safe,
                0 => Applicability::Unsafe,
                _ => return None,
            };
            let title = r.str()?.to_string();
            let nedit = r.count(20)?;
            let mut edits = Vec::with_capacity(nedit);
            for _ in 0..nedit {
                let range = r.range()?;
                let text = r.str()?.to_string();
                edits.push(Edit { range, text });
            }
            fixes.push(Fix {
                applicability,
                title,
                edits,
            });
        }
        let nspan = r.count(16)?;
        let mut fix_spans = Vec::with_capacity(nspan);
        for _ in 0..nspan {
            fix_spans.push(r.span()?);
        }
        findings.push(Finding {
            diag: Diagnostic {
                rule,
                level,
                message,
                range,
                fixes,
            },
            span,
            fix_spans,
        });
    }
    (r.pos == body.len()).then_some(findings)
}

/// Bounds-checked reading of the format above.
struct Reader<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    fn new(bytes: &'a [u8]) -> Self {
        Reader { bytes, pos: 0 }
    }

    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        let end = self.pos.checked_add(n)?;
        let s = self.bytes.get(self.pos..end)?;
        self.pos = end;
        Some(s)
    }

    fn array<const N: usize>(&mut self) -> Option<[u8; N]> {
        self.take(N)?.try_into().ok()
    }

    fn u8(&mut self) -> Option<u8> {
        Some(self.array::<1>()?[0])
    }

    fn u32(&mut self) -> Option<u32> {
        Some(u32::from_le_bytes(self.array()?))
    }

    fn u64(&mut self) -> Option<u64> {
        Some(u64::from_le_bytes(self.array()?))
    }

    fn u128(&mut self) -> Option<u128> {
        Some(u128::from_le_bytes(self.array()?))
    }

    /// A count of items taking at least `min_size` bytes each (checked against
    /// what is left, so that a corrupt count cannot allocate much).
    fn count(&mut self, min_size: usize) -> Option<usize> {
        let n = self.u32()? as usize;
        (n.checked_mul(min_size)? <= self.bytes.len() - self.pos).then_some(n)
    }

    fn str(&mut self) -> Option<&'a str> {
        let n = self.u32()? as usize;
        std::str::from_utf8(self.take(n)?).ok()
    }

    fn range(&mut self) -> Option<Range<usize>> {
        let start = usize::try_from(self.u64()?).ok()?;
        let end = usize::try_from(self.u64()?).ok()?;
        Some(start..end)
    }

    fn span(&mut self) -> Option<Span> {
        let mut v = [0u32; 4];
        for x in &mut v {
            *x = self.u32()?;
        }
        Some(Span {
            start: Pos {
                line: v[0],
                col: v[1],
            },
            end: Pos {
                line: v[2],
                col: v[3],
            },
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn finding() -> Finding {
        let span = |a, b| Span {
            start: Pos { line: 1, col: a },
            end: Pos { line: 2, col: b },
        };
        Finding {
            diag: Diagnostic {
                rule: "no-any-cast",
                level: Level::Warn,
                message: "héllo".into(),
                range: 3..17,
                fixes: vec![Fix {
                    applicability: Applicability::Safe,
                    title: "fix it".into(),
                    edits: vec![Edit {
                        range: 5..9,
                        text: "unknown".into(),
                    }],
                }],
            },
            span: span(4, 2),
            fix_spans: vec![span(6, 1)],
        }
    }

    /// A cache file with one entry for `/p/a.ts`.
    fn file(key: &str) -> Vec<u8> {
        let mut body = Vec::new();
        encode_body(&mut body, &[finding(), finding()]);
        let mut out = Vec::new();
        out.extend_from_slice(MAGIC);
        put_u32(&mut out, FORMAT_VERSION);
        put_str(&mut out, key);
        put_u32(&mut out, 1);
        put_entry(&mut out, "/p/a.ts", (1, 2, 3, 4), &body);
        let sum = xxhash_rust::xxh3::xxh3_64(&out);
        put_u64(&mut out, sum);
        out
    }

    #[test]
    fn bodies_round_trip() {
        let mut body = Vec::new();
        encode_body(&mut body, &[finding()]);
        assert_eq!(decode_body(&body), Some(vec![finding()]));
        // Any truncation is refused, never a panic.
        for n in 0..body.len() {
            assert_eq!(decode_body(&body[..n]), None, "truncated to {n}");
        }
    }

    #[test]
    fn damaged_files_are_ignored() {
        let good = file("k");
        let map = parse(&good, "k").unwrap();
        let e = &map[Path::new("/p/a.ts")];
        assert_eq!((e.mtime_ns, e.size, e.hash, e.config), (1, 2, 3, 4));
        assert_eq!(decode_body(&good[e.body.clone()]).unwrap().len(), 2);
        assert!(parse(&good, "other key").is_none());
        for n in 0..good.len() {
            assert!(parse(&good[..n], "k").is_none(), "truncated to {n}");
        }
        for i in 0..good.len() {
            let mut bad = good.clone();
            bad[i] ^= 0x5a;
            assert!(parse(&bad, "k").is_none(), "byte {i} flipped");
        }
    }
}
