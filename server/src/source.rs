//! Reading a source file for linting: size cap, UTF-8 or UTF-16 with a byte
//! order mark, binary files refused. Used by the CLI and the language server.

use crate::engine;
use crate::language;
use crate::workspace::FileFacts;
use std::path::Path;

/// Files larger than this are reported as `unreadable-file` instead of linted.
pub const MAX_FILE_BYTES: u64 = 32 * 1024 * 1024;

/// Read a file as text (UTF-8, or UTF-16 with a byte order mark), or say why it
/// cannot be linted. A BOM stays at the start of the text (as U+FEFF).
pub fn read_source(path: &Path) -> Result<String, String> {
    read_source_encoded(path).map(|(text, _)| text)
}

/// How a file's bytes encode its text; `--fix` writes a file back the same way.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TextEncoding {
    Utf8,
    /// UTF-16 little endian, with a BOM (`FF FE`).
    Utf16Le,
    /// UTF-16 big endian, with a BOM (`FE FF`).
    Utf16Be,
}

impl TextEncoding {
    /// `text` (with its U+FEFF, if any) as this encoding's bytes.
    pub fn encode(self, text: &str) -> Vec<u8> {
        match self {
            TextEncoding::Utf8 => text.as_bytes().to_vec(),
            TextEncoding::Utf16Le => text.encode_utf16().flat_map(u16::to_le_bytes).collect(),
            TextEncoding::Utf16Be => text.encode_utf16().flat_map(u16::to_be_bytes).collect(),
        }
    }
}

/// [`read_source`] and the file's encoding.
pub fn read_source_encoded(path: &Path) -> Result<(String, TextEncoding), String> {
    let meta = std::fs::metadata(path).map_err(|e| format!("cannot read file: {e}"))?;
    if meta.len() > MAX_FILE_BYTES {
        return Err(format!(
            "file is larger than {} MiB; not linted",
            MAX_FILE_BYTES / (1024 * 1024)
        ));
    }
    let bytes = std::fs::read(path).map_err(|e| format!("cannot read file: {e}"))?;
    decode_encoded(bytes)
}

pub fn decode(bytes: Vec<u8>) -> Result<String, String> {
    decode_encoded(bytes).map(|(text, _)| text)
}

/// Decode a file: UTF-16 (LE or BE) when it starts with a UTF-16 BOM, else
/// UTF-8 (NUL bytes mean a binary file). The BOM is kept as U+FEFF.
pub fn decode_encoded(bytes: Vec<u8>) -> Result<(String, TextEncoding), String> {
    let utf16 = match bytes.get(..2) {
        Some([0xFF, 0xFE]) => Some(TextEncoding::Utf16Le),
        Some([0xFE, 0xFF]) => Some(TextEncoding::Utf16Be),
        _ => None,
    };
    if let Some(enc) = utf16 {
        let name = if enc == TextEncoding::Utf16Le {
            "UTF-16LE"
        } else {
            "UTF-16BE"
        };
        if !bytes.len().is_multiple_of(2) {
            return Err(format!(
                "not valid {name} (odd number of bytes); not linted"
            ));
        }
        let units = bytes.chunks_exact(2).map(|b| {
            if enc == TextEncoding::Utf16Le {
                u16::from_le_bytes([b[0], b[1]])
            } else {
                u16::from_be_bytes([b[0], b[1]])
            }
        });
        let mut text = String::with_capacity(bytes.len() / 2);
        for (i, c) in char::decode_utf16(units).enumerate() {
            match c {
                Ok(c) => text.push(c),
                Err(_) => {
                    return Err(format!(
                        "not valid {name} (unpaired surrogate at offset {}); not linted",
                        i * 2
                    ))
                }
            }
        }
        return Ok((text, enc));
    }
    if bytes[..bytes.len().min(8192)].contains(&0) {
        return Err("binary file (contains NUL bytes); not linted".into());
    }
    String::from_utf8(bytes)
        .map(|text| (text, TextEncoding::Utf8))
        .map_err(|e| {
            format!(
                "not valid UTF-8 (first bad byte at offset {}); not linted",
                e.utf8_error().valid_up_to()
            )
        })
}

pub const BOM: &str = "\u{feff}";

/// The text without its byte order mark (U+FEFF), and whether it had one.
pub fn strip_bom(text: &str) -> (&str, bool) {
    match text.strip_prefix(BOM) {
        Some(rest) => (rest, true),
        None => (text, false),
    }
}

/// Whether the file at `path` contributes workspace facts (by its language).
pub fn has_facts(path: &Path) -> bool {
    language::detect(path).is_some_and(|l| engine::file_contributes_facts(path, l))
}

/// A file's contribution to the workspace facts, read from disk (`None` if it
/// cannot be read or its language contributes none).
pub fn read_facts(path: &Path) -> Option<FileFacts> {
    let lang = language::detect(path).filter(|&l| engine::file_contributes_facts(path, l))?;
    let text = read_source(path).ok()?;
    engine::file_facts(path, lang, strip_bom(&text).0, None)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utf16(text: &str, le: bool) -> Vec<u8> {
        let mut out = if le {
            vec![0xFF, 0xFE]
        } else {
            vec![0xFE, 0xFF]
        };
        for u in text.encode_utf16() {
            out.extend(if le { u.to_le_bytes() } else { u.to_be_bytes() });
        }
        out
    }

    #[test]
    fn decodes_utf16_with_a_bom_and_encodes_it_back() {
        let text = "select '😀é';\n";
        for (le, enc) in [
            (true, TextEncoding::Utf16Le),
            (false, TextEncoding::Utf16Be),
        ] {
            let bytes = utf16(text, le);
            let (got, got_enc) = decode_encoded(bytes.clone()).expect("decodes");
            assert_eq!(got_enc, enc);
            assert_eq!(got, format!("{BOM}{text}"));
            assert_eq!(enc.encode(&got), bytes);
        }
        let (got, enc) = decode_encoded(format!("{BOM}{text}").into_bytes()).expect("utf-8");
        assert_eq!(
            (got.as_str(), enc),
            (format!("{BOM}{text}").as_str(), TextEncoding::Utf8)
        );
    }

    #[test]
    fn bad_utf16_and_binary_are_unreadable() {
        assert!(decode_encoded(vec![0xFF, 0xFE, 0x41])
            .unwrap_err()
            .contains("odd number"));
        // a lone high surrogate
        assert!(decode_encoded(vec![0xFF, 0xFE, 0x00, 0xD8, 0x41, 0x00])
            .unwrap_err()
            .contains("unpaired surrogate"));
        // UTF-16 without a BOM stays binary
        assert!(decode_encoded(vec![0x41, 0x00, 0x42, 0x00])
            .unwrap_err()
            .contains("NUL"));
    }
}
