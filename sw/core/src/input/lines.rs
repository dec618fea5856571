//! Line numbers of CSV records. The `csv` crate skips blank lines before a
//! record but reports the position where the skipping began; this reader
//! remembers where each line starts and whether it is blank, so a record's
//! line is the first non-blank line at or after that position.

use std::collections::VecDeque;
use std::io::{self, Read};

#[derive(Debug, Clone, Copy)]
struct Line {
    /// Byte offset of the line's first byte.
    start: u64,
    /// Nothing but `\r` so far.
    blank: bool,
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
}

impl<R: Read> Read for LineTrack<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        for &byte in &buf[..n] {
            self.offset += 1;
            match byte {
                b'\n' => self.lines.push_back(Line {
                    start: self.offset,
                    blank: true,
                }),
                b'\r' => {}
                _ => self.lines.back_mut().expect("one line at least").blank = false,
            }
        }
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_first_non_blank_line_from_an_offset() {
        let text = b"a,b\n1,2\n\n\r\n3,4\n\"x\ny\",5\n6,7";
        let mut track = LineTrack::new(&text[..]);
        let mut sink = Vec::new();
        track.read_to_end(&mut sink).unwrap();
        assert_eq!(track.line_at(0), 1);
        assert_eq!(track.line_at(4), 2);
        assert_eq!(track.line_at(8), 5, "two blank lines skipped");
        assert_eq!(track.line_at(15), 6);
        assert_eq!(track.line_at(23), 8);
        assert_eq!(track.line_at(26), 8, "past the end: the last line");
    }
}
