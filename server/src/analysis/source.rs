//! Decoding a source file's bytes the way CPython does (PEP 263 and PEP 3120).
//!
//! Python reads source as UTF-8 unless a UTF-8 byte-order mark or a coding cookie on one of the
//! first two lines says otherwise. A file that Python could not decode is an error here too; the
//! caller reports it and goes on with the other files.

use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DecodeError {
    /// The bytes are not valid in the declared or default encoding.
    Invalid { encoding: String, offset: usize },
    /// The coding cookie names an encoding that this tool does not know.
    UnknownEncoding(String),
    /// The file holds NUL bytes, which CPython refuses in source code (it is probably binary).
    NulByte { offset: usize },
    /// A byte-order mark says UTF-8 but the cookie names another encoding.
    BomMismatch(String),
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DecodeError::Invalid { encoding, offset } => {
                write!(f, "not valid {encoding} at byte {offset}")
            }
            DecodeError::UnknownEncoding(name) => write!(f, "unknown encoding in coding cookie: {name}"),
            DecodeError::NulByte { offset } => {
                write!(f, "source code cannot contain null bytes (NUL at byte {offset}; binary file?)")
            }
            DecodeError::BomMismatch(name) => {
                write!(f, "encoding problem: {name} with a UTF-8 byte-order mark")
            }
        }
    }
}

impl std::error::Error for DecodeError {}

/// Decodes Python source bytes into text, dropping a UTF-8 byte-order mark.
pub fn decode_python_source(bytes: &[u8]) -> Result<String, DecodeError> {
    if let Some(offset) = bytes.iter().position(|&b| b == 0) {
        return Err(DecodeError::NulByte { offset });
    }
    let (bom, body) = match bytes.strip_prefix(b"\xEF\xBB\xBF") {
        Some(rest) => (true, rest),
        None => (false, bytes),
    };
    let cookie = coding_cookie(body);
    let encoding = match cookie.as_deref().map(normalize_encoding_name) {
        None => "utf-8".to_string(),
        Some(name) => name,
    };
    // With a BOM, the tokenizer wants the cookie to say "utf-8" by its own narrow normalization
    // (`get_normal_name` in Parser/tokenizer.c, case and `_` only), so `utf8` fails there though
    // the codec knows it.
    let said_utf8 = |name: &str| {
        let lower = name.to_ascii_lowercase().replace('_', "-");
        lower == "utf-8" || lower.starts_with("utf-8-")
    };
    if bom && !cookie.as_deref().is_none_or(said_utf8) {
        return Err(DecodeError::BomMismatch(cookie.unwrap_or_default()));
    }
    match encoding.as_str() {
        "utf-8" => match std::str::from_utf8(body) {
            Ok(text) => Ok(text.to_string()),
            Err(e) => Err(DecodeError::Invalid { encoding, offset: e.valid_up_to() }),
        },
        // encoding_rs follows the WHATWG standard, which maps "latin-1" to windows-1252; Python's
        // latin-1 maps every byte to the code point of the same value, so it is done by hand.
        "latin-1" => Ok(body.iter().map(|&b| b as char).collect()),
        "ascii" => match body.iter().position(|b| !b.is_ascii()) {
            Some(offset) => Err(DecodeError::Invalid { encoding, offset }),
            None => Ok(String::from_utf8_lossy(body).into_owned()),
        },
        other => {
            let Some(enc) = encoding_rs::Encoding::for_label(other.as_bytes()) else {
                return Err(DecodeError::UnknownEncoding(cookie.unwrap_or_default()));
            };
            let (text, had_errors) = enc.decode_without_bom_handling(body);
            if had_errors {
                return Err(DecodeError::Invalid { encoding, offset: 0 });
            }
            Ok(text.into_owned())
        }
    }
}

/// The encoding named by a PEP 263 cookie on line 1, or on line 2 when line 1 is only a comment.
fn coding_cookie(bytes: &[u8]) -> Option<String> {
    let mut lines = bytes.split(|&b| b == b'\n');
    let first = lines.next()?;
    if let Some(name) = cookie_in_line(first) {
        return Some(name);
    }
    let first_trimmed = trim_start(first);
    if !(first_trimmed.is_empty() || first_trimmed[0] == b'#' || first_trimmed == b"\r") {
        return None;
    }
    cookie_in_line(lines.next()?)
}

fn trim_start(line: &[u8]) -> &[u8] {
    let start = line.iter().position(|b| !matches!(b, b' ' | b'\t' | b'\x0c')).unwrap_or(line.len());
    &line[start..]
}

/// Matches CPython's `^[ \t\f]*#.*?coding[:=][ \t]*([-\w.]+)`.
fn cookie_in_line(line: &[u8]) -> Option<String> {
    let line = trim_start(line);
    if line.first() != Some(&b'#') {
        return None;
    }
    let text = String::from_utf8_lossy(line);
    let mut search = &text[..];
    while let Some(pos) = search.find("coding") {
        let rest = &search[pos + 6..];
        if let Some(rest) = rest.strip_prefix(':').or_else(|| rest.strip_prefix('=')) {
            let rest = rest.trim_start_matches([' ', '\t']);
            let name: String = rest
                .chars()
                .take_while(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | '.'))
                .collect();
            if !name.is_empty() {
                return Some(name);
            }
        }
        search = &search[pos + 6..];
    }
    None
}

/// Normalises an encoding name as CPython's tokenizer does for its two special cases.
fn normalize_encoding_name(name: &str) -> String {
    let lower = name.to_ascii_lowercase().replace('_', "-");
    if lower == "utf-8" || lower.starts_with("utf-8-") || lower == "utf8" {
        "utf-8".to_string()
    } else if ["latin-1", "iso-8859-1", "iso-latin-1", "latin1", "l1", "iso8859-1", "8859", "cp819", "latin"]
        .iter()
        .any(|alias| lower == *alias || lower.starts_with(&format!("{alias}-")))
    {
        "latin-1".to_string()
    } else if lower == "ascii" || lower == "us-ascii" {
        "ascii".to_string()
    } else {
        lower
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_as_python_does() {
        assert_eq!(decode_python_source(b"\xEF\xBB\xBFx = 1\n").unwrap(), "x = 1\n");
        assert_eq!(decode_python_source(b"\xEF\xBB\xBF# coding: UTF_8\nx = 1\n").unwrap(), "# coding: UTF_8\nx = 1\n");
        assert_eq!(decode_python_source(b"# coding: utf8\nx = 1\n").unwrap(), "# coding: utf8\nx = 1\n");
        assert!(matches!(decode_python_source(b"\xEF\xBB\xBF# coding: utf8\nx = 1\n"), Err(DecodeError::BomMismatch(_))));
        assert!(matches!(decode_python_source(b"\xEF\xBB\xBF# coding: latin-1\nx = 1\n"), Err(DecodeError::BomMismatch(_))));
        let latin = b"# -*- coding: latin-1 -*-\ns = '\xe9'\n";
        assert_eq!(decode_python_source(latin).unwrap(), "# -*- coding: latin-1 -*-\ns = '\u{e9}'\n");
        let second_line = b"#!/usr/bin/env python\n# vim: set fileencoding=iso-8859-15 :\ns = '\xa4'\n";
        assert!(decode_python_source(second_line).unwrap().contains('\u{20ac}'));
        assert!(matches!(decode_python_source(b"s = '\xe9'\n"), Err(DecodeError::Invalid { .. })));
        assert!(matches!(decode_python_source(b"x\0y"), Err(DecodeError::NulByte { offset: 1 })));
        assert!(matches!(
            decode_python_source(b"# coding: klingon\n"),
            Err(DecodeError::UnknownEncoding(_))
        ));
        // A cookie on line 2 counts only when line 1 is a comment or blank.
        assert!(decode_python_source(b"x = 1\n# coding: latin-1\ns = '\xe9'\n").is_err());
    }
}
