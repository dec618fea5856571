//! The board's register map and its host-memory formats, defined once: the
//! address decoder of `liqscan_top` (liqscan-hw), the driver (liqscan-driver)
//! and the virtual board all use these constants, and `docs/registers.md`
//! is generated from [`MAP`] by [`markdown`] (a test fails when the checked-in
//! table is stale).
//!
//! # Rules
//! * 32-bit registers at byte offsets, accessed as whole aligned words.
//! * **No read has a side effect**: every read can be repeated.
//! * A write that starts something carries a sequence number: the command
//!   ring's producer index and the tick doorbell's `TICK_SEQ`. The card acts
//!   when the number changes, so every such write is a change of the word
//!   that a shared-memory stand-in for the card (the virtual board) can see.
//! * The host never reads a card register on the hot path: it writes
//!   commands and rings the doorbell (posted writes), and polls the result
//!   ring in host memory, which the card's DMA engine writes.
//!
//! # Commands
//! Positions, brackets and regions reach the scanner through a ring of
//! [`CMD_ENTRIES`] command entries of [`CMD_WORDS`] words in the register
//! window (write-only, read as 0). The host fills entry `p mod CMD_ENTRIES`,
//! then writes `p + 1` to `CMD_PRODUCER`; the card applies entries in order,
//! between scans, and counts them in `CMD_CONSUMER`. The host may be at most
//! [`CMD_ENTRIES`] entries ahead of `CMD_CONSUMER`, which it reads only when
//! its credit runs out. A doorbell rung after a commit scans with the
//! committed entries applied. A tick of a symbol beyond the build sets
//! `OUT_OF_RANGE` and completes at once, with a completion record of count 0.
//! A `CMD_PRODUCER` write that moves it backwards or more than the free
//! room forward sets `CMD_OVERRUN` and is refused (the producer keeps its
//! value). Liquidation records leave in slot order.
//!
//! # Results
//! The card streams one [`RECORD_WORDS`]-word record per liquidation, then
//! one completion record per tick (AXI4-Stream, `RECORD_WORDS · 32` bits a
//! beat). A DMA engine writes them into a ring of [`RING_RECORDS`] records
//! in host memory ([`ring`]) and advances the ring's producer index after
//! the records; the host advances the consumer index. A full ring holds the
//! stream, which holds the scan: nothing is dropped.

use std::fmt::Write as _;

use super::{limits, timing};

/// `MAGIC` reads `"LQSC"` in ASCII.
pub const MAGIC: u32 = 0x4C51_5343;
/// Version of this map; bumped on any change to it or the formats (2:
/// `STATUS.BUSY` holds until the tick's completion record has left).
pub const MAP_VERSION: u32 = 2;

/// Bytes of the register window (`BAR0`): identification to doorbell in
/// the first page, the command ring in the second.
pub const WINDOW_BYTES: u32 = 0x2000;
/// Command entries in the ring.
pub const CMD_ENTRIES: u32 = 64;
/// Words per command entry (64 bytes, one cache line).
pub const CMD_WORDS: u32 = 16;
/// Byte offset of command entry 0.
pub const CMD_BASE: u32 = 0x1000;
const _: () = assert!(CMD_BASE + CMD_ENTRIES * CMD_WORDS * 4 == WINDOW_BYTES);

/// Register byte offsets.
pub mod reg {
    // Identification (read-only constants of the build).
    pub const MAGIC: u32 = 0x000;
    pub const VERSION: u32 = 0x004;
    pub const SPEC_HASH: u32 = 0x008;
    pub const LANES: u32 = 0x00C;
    pub const SLOTS: u32 = 0x010;
    pub const SYMBOLS: u32 = 0x014;
    pub const PIPELINE_DEPTH: u32 = 0x018;
    pub const CMD_ENTRIES: u32 = 0x01C;
    // Control and status.
    pub const CONTROL: u32 = 0x040;
    pub const STATUS: u32 = 0x044;
    pub const ERRORS: u32 = 0x048;
    pub const ERRORS_CLEAR: u32 = 0x04C;
    pub const SCRATCH: u32 = 0x050;
    // Command ring.
    pub const CMD_PRODUCER: u32 = 0x080;
    pub const CMD_CONSUMER: u32 = 0x084;
    // Tick doorbell.
    pub const TICK_SYMBOL: u32 = 0x0C0;
    pub const TICK_PRICE: u32 = 0x0C4;
    pub const TICK_SEQ: u32 = 0x0C8;
    pub const TICK_DONE_SEQ: u32 = 0x0CC;
    // Counters (read-only, free-running, wrapping).
    pub const CYCLES_LO: u32 = 0x100;
    pub const CYCLES_HI: u32 = 0x104;
    pub const LAST_SCAN_CYCLES: u32 = 0x108;
    pub const TICKS: u32 = 0x10C;
    pub const RESULTS: u32 = 0x110;
    pub const STALL_CYCLES: u32 = 0x114;
}

/// `CONTROL` bits.
pub mod control {
    /// Liquidate at a margin sum of exactly 0 (`liquidate_at_equal`).
    pub const AT_EQUAL: u32 = 1 << 0;
}

/// `STATUS` bits.
pub mod status {
    /// A tick is running: from its start until its completion record has
    /// been accepted by the result stream, so every record of the tick has
    /// left the card (a record held by back-pressure keeps it set). With
    /// `TICK_PENDING` and `CMD_PENDING` clear, the card has nothing left to
    /// do and `TICK_DONE_SEQ` is the last rung tick's.
    pub const BUSY: u32 = 1 << 0;
    /// A rung tick has not started yet.
    pub const TICK_PENDING: u32 = 1 << 1;
    /// Committed commands are not all applied (`CMD_CONSUMER ≠ CMD_PRODUCER`).
    pub const CMD_PENDING: u32 = 1 << 2;
}

/// `ERRORS` bits: sticky, cleared by writing 1s to `ERRORS_CLEAR`.
pub mod errors {
    /// The doorbell was rung while the previous tick had not started: the
    /// new tick was dropped.
    pub const TICK_OVERRUN: u32 = 1 << 0;
    /// `TICK_SEQ` was not the previous one plus 1 (the tick still runs).
    pub const TICK_SEQ_GAP: u32 = 1 << 1;
    /// `CMD_PRODUCER` ran more than `CMD_ENTRIES` ahead of `CMD_CONSUMER`,
    /// or moved backwards: entries were overwritten before they were applied.
    pub const CMD_OVERRUN: u32 = 1 << 2;
    /// A command entry with an unknown opcode (skipped).
    pub const BAD_OPCODE: u32 = 1 << 3;
    /// A command or tick named a slot, row or symbol beyond the build's
    /// capacity (skipped).
    pub const OUT_OF_RANGE: u32 = 1 << 4;
    /// An access to an address outside the map (answered `SLVERR`).
    pub const BAD_ADDRESS: u32 = 1 << 5;
    /// Every defined bit.
    pub const ALL: u32 = (1 << 6) - 1;

    /// The names of the bits set in `errors`, for messages.
    pub fn names(errors: u32) -> Vec<&'static str> {
        [
            (TICK_OVERRUN, "tick overrun"),
            (TICK_SEQ_GAP, "tick sequence gap"),
            (CMD_OVERRUN, "command overrun"),
            (BAD_OPCODE, "bad opcode"),
            (OUT_OF_RANGE, "out of range"),
            (BAD_ADDRESS, "bad address"),
        ]
        .into_iter()
        .filter(|&(bit, _)| errors & bit != 0)
        .map(|(_, name)| name)
        .collect()
    }
}

/// Command entries: word 0 is the opcode, the rest its fields. Wide values
/// are split into 32-bit words, least significant first, sign-extended to
/// the last word they take.
pub mod cmd {
    /// Opcodes (word 0).
    pub const OP_POSITION: u32 = 1;
    pub const OP_BRACKET: u32 = 2;
    pub const OP_REGION: u32 = 3;

    /// Word 0 of every entry.
    pub const OPCODE: u32 = 0;

    /// `OP_POSITION`: write one slot.
    pub mod position {
        /// Slot number (`< SLOTS`).
        pub const SLOT: u32 = 1;
        /// 1 = the slot holds a position, 0 = a hole.
        pub const VALID: u32 = 2;
        /// `Q`, signed lots (one word).
        pub const QTY: u32 = 3;
        /// `T`, signed, 4 words from here.
        pub const OFFSET: u32 = 4;
    }

    /// `OP_BRACKET`: write bracket `INDEX` of `SYMBOL`.
    pub mod bracket {
        pub const SYMBOL: u32 = 1;
        pub const INDEX: u32 = 2;
        /// `cap_b`, 2 words.
        pub const CAP: u32 = 3;
        /// `A_b`, 4 words.
        pub const MAINT: u32 = 5;
        /// `W_b,+`, 2 words.
        pub const WEIGHT_LONG: u32 = 9;
        /// `W_b,−`, 2 words.
        pub const WEIGHT_SHORT: u32 = 11;
    }

    /// `OP_REGION`: the slots `SYMBOL` scans.
    pub mod region {
        pub const SYMBOL: u32 = 1;
        /// First slot divided by the lane count.
        pub const BASE_ROW: u32 = 2;
        /// Slots, holes included.
        pub const COUNT: u32 = 3;
    }
}

/// Words of one result record (one AXI4-Stream beat of 256 bits).
pub const RECORD_WORDS: u32 = 8;

/// Result records: word 0 is the kind.
pub mod record {
    pub const KIND: u32 = 0;
    /// A liquidation: `SEQ`, `SLOT`, `SHORTFALL` (4 words, signed).
    pub const LIQUIDATION: u32 = 1;
    /// The end of a tick: `SEQ`, `CYCLES`, `COUNT`, `STALLS`.
    pub const COMPLETION: u32 = 2;
    /// The doorbell's `TICK_SEQ` of the tick.
    pub const SEQ: u32 = 1;
    /// Liquidation: the slot.
    pub const SLOT: u32 = 2;
    /// Liquidation: `MM − E`, 4 words from here.
    pub const SHORTFALL: u32 = 4;
    /// Completion: the scan's cycles from the accepting edge to `done`.
    pub const CYCLES: u32 = 2;
    /// Completion: liquidation records of the tick.
    pub const COUNT: u32 = 3;
    /// Completion: busy cycles the stream held the scan.
    pub const STALLS: u32 = 4;
}

/// Records of the result ring in host memory.
pub const RING_RECORDS: u32 = 1 << 16;

/// The result ring in host memory (the DMA buffer): a header page, then
/// [`RING_RECORDS`] records of [`RECORD_WORDS`] words.
pub mod ring {
    /// Byte offset of the producer index (records written; the DMA engine's).
    pub const PRODUCER: usize = 0x00;
    /// Byte offset of the consumer index (records read; the host's), in
    /// its own cache line.
    pub const CONSUMER: usize = 0x40;
    /// Byte offset of the heartbeat, in its own cache line: a word the DMA
    /// engine changes while the card runs, so that a host waiting for a
    /// long scan's records can tell a working card from a hung one. The
    /// virtual board writes its simulated cycle count (low 32 bits) there
    /// each loop; a card's DMA status write-back may write a running count;
    /// 0 that never changes means none (the host then sees progress only in
    /// records).
    pub const HEARTBEAT: usize = 0x80;
    /// Byte offset of record 0.
    pub const RECORDS: usize = 0x1000;
    /// Bytes of the whole ring.
    pub const BYTES: usize =
        RECORDS + super::RING_RECORDS as usize * super::RECORD_WORDS as usize * 4;
}

/// What the card and the host must agree on, hashed into `SPEC_HASH`:
/// every width and constant of the rule and of this map.
pub fn spec_hash() -> u32 {
    let text = format!(
        "price{} qty{} notional{} k6{} weight{} maint{} offset{} sum{} brackets{} \
         depth{} map{} cmd{}x{}@{:#x} record{} ring{}",
        limits::PRICE_BITS,
        limits::QTY_BITS,
        limits::NOTIONAL_BITS,
        limits::K6_BITS,
        limits::WEIGHT_BITS,
        limits::MAINT_BITS,
        limits::OFFSET_BITS,
        limits::SUM_BITS,
        limits::MAX_BRACKETS,
        timing::PIPELINE_DEPTH,
        MAP_VERSION,
        CMD_ENTRIES,
        CMD_WORDS,
        CMD_BASE,
        RECORD_WORDS,
        RING_RECORDS,
    );
    // FNV-1a, 32 bits.
    text.bytes().fold(0x811C_9DC5, |hash: u32, byte| {
        (hash ^ u32::from(byte)).wrapping_mul(0x0100_0193)
    })
}

/// How the host may access a register.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Read-only: writes are ignored.
    Ro,
    /// Read and write; reads return what was last written.
    Rw,
    /// Write-only: reads return 0.
    Wo,
}

impl Access {
    pub fn name(self) -> &'static str {
        match self {
            Access::Ro => "RO",
            Access::Rw => "RW",
            Access::Wo => "WO",
        }
    }
}

/// One register (or, for the command ring, one range of words).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Register {
    pub name: &'static str,
    pub offset: u32,
    /// Words it spans (1 but for the command ring).
    pub words: u32,
    pub access: Access,
    pub doc: &'static str,
}

/// A block of the map.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Block {
    pub name: &'static str,
    pub doc: &'static str,
    pub registers: &'static [Register],
}

const fn r(name: &'static str, offset: u32, access: Access, doc: &'static str) -> Register {
    Register {
        name,
        offset,
        words: 1,
        access,
        doc,
    }
}

/// The whole map, in address order.
pub const MAP: &[Block] = &[
    Block {
        name: "Identification",
        doc: "Constants of the build. The driver refuses a board whose magic, \
              version or spec hash differ from its own, or whose capacity is too small \
              for the book.",
        registers: &[
            r("MAGIC", reg::MAGIC, Access::Ro, "`0x4C515343` (\"LQSC\")"),
            r("VERSION", reg::VERSION, Access::Ro, "version of this map"),
            r("SPEC_HASH", reg::SPEC_HASH, Access::Ro, "FNV-1a of every width and constant of `spec` and of this map"),
            r("LANES", reg::LANES, Access::Ro, "lanes `L` (slots compared per cycle)"),
            r("SLOTS", reg::SLOTS, Access::Ro, "position slots"),
            r("SYMBOLS", reg::SYMBOLS, Access::Ro, "symbols"),
            r("PIPELINE_DEPTH", reg::PIPELINE_DEPTH, Access::Ro, "`D`: a scan of `n` slots takes `ceil(n/L) + D` cycles without stalls"),
            r("CMD_ENTRIES", reg::CMD_ENTRIES, Access::Ro, "entries of the command ring"),
        ],
    },
    Block {
        name: "Control and status",
        doc: "",
        registers: &[
            r("CONTROL", reg::CONTROL, Access::Rw, "bit 0 `AT_EQUAL`: liquidate at a margin sum of exactly 0; written between scans"),
            r("STATUS", reg::STATUS, Access::Ro, "bit 0 `BUSY` a tick runs: from its start until its completion record has left on the stream; bit 1 `TICK_PENDING` a rung tick not started; bit 2 `CMD_PENDING` committed commands not applied. All clear: the card is idle and every record has left"),
            r("ERRORS", reg::ERRORS, Access::Ro, "sticky error flags: bit 0 `TICK_OVERRUN`, 1 `TICK_SEQ_GAP`, 2 `CMD_OVERRUN`, 3 `BAD_OPCODE`, 4 `OUT_OF_RANGE`, 5 `BAD_ADDRESS`"),
            r("ERRORS_CLEAR", reg::ERRORS_CLEAR, Access::Wo, "write 1s to clear those bits of `ERRORS`"),
            r("SCRATCH", reg::SCRATCH, Access::Rw, "free for the host (bus checks)"),
        ],
    },
    Block {
        name: "Command ring",
        doc: "Fill entry `p mod CMD_ENTRIES`, then write `p + 1` to `CMD_PRODUCER`. \
              Entries are applied in order between scans.",
        registers: &[
            r("CMD_PRODUCER", reg::CMD_PRODUCER, Access::Rw, "entries committed by the host (wrapping)"),
            r("CMD_CONSUMER", reg::CMD_CONSUMER, Access::Ro, "entries applied (wrapping)"),
        ],
    },
    Block {
        name: "Tick doorbell",
        doc: "Write `TICK_SYMBOL` and `TICK_PRICE`, then the tick's sequence number \
              to `TICK_SEQ`: a new value starts the scan once the committed commands \
              are applied. Its records end with a completion record carrying that number.",
        registers: &[
            r("TICK_SYMBOL", reg::TICK_SYMBOL, Access::Rw, "symbol to scan"),
            r("TICK_PRICE", reg::TICK_PRICE, Access::Rw, "mark `P` in ticks"),
            r("TICK_SEQ", reg::TICK_SEQ, Access::Rw, "doorbell: the previous value plus 1"),
            r("TICK_DONE_SEQ", reg::TICK_DONE_SEQ, Access::Ro, "`TICK_SEQ` of the last completed tick"),
        ],
    },
    Block {
        name: "Counters",
        doc: "Free-running and wrapping. Read `CYCLES_HI`, `CYCLES_LO`, `CYCLES_HI` \
              and retry if the two high words differ.",
        registers: &[
            r("CYCLES_LO", reg::CYCLES_LO, Access::Ro, "clock cycles since reset, low word"),
            r("CYCLES_HI", reg::CYCLES_HI, Access::Ro, "clock cycles since reset, high word"),
            r("LAST_SCAN_CYCLES", reg::LAST_SCAN_CYCLES, Access::Ro, "cycles of the last completed scan, stalls included"),
            r("TICKS", reg::TICKS, Access::Ro, "ticks completed"),
            r("RESULTS", reg::RESULTS, Access::Ro, "liquidation records sent"),
            r("STALL_CYCLES", reg::STALL_CYCLES, Access::Ro, "busy cycles the result stream held the scan"),
        ],
    },
    Block {
        name: "Command entries",
        doc: "",
        registers: &[Register {
            name: "CMD_ENTRY",
            offset: CMD_BASE,
            words: CMD_ENTRIES * CMD_WORDS,
            access: Access::Wo,
            doc: "`CMD_ENTRIES` entries of `CMD_WORDS` words; see the command formats",
        }],
    },
];

/// The register a word offset belongs to, if any.
pub fn register_at(offset: u32) -> Option<&'static Register> {
    MAP.iter()
        .flat_map(|block| block.registers)
        .find(|r| offset >= r.offset && offset < r.offset + 4 * r.words)
}

/// `docs/registers.md`: the map and the formats, as tables.
pub fn markdown() -> String {
    let mut md = String::new();
    let _ = writeln!(
        md,
        "# Register map\n\n\
         Generated from `liqscan_core::spec::registers` by `liqscan registers`; \
         do not edit (a test fails when this file is stale).\n\n\
         Map version {MAP_VERSION}, spec hash `{:#010x}`. 32-bit registers at byte \
         offsets of the register window ({WINDOW_BYTES:#x} bytes, `BAR0`). \
         No read has a side effect.\n",
        spec_hash()
    );
    for block in MAP {
        let _ = writeln!(md, "## {}\n", block.name);
        if !block.doc.is_empty() {
            let _ = writeln!(md, "{}\n", block.doc);
        }
        let _ = writeln!(
            md,
            "| offset | name | access | meaning |\n|---|---|---|---|"
        );
        for r in block.registers {
            let offset = if r.words == 1 {
                format!("`{:#05x}`", r.offset)
            } else {
                format!("`{:#05x}`–`{:#05x}`", r.offset, r.offset + 4 * r.words - 1)
            };
            let _ = writeln!(
                md,
                "| {offset} | `{}` | {} | {} |",
                r.name,
                r.access.name(),
                r.doc
            );
        }
        md.push('\n');
    }
    let table = |md: &mut String, title: &str, rows: &[(u32, u32, &str, &str)]| {
        let _ = writeln!(
            md,
            "### {title}\n\n| word | words | field | meaning |\n|---|---|---|---|"
        );
        for (word, words, name, doc) in rows {
            let _ = writeln!(md, "| {word} | {words} | `{name}` | {doc} |");
        }
        md.push('\n');
    };
    let _ = writeln!(
        md,
        "## Command formats\n\n\
         Word 0 is the opcode. Wide values take consecutive words, least \
         significant first, sign-extended into the last.\n"
    );
    use cmd::{bracket as b, position as p, region as g};
    table(
        &mut md,
        &format!("Position (opcode {})", cmd::OP_POSITION),
        &[
            (p::SLOT, 1, "slot", "slot number, `< SLOTS`"),
            (p::VALID, 1, "valid", "1 = holds a position, 0 = hole"),
            (p::QTY, 1, "qty", "`Q`, signed lots"),
            (p::OFFSET, 4, "offset", "`T`, signed"),
        ],
    );
    table(
        &mut md,
        &format!("Bracket (opcode {})", cmd::OP_BRACKET),
        &[
            (b::SYMBOL, 1, "symbol", "`< SYMBOLS`"),
            (
                b::INDEX,
                1,
                "index",
                "bracket 0–15 (the table padded to 16)",
            ),
            (b::CAP, 2, "cap", "`cap_b`"),
            (b::MAINT, 4, "maint", "`A_b`"),
            (b::WEIGHT_LONG, 2, "weight_long", "`W_b,+`"),
            (b::WEIGHT_SHORT, 2, "weight_short", "`W_b,−`"),
        ],
    );
    table(
        &mut md,
        &format!("Region (opcode {})", cmd::OP_REGION),
        &[
            (g::SYMBOL, 1, "symbol", "`< SYMBOLS`"),
            (g::BASE_ROW, 1, "base_row", "first slot / `LANES`"),
            (
                g::COUNT,
                1,
                "count",
                "slots scanned, holes included; `base_row·L + count ≤ SLOTS`",
            ),
        ],
    );
    let _ = writeln!(
        md,
        "## Result records\n\n\
         {RECORD_WORDS} words (one 256-bit AXI4-Stream beat). The DMA engine writes \
         them to a ring of {RING_RECORDS} records at byte {:#x} of the DMA buffer, \
         then the count of records written to the word at byte {:#x}; the host writes \
         the count it has read to the word at byte {:#x}. The word at byte {:#x} is a \
         heartbeat the DMA engine changes while the card runs (the virtual board's \
         simulated cycle count; 0 when the engine has none), so a host can tell a long \
         scan from a hung card.\n",
        ring::RECORDS,
        ring::PRODUCER,
        ring::CONSUMER,
        ring::HEARTBEAT
    );
    table(
        &mut md,
        &format!("Liquidation (kind {})", record::LIQUIDATION),
        &[
            (record::SEQ, 1, "seq", "the tick's `TICK_SEQ`"),
            (
                record::SLOT,
                1,
                "slot",
                "the liquidated slot (cleared on the card)",
            ),
            (
                record::SHORTFALL,
                4,
                "shortfall",
                "`MM − E`, signed, units of `10^-s`",
            ),
        ],
    );
    table(
        &mut md,
        &format!("Completion (kind {})", record::COMPLETION),
        &[
            (record::SEQ, 1, "seq", "the tick's `TICK_SEQ`"),
            (record::CYCLES, 1, "cycles", "scan cycles, stalls included"),
            (record::COUNT, 1, "count", "liquidation records of the tick"),
            (
                record::STALLS,
                1,
                "stalls",
                "busy cycles the stream held the scan",
            ),
        ],
    );
    md
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn registers_are_aligned_distinct_and_inside_the_window() {
        let all: Vec<&Register> = MAP.iter().flat_map(|b| b.registers).collect();
        for (i, a) in all.iter().enumerate() {
            assert_eq!(a.offset % 4, 0, "{}", a.name);
            assert!(a.offset + 4 * a.words <= WINDOW_BYTES, "{}", a.name);
            for b in &all[i + 1..] {
                assert!(
                    a.offset + 4 * a.words <= b.offset,
                    "{} overlaps {}",
                    a.name,
                    b.name
                );
            }
            assert_eq!(register_at(a.offset).map(|r| r.name), Some(a.name));
        }
        assert_eq!(register_at(0x03C), None);
    }

    #[test]
    fn command_fields_fit_in_an_entry() {
        assert!(cmd::position::OFFSET + limits::OFFSET_BITS.div_ceil(32) <= CMD_WORDS);
        assert_eq!(
            cmd::bracket::MAINT,
            cmd::bracket::CAP + limits::NOTIONAL_BITS.div_ceil(32)
        );
        assert_eq!(
            cmd::bracket::WEIGHT_LONG,
            cmd::bracket::MAINT + limits::MAINT_BITS.div_ceil(32)
        );
        assert!(cmd::bracket::WEIGHT_SHORT + limits::WEIGHT_BITS.div_ceil(32) <= CMD_WORDS);
        assert!(record::SHORTFALL + limits::SUM_BITS.div_ceil(32) <= RECORD_WORDS);
    }

    #[test]
    fn ring_header_words_have_their_own_cache_lines() {
        let words = [ring::PRODUCER, ring::CONSUMER, ring::HEARTBEAT];
        for (i, a) in words.iter().enumerate() {
            assert_eq!(a % 4, 0);
            assert!(a + 4 <= ring::RECORDS);
            for b in &words[i + 1..] {
                assert_ne!(a / 64, b / 64, "{a:#x} and {b:#x} share a line");
            }
        }
    }

    #[test]
    fn the_hash_covers_the_widths() {
        assert_ne!(spec_hash(), 0);
        assert_eq!(spec_hash(), spec_hash());
    }

    #[test]
    fn the_checked_in_table_is_current() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/registers.md");
        let checked_in = std::fs::read_to_string(path).unwrap_or_default();
        assert!(
            checked_in == markdown(),
            "docs/registers.md is stale: run `cargo run -p liqscan-cli -- registers > docs/registers.md`"
        );
    }
}
