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
//! The select register and the write port's controls belong to the field,
//! so each field's loads (about 50 RAM address pins and multiplexers) hang
//! on their own copy; the select is a [`RegisterCopy`] that synthesis does
//! not merge with the other fields' copies. The write enable and row are
//! registered here too, from the owner's load sequence (`write_next`,
//! `row_next`), so the RAMs' write ports hang on flip-flops beside them.
//! (The sequence itself is the bracket select's, shared by its four fields:
//! a sequencer per field cost the Verilator model about 30 instructions a
//! field a cycle, for flags that change only during a load.)

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
    /// Sampled on every edge: high when the next edge writes the word at
    /// `row_next` of every bank from `rows` (as they are in the cycle after
    /// this one).
    pub write_next: Signal<In, bool>,
    pub row_next: Signal<In, Bits<2>>,
    /// `rows[r]` is bracket `4m + r`'s field in the cycle that ends in the
    /// edge writing row `m`.
    pub rows: [Signal<In, Bits<W>>; BANKS],
    /// Clock enable of the select register.
    pub select_enable: Signal<In, bool>,
    /// The bracket to read (0..15), sampled on enabled edges.
    pub select_next: Signal<In, Bits<4>>,
    /// The field of the selected bracket: combinational from the select
    /// register and the RAMs.
    pub value: Signal<Out, Bits<W>>,
    /// The next edge writes word `write_row` of each RAM. Registers of
    /// their own, so the RAMs' write ports hang on flip-flops, not on logic.
    writing: DFF<bool>,
    write_row: DFF<Bits<2>>,
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
        dff_setup!(self, clock, writing, write_row);
        self.select.enable.next = self.select_enable.val();
        self.select.d.next = self.select_next.val();
        self.writing.d.next = self.write_next.val();
        self.write_row.d.next = self.row_next.val();

        // Bracket j = 4·row + bank lives in RAM `bank` at word `row`.
        self.row.next = self.select.q.val().get_bits::<2>(2);
        self.bank.next = self.select.q.val().get_bits::<2>(0);
        for r in 0..4 {
            self.ram[r].clock.next = self.clock.val();
            self.ram[r].write_address.next = self.write_row.q.val();
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
