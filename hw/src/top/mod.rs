//! `liqscan_top`: the [`Scanner`] behind the board's register map
//! (`liqscan_core::spec::registers`, `docs/registers.md`), an AXI4-Lite
//! slave for the registers and the command ring, and an AXI4-Stream
//! master for the result records.
//!
//! Built from blocks, one file each, composed here the way the scanner
//! composes its own:
//! * [`AxiLiteSlave`] (`axil`): the five AXI4-Lite channels, one access at
//!   a time as a one-cycle request;
//! * [`RegisterFile`] (`regs`): the RW registers, `ERRORS`, the counters,
//!   the doorbell and producer checks, with [`ReadSelect`] (its address
//!   decode and read port, written out of the map);
//! * [`CommandRing`] (`commands`): the command entries in block RAM and the
//!   consumer that applies them on the scanner's host ports;
//! * [`TickSequencer`] (`sequencer`): the pending tick, its start and the
//!   completion it owes;
//! * [`ResultStream`] (`stream`): the lanes' results into records, the
//!   completion records, `res_ready`;
//! * [`ports`](mod@ports): the top module's port names.
//!
//! # Ports
//! | port | dir | width | meaning |
//! |---|---|---|---|
//! | `clock` | in | 1 | the single clock |
//! | `s_axil_aw*`, `s_axil_w*`, `s_axil_b*`, `s_axil_ar*`, `s_axil_r*` | | | AXI4-Lite slave: 13-bit byte addresses (`WINDOW_BYTES`), 32-bit data, `wstrb` 4 bits, `bresp`/`rresp` 2 bits |
//! | `m_axis_tdata` | out | 256 | one record, word `i` at bits `32i ..` |
//! | `m_axis_tvalid` | out | 1 | a record is presented (held until `tready`) |
//! | `m_axis_tready` | in | 1 | the record is taken on this edge |
//! | `m_axis_tlast` | out | 1 | the record is a completion record |
//!
//! Every output is a register, and every input of the scanner is driven
//! from a register of the top and every output of the scanner ends at one,
//! so the top adds no logic to the scanner's own paths.
//!
//! # Flow
//! The host fills command entries and commits them through `CMD_PRODUCER`;
//! between scans the command ring applies them on the scanner's host ports.
//! A write of a new `TICK_SEQ` rings the doorbell; the tick starts once every
//! committed command is applied, the scanner is idle and the previous tick's
//! completion record has left. `STATUS.BUSY` holds from a tick's start until
//! its completion record has been accepted by the stream. Each lane's results
//! become liquidation records (kind, `seq`, slot, shortfall), serialized
//! lowest lane first within a row, and the tick ends with a completion
//! record (`seq`, the scan's cycles, the count of liquidation records, the
//! stalls) with `tlast` high. A stream that is not ready fills the result
//! FIFO, which lowers the scanner's `res_ready` and holds the scan, so no
//! result is dropped. `ERRORS` records what was refused or skipped; see
//! `docs/hardware.md` for the whole behaviour.

mod axil;
mod commands;
pub mod ports;
mod read_select;
mod registers;
mod sequencer;
mod stream;

use liqscan_core::spec::registers::{RECORD_WORDS, WINDOW_BYTES};
use rust_hdl::prelude::*;

use crate::scanner::Scanner;
pub use crate::scanner::{Price, Word};

pub use axil::{AxiLiteSlave, READ_LATENCY, RESP_OKAY, RESP_SLVERR};
pub use commands::{CommandRing, FETCH_WORDS};
pub use ports::{port, ports};
pub use read_select::{readable, ReadSelect};
pub use registers::RegisterFile;
pub use sequencer::TickSequencer;
pub use stream::{LaneMask, ResultStream, RowTag, FIFO_BITS, FIFO_ROWS};

/// Bits of a byte address in the register window.
pub const ADDR_BITS: usize = WINDOW_BYTES.trailing_zeros() as usize;
const _: () = assert!(1 << ADDR_BITS == WINDOW_BYTES);
/// Bits of a word address in the register window.
pub const WORD_ADDR_BITS: usize = ADDR_BITS - 2;
/// A byte address on the bus.
pub type ByteAddr = Bits<ADDR_BITS>;
/// A word address (byte address / 4).
pub type WordAddr = Bits<WORD_ADDR_BITS>;
/// Bits of a word's address within the command ring.
pub const CMD_ADDR_BITS: usize = {
    use liqscan_core::spec::registers::{CMD_ENTRIES, CMD_WORDS};
    assert!((CMD_ENTRIES * CMD_WORDS).is_power_of_two());
    (CMD_ENTRIES * CMD_WORDS).trailing_zeros() as usize
};
/// A word's address within the command ring.
pub type CmdAddr = Bits<CMD_ADDR_BITS>;
/// Low bits of `CMD_PRODUCER` and `CMD_CONSUMER` that tell the two apart.
/// The producer is never behind the consumer nor more than `CMD_ENTRIES`
/// ahead of it (a write that would take it there is refused), so the
/// difference is `0 ..= CMD_ENTRIES` and the two are equal exactly when
/// these bits are: a compare of a few bits, not of 32.
pub const RING_INDEX_BITS: usize = {
    use liqscan_core::spec::registers::CMD_ENTRIES;
    assert!(CMD_ENTRIES.is_power_of_two() && CMD_ENTRIES < 1 << 31);
    CMD_ENTRIES.trailing_zeros() as usize + 1
};
/// Bits of a result record (one stream beat).
pub const RECORD_BITS: usize = RECORD_WORDS as usize * 32;
/// One result record.
pub type Record = Bits<RECORD_BITS>;

/// `liqscan_top` around a [`Scanner`] with `L` lanes, `L·2^ROW_BITS` slots
/// and `2^SYM_BITS` symbols (`BRK_BITS = SYM_BITS + 2`).
#[derive(LogicBlock)]
pub struct LiqscanTop<
    const L: usize,
    const ROW_BITS: usize,
    const SYM_BITS: usize,
    const BRK_BITS: usize,
> {
    pub clock: Signal<In, Clock>,
    pub s_axil_awaddr: Signal<In, ByteAddr>,
    pub s_axil_awvalid: Signal<In, bool>,
    pub s_axil_awready: Signal<Out, bool>,
    pub s_axil_wdata: Signal<In, Word>,
    pub s_axil_wstrb: Signal<In, Bits<4>>,
    pub s_axil_wvalid: Signal<In, bool>,
    pub s_axil_wready: Signal<Out, bool>,
    pub s_axil_bresp: Signal<Out, Bits<2>>,
    pub s_axil_bvalid: Signal<Out, bool>,
    pub s_axil_bready: Signal<In, bool>,
    pub s_axil_araddr: Signal<In, ByteAddr>,
    pub s_axil_arvalid: Signal<In, bool>,
    pub s_axil_arready: Signal<Out, bool>,
    pub s_axil_rdata: Signal<Out, Word>,
    pub s_axil_rresp: Signal<Out, Bits<2>>,
    pub s_axil_rvalid: Signal<Out, bool>,
    pub s_axil_rready: Signal<In, bool>,
    pub m_axis_tdata: Signal<Out, Record>,
    pub m_axis_tvalid: Signal<Out, bool>,
    pub m_axis_tready: Signal<In, bool>,
    pub m_axis_tlast: Signal<Out, bool>,

    axil: AxiLiteSlave,
    regs: RegisterFile,
    commands: CommandRing<L, ROW_BITS, SYM_BITS>,
    sequencer: TickSequencer<SYM_BITS>,
    stream: ResultStream<L>,
    scanner: Scanner<L, ROW_BITS, SYM_BITS, BRK_BITS>,
}

impl<const L: usize, const ROW_BITS: usize, const SYM_BITS: usize, const BRK_BITS: usize> Default
    for LiqscanTop<L, ROW_BITS, SYM_BITS, BRK_BITS>
{
    fn default() -> Self {
        Self {
            clock: Default::default(),
            s_axil_awaddr: Default::default(),
            s_axil_awvalid: Default::default(),
            s_axil_awready: Default::default(),
            s_axil_wdata: Default::default(),
            s_axil_wstrb: Default::default(),
            s_axil_wvalid: Default::default(),
            s_axil_wready: Default::default(),
            s_axil_bresp: Default::default(),
            s_axil_bvalid: Default::default(),
            s_axil_bready: Default::default(),
            s_axil_araddr: Default::default(),
            s_axil_arvalid: Default::default(),
            s_axil_arready: Default::default(),
            s_axil_rdata: Default::default(),
            s_axil_rresp: Default::default(),
            s_axil_rvalid: Default::default(),
            s_axil_rready: Default::default(),
            m_axis_tdata: Default::default(),
            m_axis_tvalid: Default::default(),
            m_axis_tready: Default::default(),
            m_axis_tlast: Default::default(),
            axil: Default::default(),
            regs: RegisterFile::new(Self::LANES, Self::SLOTS, Self::SYMBOLS),
            commands: Default::default(),
            sequencer: Default::default(),
            stream: Default::default(),
            scanner: Default::default(),
        }
    }
}

impl<const L: usize, const ROW_BITS: usize, const SYM_BITS: usize, const BRK_BITS: usize>
    LiqscanTop<L, ROW_BITS, SYM_BITS, BRK_BITS>
{
    /// Lanes.
    pub const LANES: usize = L;
    /// Position slots.
    pub const SLOTS: usize = Scanner::<L, ROW_BITS, SYM_BITS, BRK_BITS>::SLOTS;
    /// Symbols.
    pub const SYMBOLS: usize = Scanner::<L, ROW_BITS, SYM_BITS, BRK_BITS>::SYMBOLS;
}

impl<const L: usize, const ROW_BITS: usize, const SYM_BITS: usize, const BRK_BITS: usize> Logic
    for LiqscanTop<L, ROW_BITS, SYM_BITS, BRK_BITS>
{
    #[hdl_gen]
    fn update(&mut self) {
        clock!(self, clock, axil, regs, commands, sequencer, stream, scanner);

        // The bus.
        self.axil.s_axil_awaddr.next = self.s_axil_awaddr.val();
        self.axil.s_axil_awvalid.next = self.s_axil_awvalid.val();
        self.axil.s_axil_wdata.next = self.s_axil_wdata.val();
        self.axil.s_axil_wstrb.next = self.s_axil_wstrb.val();
        self.axil.s_axil_wvalid.next = self.s_axil_wvalid.val();
        self.axil.s_axil_bready.next = self.s_axil_bready.val();
        self.axil.s_axil_araddr.next = self.s_axil_araddr.val();
        self.axil.s_axil_arvalid.next = self.s_axil_arvalid.val();
        self.axil.s_axil_rready.next = self.s_axil_rready.val();
        self.s_axil_awready.next = self.axil.s_axil_awready.val();
        self.s_axil_wready.next = self.axil.s_axil_wready.val();
        self.s_axil_bresp.next = self.axil.s_axil_bresp.val();
        self.s_axil_bvalid.next = self.axil.s_axil_bvalid.val();
        self.s_axil_arready.next = self.axil.s_axil_arready.val();
        self.s_axil_rdata.next = self.axil.s_axil_rdata.val();
        self.s_axil_rresp.next = self.axil.s_axil_rresp.val();
        self.s_axil_rvalid.next = self.axil.s_axil_rvalid.val();
        self.stream.m_axis_tready.next = self.m_axis_tready.val();
        self.m_axis_tdata.next = self.stream.m_axis_tdata.val();
        self.m_axis_tvalid.next = self.stream.m_axis_tvalid.val();
        self.m_axis_tlast.next = self.stream.m_axis_tlast.val();

        // The register file.
        self.regs.write.next = self.axil.write.val();
        self.regs.write_addr.next = self.axil.write_addr.val();
        self.regs.write_data.next = self.axil.write_data.val();
        self.axil.write_error.next = self.regs.write_error.val();
        self.regs.read.next = self.axil.read.val();
        self.regs.read_addr.next = self.axil.read_addr.val();
        self.axil.read_data.next = self.regs.read_data.val();
        self.axil.read_error.next = self.regs.read_error.val();
        self.regs.busy.next = self.sequencer.running.val();
        self.regs.tick_pending.next = self.sequencer.pending.val();
        self.regs.consumer.next = self.commands.consumer.val();
        self.regs.tick_overrun.next = self.sequencer.overrun.val();
        self.regs.bad_opcode.next = self.commands.bad_opcode.val();
        self.regs.out_of_range.next =
            self.commands.out_of_range.val() | self.sequencer.out_of_range.val();
        self.regs.scan_done.next = self.scanner.done.val();
        self.regs.scan_cycles.next = self.scanner.cycles.val();
        self.regs.tick_done.next = self.stream.tick_done.val();
        self.regs.done_seq.next = self.stream.done_seq.val();
        self.regs.result_sent.next = self.stream.result_sent.val();
        self.regs.stall.next = self.sequencer.stall.val();

        // The command ring.
        self.commands.write.next = self.regs.cmd_write.val();
        self.commands.write_addr.next = self.regs.cmd_write_addr.val();
        self.commands.write_data.next = self.regs.cmd_write_data.val();
        self.commands.producer_index.next = self.regs.producer_index.val();
        self.commands.busy.next = self.scanner.busy.val();

        // The tick sequencer.
        self.sequencer.doorbell.next = self.regs.doorbell.val();
        self.sequencer.tick_symbol.next = self.regs.tick_symbol.val();
        self.sequencer.tick_price.next = self.regs.tick_price.val();
        self.sequencer.tick_seq.next = self.regs.tick_seq.val();
        self.sequencer.commands_done.next = self.commands.idle.val() & self.regs.ring_empty.val();
        self.sequencer.busy.next = self.scanner.busy.val();
        self.sequencer.done.next = self.scanner.done.val();
        self.sequencer.cycles.next = self.scanner.cycles.val();
        self.sequencer.res_ready.next = self.stream.res_ready.val();
        self.sequencer.completion_taken.next = self.stream.completion_taken.val();
        self.sequencer.completion_sent.next = self.stream.tick_done.val();

        // The result stream.
        self.stream.seq.next = self.sequencer.seq.val();
        self.stream.completion.next = self.sequencer.completion.val();
        self.stream.completion_cycles.next = self.sequencer.completion_cycles.val();
        self.stream.completion_stalls.next = self.sequencer.completion_stalls.val();

        // The scanner: every input from a register of the top.
        self.scanner.at_equal.next = self.regs.at_equal.val();
        self.scanner.pos_wr.next = self.commands.pos_wr.val();
        self.scanner.pos_wr_slot.next = self.commands.pos_wr_slot.val();
        self.scanner.pos_wr_valid.next = self.commands.pos_wr_valid.val();
        self.scanner.pos_wr_qty.next = self.commands.pos_wr_qty.val();
        self.scanner.pos_wr_offset.next = self.commands.pos_wr_offset.val();
        self.scanner.brk_wr.next = self.commands.brk_wr.val();
        self.scanner.brk_wr_symbol.next = self.commands.brk_wr_symbol.val();
        self.scanner.brk_wr_index.next = self.commands.brk_wr_index.val();
        self.scanner.brk_wr_cap.next = self.commands.brk_wr_cap.val();
        self.scanner.brk_wr_maint.next = self.commands.brk_wr_maint.val();
        self.scanner.brk_wr_weight_long.next = self.commands.brk_wr_weight_long.val();
        self.scanner.brk_wr_weight_short.next = self.commands.brk_wr_weight_short.val();
        self.scanner.reg_wr.next = self.commands.reg_wr.val();
        self.scanner.reg_wr_symbol.next = self.commands.reg_wr_symbol.val();
        self.scanner.reg_wr_base_row.next = self.commands.reg_wr_base_row.val();
        self.scanner.reg_wr_count.next = self.commands.reg_wr_count.val();
        self.scanner.tick_valid.next = self.sequencer.tick_valid.val();
        self.scanner.tick_symbol.next = self.sequencer.scan_symbol.val();
        self.scanner.tick_price.next = self.sequencer.scan_price.val();
        self.scanner.res_ready.next = self.stream.res_ready.val();
        for i in 0..L {
            self.stream.res_valid[i].next = self.scanner.res_valid[i].val();
            self.stream.res_slot[i].next = self.scanner.res_slot[i].val();
            self.stream.res_shortfall[i].next = self.scanner.res_shortfall[i].val();
        }
    }
}
