//! Reading an input file (a scenario, a file it `extends`, an experiment) safely, and
//! pointing into it: every message about an input file's text says `FILE:LINE:COLUMN`
//! through [`line_col`] and [`toml_position`].
//!
//! Invariant: every input file the program reads goes through [`read_text`], which
//! refuses what is not a regular file (a FIFO would block forever, `/dev/zero` never
//! ends), refuses a file larger than [`MAX_INPUT_BYTES`] before reading it, never reads
//! more than that even if the file grows meanwhile, and refuses text that is not UTF-8.
//! Symbolic links are followed: what matters is what they point at.

use std::io::Read;
use std::path::Path;

/// The largest input file read: 16 MiB, far above any real scenario or experiment
/// (the shipped ones are a few kB) and far below what would strain memory.
pub const MAX_INPUT_BYTES: u64 = 16 << 20;

/// Why an input file could not be read. Each message names the file and is one line.
#[derive(Debug, thiserror::Error, Clone, PartialEq)]
pub enum InputError {
    #[error("cannot read {what} {label}: {reason}")]
    Unreadable {
        what: String,
        label: String,
        reason: String,
    },
    #[error(
        "cannot read {what} {label}: it is {kind}, not a regular file; allowed: a regular file"
    )]
    NotRegular {
        what: String,
        label: String,
        kind: &'static str,
    },
    #[error(
        "cannot read {what} {label}: it is larger than {} MiB; allowed: a file of at most {} MiB ({} bytes)",
        MAX_INPUT_BYTES >> 20, MAX_INPUT_BYTES >> 20, MAX_INPUT_BYTES
    )]
    TooLarge { what: String, label: String },
    /// `line` and `column` (from 1) are those of the first byte that is not UTF-8.
    #[error(
        "{label}:{line}:{column}: is not a text file (not UTF-8 from here); allowed: a TOML text file"
    )]
    NotText {
        what: String,
        label: String,
        line: usize,
        column: usize,
    },
}

/// What kind of file system entry `meta` describes, for messages.
fn kind_of(meta: &std::fs::Metadata) -> &'static str {
    let ft = meta.file_type();
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if ft.is_fifo() {
            return "a FIFO (named pipe)";
        }
        if ft.is_char_device() {
            return "a character device";
        }
        if ft.is_block_device() {
            return "a block device";
        }
        if ft.is_socket() {
            return "a socket";
        }
    }
    if ft.is_dir() {
        "a folder"
    } else {
        "not a file"
    }
}

/// The metadata of `path` if it is a regular file (links followed). Metadata never opens
/// the file, so a FIFO cannot block here.
fn regular(path: &Path, what: &str) -> Result<std::fs::Metadata, InputError> {
    let label = path.display().to_string();
    let meta = std::fs::metadata(path).map_err(|e| InputError::Unreadable {
        what: what.to_string(),
        label: label.clone(),
        reason: e.to_string(),
    })?;
    if meta.is_file() {
        Ok(meta)
    } else {
        Err(InputError::NotRegular {
            what: what.to_string(),
            label,
            kind: kind_of(&meta),
        })
    }
}

/// The input file at `path` opened for streaming (a CSV file read back, of any size), if
/// it is a regular file: a FIFO or a device is refused without being opened.
pub fn open_regular(path: &Path, what: &str) -> Result<std::fs::File, InputError> {
    regular(path, what)?;
    std::fs::File::open(path).map_err(|e| InputError::Unreadable {
        what: what.to_string(),
        label: path.display().to_string(),
        reason: e.to_string(),
    })
}

/// The text of the input file at `path`, checked as the module says. `what` names the
/// kind of file in messages ("scenario file", "experiment file").
pub fn read_text(path: &Path, what: &str) -> Result<String, InputError> {
    let label = path.display().to_string();
    let unreadable = |e: std::io::Error| InputError::Unreadable {
        what: what.to_string(),
        label: label.clone(),
        reason: e.to_string(),
    };
    let meta = regular(path, what)?;
    let too_large = || InputError::TooLarge {
        what: what.to_string(),
        label: label.clone(),
    };
    if meta.len() > MAX_INPUT_BYTES {
        return Err(too_large());
    }
    let file = std::fs::File::open(path).map_err(unreadable)?;
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    file.take(MAX_INPUT_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(unreadable)?;
    if bytes.len() as u64 > MAX_INPUT_BYTES {
        return Err(too_large());
    }
    String::from_utf8(bytes).map_err(|e| {
        let valid = e.utf8_error().valid_up_to();
        let text = std::str::from_utf8(&e.as_bytes()[..valid]).unwrap_or_default();
        let (line, column) = line_col(text, valid);
        InputError::NotText {
            what: what.to_string(),
            label,
            line,
            column,
        }
    })
}

/// Line and column (both from 1, columns in characters) of byte `offset` of `text`; an
/// offset inside a character counts as that character.
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let mut end = offset.min(text.len());
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    let before = &text[..end];
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, col)
}

/// Parts of a dotted key at which the TOML parser stops with "recursion limit" (and no
/// position): its limit is 80 levels.
const KEY_PARTS_LIMIT: usize = 80;

/// Where in `text` a TOML parse error is, and a hint to add to its message: the line and
/// column of `span` when the parser gives one; otherwise (a dotted key beyond the
/// parser's nesting limit has no position) the first line whose key has too many parts,
/// with a hint saying what is allowed. `None` only when no such line is found.
pub fn toml_position(
    text: &str,
    span: Option<std::ops::Range<usize>>,
) -> (Option<(usize, usize)>, &'static str) {
    if let Some(sp) = span {
        return (Some(line_col(text, sp.start)), "");
    }
    for (n, line) in text.lines().enumerate() {
        let (mut quote, mut escaped, mut dots, mut first) = (None, false, 0, None);
        for (col, ch) in line.chars().enumerate() {
            match (quote, ch) {
                (Some('"'), '\\') if !escaped => {
                    escaped = true;
                    continue;
                }
                (Some(q), c) if c == q && !escaped => quote = None,
                (None, '"' | '\'') => quote = Some(ch),
                (None, '#') => break,
                (None, '.') => dots += 1,
                _ => {}
            }
            escaped = false;
            if first.is_none() && !ch.is_whitespace() && ch != '[' {
                first = Some(col + 1);
            }
        }
        if dots + 1 >= KEY_PARTS_LIMIT {
            return (
                Some((n + 1, first.unwrap_or(1))),
                " (a dotted key of 80 or more parts); allowed: keys of fewer than 80 parts",
            );
        }
    }
    (None, "")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_a_small_text_file() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.toml");
        std::fs::write(&p, "x = 1\n").unwrap();
        assert_eq!(read_text(&p, "scenario file").unwrap(), "x = 1\n");
    }

    #[test]
    fn refuses_folders_devices_and_large_files() {
        let dir = tempfile::tempdir().unwrap();
        let e = read_text(dir.path(), "scenario file").unwrap_err();
        assert!(matches!(e, InputError::NotRegular { .. }), "{e}");
        #[cfg(unix)]
        {
            let e = read_text(Path::new("/dev/zero"), "scenario file").unwrap_err();
            assert!(e.to_string().contains("character device"), "{e}");
        }
        let big = dir.path().join("big.toml");
        let f = std::fs::File::create(&big).unwrap();
        f.set_len(MAX_INPUT_BYTES + 1).unwrap();
        let e = read_text(&big, "scenario file").unwrap_err();
        assert!(e.to_string().contains("at most 16 MiB"), "{e}");
    }

    #[test]
    fn refuses_binary() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("b.toml");
        std::fs::write(&p, [0xff, 0xfe, 0x00]).unwrap();
        let e = read_text(&p, "scenario file").unwrap_err();
        assert!(e.to_string().contains("not UTF-8"), "{e}");
        std::fs::write(&p, b"x = 1\n\xc3\xa9 = \xff\n").unwrap();
        let e = read_text(&p, "scenario file").unwrap_err();
        assert!(
            e.to_string().contains("b.toml:2:5: is not a text file"),
            "{e}"
        );
    }

    #[test]
    fn positions_count_lines_and_characters() {
        assert_eq!(line_col("ab\néx = 1", 6), (2, 3));
        assert_eq!(line_col("é", 1), (1, 1));
        let deep = format!("x = 1\n{} = 2\n", vec!["a"; 90].join("."));
        let (at, hint) = toml_position(&deep, None);
        assert_eq!(at, Some((2, 1)));
        assert!(hint.contains("80"));
        assert_eq!(toml_position("x = 1", Some(4..5)), (Some((1, 5)), ""));
    }
}
