//! The lines of a JSON Lines input, numbered as the CSV inputs number theirs.
//!
//! A line ends at `\n`, `\r\n` or a lone `\r` (so a file with old-Mac CR-only
//! endings is read line by line, as the CSV readers read theirs); a JSON text
//! never holds a raw CR or LF, so splitting there never cuts a value. A
//! byte-order mark at the very start is dropped. A line longer than
//! [`MAX_LINE_BYTES`] is read to its end without being kept, so a huge line
//! costs no memory and is reported with its length.

use std::io::{self, BufRead};

/// Longest line kept, in bytes (its terminator not counted).
pub const MAX_LINE_BYTES: usize = 64 * 1024;

const BOM: &[u8] = b"\xEF\xBB\xBF";

/// One line as read.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Line<'a> {
    /// The line's text, its terminator dropped.
    Text(&'a str),
    /// Longer than [`MAX_LINE_BYTES`]: this many bytes.
    TooLong(u64),
    /// Not UTF-8.
    NotUtf8,
}

/// Splits a reader into numbered lines.
pub(crate) struct JsonLines<R> {
    input: R,
    /// The line being read (or last returned).
    buf: Vec<u8>,
    /// Bytes of the line being read, kept or not.
    length: u64,
    /// Number of the last line returned.
    line: u64,
    /// The last terminator was `\r`: a `\n` now completes a `\r\n`.
    after_cr: bool,
    /// Nothing read yet (a byte-order mark may come).
    at_start: bool,
    done: bool,
}

impl<R: BufRead> JsonLines<R> {
    pub fn new(input: R) -> Self {
        Self {
            input,
            buf: Vec::new(),
            length: 0,
            line: 0,
            after_cr: false,
            at_start: true,
            done: false,
        }
    }

    /// The next line and its number (the first line is 1), `None` at the
    /// end; after an I/O error, `None` too.
    pub fn next_line(&mut self) -> Option<io::Result<(u64, Line<'_>)>> {
        if self.done {
            return None;
        }
        self.buf.clear();
        self.length = 0;
        loop {
            let available = match self.input.fill_buf() {
                Ok(available) => available,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => {
                    self.done = true;
                    return Some(Err(e));
                }
            };
            if available.is_empty() {
                self.done = true;
                if self.length == 0 {
                    // The input was empty or ended with a terminator.
                    return None;
                }
                break;
            }
            if self.after_cr && available[0] == b'\n' {
                // The `\n` of a `\r\n` that ended the previous line.
                self.after_cr = false;
                self.input.consume(1);
                continue;
            }
            self.after_cr = false;
            let end = available.iter().position(|&b| b == b'\n' || b == b'\r');
            let taken = end.unwrap_or(available.len());
            if self.buf.len() + taken <= MAX_LINE_BYTES {
                self.buf.extend_from_slice(&available[..taken]);
            } else {
                self.buf.clear();
            }
            self.length += taken as u64;
            match end {
                Some(at) => {
                    self.after_cr = available[at] == b'\r';
                    self.input.consume(at + 1);
                    break;
                }
                None => self.input.consume(taken),
            }
        }
        self.line += 1;
        if self.at_start {
            self.at_start = false;
            if self.buf.starts_with(BOM) {
                self.buf.drain(..BOM.len());
                self.length -= BOM.len() as u64;
            }
        }
        let line = if self.length > MAX_LINE_BYTES as u64 {
            Line::TooLong(self.length)
        } else {
            match std::str::from_utf8(&self.buf) {
                Ok(text) => Line::Text(text),
                Err(_) => Line::NotUtf8,
            }
        };
        Some(Ok((self.line, line)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(input: &[u8]) -> Vec<(u64, String)> {
        let mut reader = JsonLines::new(input);
        let mut out = Vec::new();
        while let Some(line) = reader.next_line() {
            let (n, line) = line.unwrap();
            let text = match line {
                Line::Text(t) => t.to_owned(),
                Line::TooLong(n) => format!("<{n} bytes>"),
                Line::NotUtf8 => "<not UTF-8>".to_owned(),
            };
            out.push((n, text));
        }
        out
    }

    fn numbered(texts: &[&str]) -> Vec<(u64, String)> {
        texts
            .iter()
            .enumerate()
            .map(|(i, t)| (i as u64 + 1, (*t).to_owned()))
            .collect()
    }

    #[test]
    fn splits_at_lf_crlf_and_lone_cr() {
        assert_eq!(lines(b""), numbered(&[]));
        assert_eq!(lines(b"a"), numbered(&["a"]));
        assert_eq!(lines(b"a\n"), numbered(&["a"]));
        assert_eq!(lines(b"a\nb"), numbered(&["a", "b"]));
        assert_eq!(lines(b"a\r\nb\r\n"), numbered(&["a", "b"]));
        assert_eq!(lines(b"a\rb\r"), numbered(&["a", "b"]));
        assert_eq!(
            lines(b"a\r\r\nb\n\nc\r\n\rd"),
            numbered(&["a", "", "b", "", "c", "", "d"])
        );
        assert_eq!(lines(b"\n"), numbered(&[""]));
    }

    #[test]
    fn a_crlf_split_across_reads_is_one_terminator() {
        // A buffer of one byte: every `\r\n` is split across two reads.
        let input = io::BufReader::with_capacity(1, &b"a\r\nb\r\n\r\nc"[..]);
        let mut reader = JsonLines::new(input);
        let mut got = Vec::new();
        while let Some(line) = reader.next_line() {
            let (n, line) = line.unwrap();
            got.push((n, format!("{line:?}")));
        }
        let want: Vec<(u64, String)> = [(1, "a"), (2, "b"), (3, ""), (4, "c")]
            .iter()
            .map(|&(n, t)| (n, format!("{:?}", Line::Text(t))))
            .collect();
        assert_eq!(got, want);
    }

    #[test]
    fn drops_a_byte_order_mark_at_the_start_only() {
        assert_eq!(lines(b"\xEF\xBB\xBFa\nb"), numbered(&["a", "b"]));
        assert_eq!(lines(b"a\n\xEF\xBB\xBFb"), numbered(&["a", "\u{feff}b"]));
    }

    #[test]
    fn a_long_line_is_measured_not_kept() {
        let mut input = vec![b'x'; MAX_LINE_BYTES];
        input.push(b'\n');
        input.extend(vec![b'y'; MAX_LINE_BYTES + 1]);
        input.extend_from_slice(b"\r\nz");
        let got = lines(&input);
        assert_eq!(got.len(), 3);
        assert_eq!(got[0].1.len(), MAX_LINE_BYTES);
        assert_eq!(got[1], (2, format!("<{} bytes>", MAX_LINE_BYTES + 1)));
        assert_eq!(got[2], (3, "z".to_owned()));
    }

    #[test]
    fn reports_invalid_utf8_at_its_line() {
        assert_eq!(lines(b"a\n\xff\nb"), numbered(&["a", "<not UTF-8>", "b"]));
    }
}
