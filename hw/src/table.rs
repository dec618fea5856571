//! One field of a lane's bracket table (maintenance amount or a weight),
//! held in LUT RAM and read at the index the lane's compares select.
//!
//! The table arrives from the scanner's shared bracket row registers, through
//! the lane's row relays, one row per edge: row `m` is brackets `4m .. 4m + 3`, one from each bracket bank, so
//! the field is four RAMs of four words, RAM `r` holding the brackets
//! `j ≡ r (mod 4)` at word `j / 4`, and a whole table is written in four
//! edges, as fast as the shared registers deliver it. A read is the RAMs' combinational
//! read at the row bits of the select register and a 4:1 multiplexer on its
//! bank bits: one LUT RAM read and one multiplexer level between two
//! registers, where a table of registers would need a 16-way select tree.
//!
//! The select register and the write sequencer belong to the field, so each
//! field's loads (about 50 RAM address pins and multiplexers) hang on their
//! own copy; the select is a [`RegisterCopy`] that synthesis does not merge
//! with the other fields' copies.

use rust_hdl::prelude::*;

use crate::fanout::RegisterCopy;
use crate::lutram::LutRam;

/// Rows of a table, one per edge of a load.
pub const ROWS: usize = 4;
/// Brackets per row (one per bracket bank).
pub const BANKS: usize = 4;

/// A `W`-bit field of the 16-entry bracket table.
#[derive(LogicBlock, Default)]
pub struct TableField<const W: usize> {
    pub clock: Signal<In, Clock>,
    /// High for a cycle: the next edge arms the load and the four edges
    /// after it write rows 0, 1, 2, 3 from `rows`. Pulse it at most once
    /// every five edges.
    pub load: Signal<In, bool>,
    /// Before load edge `m`, `rows[r]` is bracket `4m + r`'s field.
    pub rows: [Signal<In, Bits<W>>; BANKS],
    /// Clock enable of the select register.
    pub select_enable: Signal<In, bool>,
    /// The bracket to read (0..15), sampled on enabled edges.
    pub select_next: Signal<In, Bits<4>>,
    /// The field of the selected bracket: combinational from the select
    /// register and the RAMs.
    pub value: Signal<Out, Bits<W>>,
    /// One-hot: row `m` is written on the edge after `write[m]` goes high
    /// (`m` < 3; row 3 follows `write[2]`). `write[0]` clears itself, so no
    /// two fields' sequencers are alike and synthesis keeps each beside its
    /// RAMs.
    write: [DFF<bool>; ROWS - 1],
    /// `load` seen with the sequencer idle: the next edge arms it.
    arming: Signal<Local, bool>,
    /// A row is written on the next edge. This and the row are registers of
    /// their own, so the RAMs' write ports hang on flip-flops, not on logic.
    writing: DFF<bool>,
    /// The row written on the next edge, as two bits.
    write_row_lo: DFF<bool>,
    write_row_hi: DFF<bool>,
    write_row: Signal<Local, Bits<2>>,
    select: RegisterCopy<Bits<4>>,
    row: Signal<Local, Bits<2>>,
    bank: Signal<Local, Bits<2>>,
    ram: [LutRam<Bits<W>, 2>; BANKS],
}

const _: () = assert!(ROWS == 4 && BANKS == 4 && ROWS * BANKS == liqscan_core::spec::MAX_BRACKETS);

impl<const W: usize> Logic for TableField<W> {
    #[hdl_gen]
    fn update(&mut self) {
        clock!(self, clock, select);
        dff_setup!(self, clock, writing, write_row_lo, write_row_hi);
        self.select.enable.next = self.select_enable.val();
        self.select.d.next = self.select_next.val();

        // The write sequencer: arm, then rows 0..3 on consecutive edges.
        // `writing` and the row are computed a cycle ahead from the flags'
        // next values: write[1..3] take write[0..2], and row 3 follows write[2].
        for m in 0..3 {
            self.write[m].clock.next = self.clock.val();
        }
        self.arming.next = self.load.val() & !self.write[0].q.val();
        self.write[0].d.next = self.arming.val();
        self.write[1].d.next = self.write[0].q.val();
        self.write[2].d.next = self.write[1].q.val();
        self.writing.d.next = self.arming.val()
            | self.write[0].q.val()
            | self.write[1].q.val()
            | self.write[2].q.val();
        self.write_row_lo.d.next = self.write[0].q.val() | self.write[2].q.val();
        self.write_row_hi.d.next = self.write[1].q.val() | self.write[2].q.val();
        self.write_row.next = bit_cast::<2, 1>(self.write_row_lo.q.val().into())
            | (bit_cast::<2, 1>(self.write_row_hi.q.val().into()) << 1);

        // Bracket j = 4·row + bank lives in RAM `bank` at word `row`.
        self.row.next = self.select.q.val().get_bits::<2>(2);
        self.bank.next = self.select.q.val().get_bits::<2>(0);
        for r in 0..4 {
            self.ram[r].clock.next = self.clock.val();
            self.ram[r].write_address.next = self.write_row.val();
            self.ram[r].write_data.next = self.rows[r].val();
            self.ram[r].write_enable.next = self.writing.q.val();
            self.ram[r].read_address.next = self.row.val();
        }
        if self.bank.val().get_bit(1) {
            if self.bank.val().get_bit(0) {
                self.value.next = self.ram[3].read_data.val();
            } else {
                self.value.next = self.ram[2].read_data.val();
            }
        } else if self.bank.val().get_bit(0) {
            self.value.next = self.ram[1].read_data.val();
        } else {
            self.value.next = self.ram[0].read_data.val();
        }
    }
}
