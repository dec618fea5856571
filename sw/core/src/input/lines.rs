//! Line numbers of CSV records, counted as the `csv` reader splits records.
//!
//! A line ends at `\n`, `\r\n` or a lone `\r` (the `csv` crate's default
//! terminators, so a file with old-Mac CR-only endings is numbered as it is
//! read). The `csv` crate skips blank lines before a record but reports the
//! position where the skipping began; this reader remembers where each line
//! starts and whether it is blank, so a record's line is the first non-blank
//! line at or after that position.
//!
//! It also follows the CSV quoting as the `csv` reader does (a `"` opens a
//! quoted field only at the start of a field; `""` inside one is a quote), so
//! that a quote still open at the end of the input can be reported with the
//! line where it opened instead of silently swallowing the rest of the file.

use std::collections::VecDeque;
use std::io::{self, Read};

#[derive(Debug, Clone, Copy)]
struct Line {
    /// Byte offset of the line's first byte.
    start: u64,
    /// Nothing in it so far.
    blank: bool,
}

/// Where the CSV quoting is, as of the last byte read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Quoting {
    /// At the start of a field (or of a record).
    FieldStart,
    /// In an unquoted field (a `"` here is an ordinary character).
    Unquoted,
    /// In a quoted field opened at this byte offset, on this line.
    Quoted { offset: u64, line: u64 },
    /// Just after a `"` in a quoted field: `"` again is an escaped quote,
    /// anything else means the field was closed.
    QuoteInQuoted { offset: u64, line: u64 },
}

/// A quote still open when the input ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OpenQuote {
    /// Byte offset of the opening `"`.
    pub offset: u64,
    /// Line of the opening `"`.
    pub line: u64,
    /// The input's last line (not counting an empty one after a final
    /// line terminator).
    pub last_line: u64,
}

/// A pass-through reader that indexes the lines it has read.
pub(crate) struct LineTrack<R> {
    inner: R,
    /// Bytes read so far.
    offset: u64,
    /// Lines from the earliest one still of interest; the last may be unfinished.
    lines: VecDeque<Line>,
    /// 1-based number of `lines[0]`.
    first: u64,
    /// The last byte was `\r` (a `\n` now completes a `\r\n`).
    after_cr: bool,
    quoting: Quoting,
    /// Set at the end of the input if a quoted field was still open.
    open_quote: Option<OpenQuote>,
}

impl<R> LineTrack<R> {
    pub fn new(inner: R) -> Self {
        Self {
            inner,
            offset: 0,
            lines: VecDeque::from([Line {
                start: 0,
                blank: true,
            }]),
            first: 1,
            after_cr: false,
            quoting: Quoting::FieldStart,
            open_quote: None,
        }
    }

    /// The line of the first non-blank line starting at or after byte `start`
    /// (a record's first line; `start` is where the reader began looking for it).
    /// Lines before `start` are forgotten: call with non-decreasing offsets.
    pub fn line_at(&mut self, start: u64) -> u64 {
        while self.lines.len() > 1 && self.lines[1].start <= start {
            self.lines.pop_front();
            self.first += 1;
        }
        let skipped = self.lines.iter().position(|l| l.start >= start && !l.blank);
        // Only blank lines left (end of input): the line where the record would be.
        let index = skipped.unwrap_or(self.lines.len() - 1);
        self.first + index as u64
    }

    /// The quote left open at the end of the input, once the end was read.
    pub fn open_quote(&self) -> Option<OpenQuote> {
        self.open_quote
    }

    /// The line the last byte read is on.
    fn current_line(&self) -> u64 {
        self.first + self.lines.len() as u64 - 1
    }

    fn new_line(&mut self) {
        self.lines.push_back(Line {
            start: self.offset,
            blank: true,
        });
    }

    /// Follows one byte (already counted in `offset`, at `offset - 1`).
    fn track(&mut self, byte: u8) {
        let at = self.offset - 1;
        match byte {
            b'\n' if self.after_cr => {
                // `\r\n`: one terminator; the line begun at `\r` starts here.
                self.lines.back_mut().expect("one line at least").start = self.offset;
            }
            b'\n' | b'\r' => self.new_line(),
            _ => self.lines.back_mut().expect("one line at least").blank = false,
        }
        self.after_cr = byte == b'\r';
        let line = self.current_line();
        self.quoting = match (self.quoting, byte) {
            (Quoting::Quoted { offset, line }, b'"') => Quoting::QuoteInQuoted { offset, line },
            (quoted @ Quoting::Quoted { .. }, _) => quoted,
            (Quoting::QuoteInQuoted { offset, line }, b'"') => Quoting::Quoted { offset, line },
            (Quoting::FieldStart, b'"') => Quoting::Quoted { offset: at, line },
            (_, b',' | b'\n' | b'\r') => Quoting::FieldStart,
            _ => Quoting::Unquoted,
        };
    }

    /// The input has ended.
    fn end(&mut self) {
        if let Quoting::Quoted { offset, line } = self.quoting {
            let last = self.lines.back().expect("one line at least");
            let last_line = self.current_line() - u64::from(last.blank && self.lines.len() > 1);
            self.open_quote = Some(OpenQuote {
                offset,
                line,
                last_line: last_line.max(line),
            });
        }
    }
}

impl<R: Read> Read for LineTrack<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        if n == 0 && !buf.is_empty() {
            self.end();
        }
        for &byte in &buf[..n] {
            self.offset += 1;
            self.track(byte);
        }
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tracked(text: &[u8]) -> LineTrack<&[u8]> {
        let mut track = LineTrack::new(text);
        let mut sink = Vec::new();
        track.read_to_end(&mut sink).unwrap();
        track
    }

    #[test]
    fn finds_the_first_non_blank_line_from_an_offset() {
        let mut track = tracked(b"a,b\n1,2\n\n\r\n3,4\n\"x\ny\",5\n6,7");
        assert_eq!(track.line_at(0), 1);
        assert_eq!(track.line_at(4), 2);
        assert_eq!(track.line_at(8), 5, "two blank lines skipped");
        assert_eq!(track.line_at(15), 6);
        assert_eq!(track.line_at(23), 8);
        assert_eq!(track.line_at(26), 8, "past the end: the last line");
        assert_eq!(track.open_quote(), None);
    }

    #[test]
    fn counts_cr_only_and_mixed_line_endings_as_the_reader_does() {
        // Lines: 1 `a,b` (CR), 2 `1,2` (CRLF), 3 blank (CR), 4 `3,4` (LF), 5 `5,6`.
        let mut track = tracked(b"a,b\r1,2\r\n\r3,4\n5,6");
        assert_eq!(track.line_at(0), 1);
        assert_eq!(track.line_at(4), 2);
        assert_eq!(track.line_at(9), 4, "one blank line skipped");
        assert_eq!(track.line_at(14), 5);
    }

    #[test]
    fn a_crlf_split_across_reads_is_one_terminator() {
        /// Yields one byte per read.
        struct Trickle<'a>(&'a [u8]);
        impl Read for Trickle<'_> {
            fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
                let n = self.0.len().min(buf.len()).min(1);
                buf[..n].copy_from_slice(&self.0[..n]);
                self.0 = &self.0[n..];
                Ok(n)
            }
        }
        let mut track = LineTrack::new(Trickle(b"a\r\nb\r\nc"));
        let mut sink = Vec::new();
        track.read_to_end(&mut sink).unwrap();
        assert_eq!(track.line_at(3), 2);
        assert_eq!(track.line_at(6), 3);
    }

    #[test]
    fn reports_a_quote_left_open_at_the_end() {
        let track = tracked(b"a,b\n1,\"x\"\"y\n2,3\n4,5\n");
        assert_eq!(
            track.open_quote(),
            Some(OpenQuote {
                offset: 6,
                line: 2,
                last_line: 4
            })
        );
        // Closed quotes, escaped quotes and quotes inside unquoted fields are fine.
        for closed in [
            &b"a,b\n1,\"x\"\"y\"\n"[..],
            b"a,b\n1,x\"y\n",
            b"a,b\n\"1\",\"\"\n",
            b"\"a\r\nb\",c",
        ] {
            assert_eq!(tracked(closed).open_quote(), None, "{closed:?}");
        }
        let track = tracked(b"a,b\r\"1\r2");
        assert_eq!(
            track.open_quote().map(|q| (q.line, q.last_line)),
            Some((2, 3))
        );
    }
}
