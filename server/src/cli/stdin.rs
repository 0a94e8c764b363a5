//! `prodlint check --stdin-filename NAME`: lint (or fix) standard input as if
//! it were the file NAME.

use super::outcome::{
    display_path, fail, finish_outcome, report_and_exit, unreadable_report, Needs, Outcome,
    EXIT_FINDINGS, EXIT_OK,
};
use super::{CheckArgs, Format};
use crate::config::{self, ConfigResolver};
use crate::diagnostic::Level;
use crate::engine::{self, Document};
use crate::language;
use crate::source::{decode_encoded, strip_bom, BOM, MAX_FILE_BYTES};
use crate::walk;
use crate::workspace::WorkspaceFacts;
use std::io::{Read, Write};
use std::path::Path;

pub(super) fn run(
    args: &CheckArgs,
    name: &Path,
    cwd: &Path,
    resolver: &ConfigResolver,
    format: Format,
) -> i32 {
    // The same size cap as for files on disk; never more than the cap + 1 byte
    // is held.
    let mut stdin = std::io::stdin().lock();
    let mut bytes = Vec::new();
    if let Err(e) = (&mut stdin)
        .take(MAX_FILE_BYTES + 1)
        .read_to_end(&mut bytes)
    {
        return fail(format!("cannot read standard input: {e}"));
    }
    let too_large = bytes.len() as u64 > MAX_FILE_BYTES;
    if too_large && args.fix {
        // The fixed text goes to standard output, often back into the file: pass
        // the input through unchanged (streamed) rather than print nothing.
        let mut stdout = std::io::stdout().lock();
        let _ = stdout
            .write_all(&bytes)
            .and_then(|_| std::io::copy(&mut stdin, &mut stdout).map(drop))
            .and_then(|_| stdout.flush());
        eprintln!(
            "prodlint: standard input is larger than {} MiB; not linted, nothing fixed",
            MAX_FILE_BYTES / (1024 * 1024)
        );
        return 2;
    }
    let path = config::absolute(name, cwd);
    let config = match resolver.for_file(&path) {
        Ok(c) => c,
        Err(e) => return fail(e),
    };
    let display = display_path(&path, cwd);
    let Some(lang) = language::detect(&path) else {
        return fail(format!(
            "{}: prodlint does not lint this kind of file",
            name.display()
        ));
    };
    let decoded = if too_large {
        drop(bytes);
        Err(format!(
            "file is larger than {} MiB; not linted",
            MAX_FILE_BYTES / (1024 * 1024)
        ))
    } else {
        decode_encoded(bytes)
    };
    let (text, encoding) = match decoded {
        Ok(t) => t,
        Err(message) => {
            let outcome = Outcome::plain(unreadable_report(display, &config, message));
            return report_and_exit(vec![outcome], 1, args, format);
        }
    };
    // A language with workspace facts (SQL): the facts come from the files
    // of the current folder, this text standing in for the file it names.
    let facts = if engine::contributes_facts(lang) {
        let walked = walk::walk(&[cwd.to_path_buf()], cwd, args.no_ignore, resolver);
        let mut facts = WorkspaceFacts::new(walked.supabase_dir);
        facts.markers = walked.markers;
        for f in walked.files.iter().filter(|f| **f != path) {
            if let Some(file_facts) = crate::source::read_facts(f) {
                facts.set_file(f, file_facts);
            }
        }
        if let Some(own) = engine::file_facts(&path, lang, strip_bom(&text).0, None) {
            facts.set_file(&path, own);
        }
        facts
    } else {
        WorkspaceFacts::default()
    };
    let (body, had_bom) = strip_bom(&text);
    if args.fix {
        // Like other linters: the fixed text goes to standard output.
        let out = engine::fix(&path, body, &facts, &config, args.unsafe_fixes);
        let mut stdout = std::io::stdout().lock();
        // In the input's encoding (a UTF-16 input gets UTF-16 with its BOM back).
        let fixed = if had_bom {
            format!("{BOM}{}", out.text)
        } else {
            out.text.clone()
        };
        let _ = stdout.write_all(&encoding.encode(&fixed));
        let errors = out
            .remaining
            .diagnostics
            .iter()
            .filter(|d| d.level == Level::Error)
            .count();
        return if errors > 0 { EXIT_FINDINGS } else { EXIT_OK };
    }
    let out = engine::lint_document(&Document::new(&path, lang, body), &facts, &config);
    let needs = Needs {
        text: format == Format::Pretty,
    };
    let outcome = finish_outcome(display, body, needs, out, 0, Vec::new(), None);
    report_and_exit(vec![outcome], 1, args, format)
}
