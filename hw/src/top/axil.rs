//! The AXI4-Lite slave: the five channels' handshakes, one access at a time
//! handed to the register file as a one-cycle request.
//!
//! Every output is a register and no ready reaches a valid except through a
//! register, so the slave closes no combinational loop with any master. A
//! valid stays high until its ready. Each channel holds one transfer:
//! `awready` (`wready`) falls on the edge that takes an address (data) and
//! rises again on the edge that performs the write, so every write is
//! answered once on B and every read once on R.
//!
//! A write is performed once its address and data are both held and no
//! response is waiting on B: `write` is high for one cycle with the word
//! address and the data, the register file answers `write_error` in that
//! cycle (an address outside the map), and B carries `SLVERR` or `OKAY`
//! from the edge after. A write whose `wstrb` is not all ones is not
//! performed (`write` stays low) and is answered `SLVERR`: every register is
//! a whole word. Address bits 1:0 are ignored.
//!
//! A read is `read` for one cycle with the word address; the register file
//! registers the word and the error [`READ_LATENCY`] edges later, and R
//! carries them from the edge after that.
//!
//! The handshake registers that drive the bus's ready and valid outputs
//! (`awready`, `wready`, `bvalid`, `arready`, `rvalid`) are kept twice: one
//! copy drives the port, the other the slave's own logic, so whatever sits
//! at the far end of a port (a bridge, or the timing harness's pins) pulls
//! on the port's copy alone.

use rust_hdl::prelude::*;

use crate::fanout::Relay;

use super::{ByteAddr, Word, WordAddr, WORD_ADDR_BITS};

/// AXI response `OKAY`.
pub const RESP_OKAY: u64 = 0b00;
/// AXI response `SLVERR`.
pub const RESP_SLVERR: u64 = 0b10;
/// Edges from a cycle with `read` high to the register file's `read_data`
/// (its read select's).
pub const READ_LATENCY: usize = super::read_select::LATENCY;

/// The slave's side of the register file's port.
#[derive(LogicBlock)]
pub struct AxiLiteSlave {
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
    /// A whole-word write of `write_data` to `write_addr`, this cycle only
    /// (in other cycles the two carry whatever the slave holds).
    pub write: Signal<Out, bool>,
    pub write_addr: Signal<Out, WordAddr>,
    pub write_data: Signal<Out, Word>,
    /// The register file's answer to the access at `write_addr` this cycle.
    pub write_error: Signal<In, bool>,
    /// A read of `read_addr`, this cycle only.
    pub read: Signal<Out, bool>,
    pub read_addr: Signal<Out, WordAddr>,
    /// The word read and whether its address is outside the map,
    /// [`READ_LATENCY`] edges after `read`.
    pub read_data: Signal<In, Word>,
    pub read_error: Signal<In, bool>,

    aw_ready: DFF<bool>,
    aw_full: DFF<bool>,
    aw_addr: DFF<WordAddr>,
    w_ready: DFF<bool>,
    w_full: DFF<bool>,
    w_data: DFF<Word>,
    w_whole: DFF<bool>,
    /// A write was performed (or refused) last cycle: its answer goes to B.
    answering: DFF<bool>,
    refused: DFF<bool>,
    write_r: DFF<bool>,
    write_addr_r: DFF<WordAddr>,
    write_data_r: DFF<Word>,
    b_valid: DFF<bool>,
    b_resp: DFF<Bits<2>>,
    ar_ready: DFF<bool>,
    /// A read is open, from its address handshake to its R handshake.
    ar_busy: DFF<bool>,
    read_r: DFF<bool>,
    read_addr_r: DFF<WordAddr>,
    /// `read` of one, two and [`READ_LATENCY`] cycles before: the register
    /// file's word is there after the third.
    read_1: DFF<bool>,
    read_2: DFF<bool>,
    read_back: DFF<bool>,
    /// The ports' copies of the handshake registers.
    aw_ready_port: Relay<bool>,
    w_ready_port: Relay<bool>,
    b_valid_port: Relay<bool>,
    ar_ready_port: Relay<bool>,
    r_valid_port: Relay<bool>,
    r_valid: DFF<bool>,
    r_data: DFF<Word>,
    r_resp: DFF<Bits<2>>,
    perform: Signal<Local, bool>,
    okay: Constant<Bits<2>>,
    slverr: Constant<Bits<2>>,
    all_bytes: Constant<Bits<4>>,
}

impl Default for AxiLiteSlave {
    fn default() -> Self {
        const { assert!(READ_LATENCY == 3) };
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
            write: Default::default(),
            write_addr: Default::default(),
            write_data: Default::default(),
            write_error: Default::default(),
            read: Default::default(),
            read_addr: Default::default(),
            read_data: Default::default(),
            read_error: Default::default(),
            aw_ready: Default::default(),
            aw_full: Default::default(),
            aw_addr: Default::default(),
            w_ready: Default::default(),
            w_full: Default::default(),
            w_data: Default::default(),
            w_whole: Default::default(),
            answering: Default::default(),
            refused: Default::default(),
            write_r: Default::default(),
            write_addr_r: Default::default(),
            write_data_r: Default::default(),
            b_valid: Default::default(),
            b_resp: Default::default(),
            ar_ready: Default::default(),
            ar_busy: Default::default(),
            read_r: Default::default(),
            read_addr_r: Default::default(),
            read_1: Default::default(),
            read_2: Default::default(),
            read_back: Default::default(),
            aw_ready_port: Default::default(),
            w_ready_port: Default::default(),
            b_valid_port: Default::default(),
            ar_ready_port: Default::default(),
            r_valid_port: Default::default(),
            r_valid: Default::default(),
            r_data: Default::default(),
            r_resp: Default::default(),
            perform: Default::default(),
            okay: Constant::new(RESP_OKAY.into()),
            slverr: Constant::new(RESP_SLVERR.into()),
            all_bytes: Constant::new(0b1111.into()),
        }
    }
}

impl Logic for AxiLiteSlave {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(
            self,
            clock,
            aw_ready,
            aw_full,
            aw_addr,
            w_ready,
            w_full,
            w_data,
            w_whole,
            answering,
            refused,
            write_r,
            write_addr_r,
            write_data_r,
            b_valid,
            b_resp,
            ar_ready,
            ar_busy,
            read_r,
            read_addr_r,
            read_1,
            read_2,
            read_back,
            r_valid,
            r_data,
            r_resp
        );
        clock!(
            self,
            clock,
            aw_ready_port,
            w_ready_port,
            b_valid_port,
            ar_ready_port,
            r_valid_port
        );

        // Write address and data: one of each held; ready while none is.
        self.aw_ready.d.next = !self.aw_full.q.val();
        if self.s_axil_awvalid.val() & self.aw_ready.q.val() {
            self.aw_full.d.next = true;
            self.aw_ready.d.next = false;
            self.aw_addr.d.next = self.s_axil_awaddr.val().get_bits::<WORD_ADDR_BITS>(2);
        }
        self.w_ready.d.next = !self.w_full.q.val();
        if self.s_axil_wvalid.val() & self.w_ready.q.val() {
            self.w_full.d.next = true;
            self.w_ready.d.next = false;
            self.w_data.d.next = self.s_axil_wdata.val();
            self.w_whole.d.next = self.s_axil_wstrb.val() == self.all_bytes.val();
        }

        // Perform a held write when B is free and no answer is on its way.
        self.perform.next = self.aw_full.q.val()
            & self.w_full.q.val()
            & !self.b_valid.q.val()
            & !self.answering.q.val();
        self.write_r.d.next = false;
        self.answering.d.next = false;
        if self.perform.val() {
            self.aw_full.d.next = false;
            self.w_full.d.next = false;
            self.aw_ready.d.next = true;
            self.w_ready.d.next = true;
            self.answering.d.next = true;
            self.refused.d.next = !self.w_whole.q.val();
            self.write_r.d.next = self.w_whole.q.val();
        }
        // The held address and data follow on every edge, with no enable:
        // they hold still from their handshake to the edge that performs the
        // write, so in the cycle `write` is high these carry its word, and
        // the register file reads them in no other cycle.
        self.write_addr_r.d.next = self.aw_addr.q.val();
        self.write_data_r.d.next = self.w_data.q.val();
        if self.answering.q.val() {
            self.b_valid.d.next = true;
            self.b_resp.d.next = self.okay.val();
            if self.refused.q.val() | self.write_error.val() {
                self.b_resp.d.next = self.slverr.val();
            }
        }
        if self.b_valid.q.val() & self.s_axil_bready.val() {
            self.b_valid.d.next = false;
        }

        // Reads: one at a time, from the address handshake to the R handshake.
        self.read_r.d.next = false;
        self.read_1.d.next = self.read_r.q.val();
        self.read_2.d.next = self.read_1.q.val();
        self.read_back.d.next = self.read_2.q.val();
        self.ar_ready.d.next = !self.ar_busy.q.val();
        if self.s_axil_arvalid.val() & self.ar_ready.q.val() {
            self.ar_busy.d.next = true;
            self.ar_ready.d.next = false;
            self.read_r.d.next = true;
            self.read_addr_r.d.next = self.s_axil_araddr.val().get_bits::<WORD_ADDR_BITS>(2);
        }
        if self.read_back.q.val() {
            self.r_valid.d.next = true;
            self.r_data.d.next = self.read_data.val();
            self.r_resp.d.next = self.okay.val();
            if self.read_error.val() {
                self.r_resp.d.next = self.slverr.val();
            }
        }
        if self.r_valid.q.val() & self.s_axil_rready.val() {
            self.r_valid.d.next = false;
            self.ar_busy.d.next = false;
            self.ar_ready.d.next = true;
        }

        self.aw_ready_port.d.next = self.aw_ready.d.val();
        self.w_ready_port.d.next = self.w_ready.d.val();
        self.b_valid_port.d.next = self.b_valid.d.val();
        self.ar_ready_port.d.next = self.ar_ready.d.val();
        self.r_valid_port.d.next = self.r_valid.d.val();
        self.s_axil_awready.next = self.aw_ready_port.q.val();
        self.s_axil_wready.next = self.w_ready_port.q.val();
        self.s_axil_bvalid.next = self.b_valid_port.q.val();
        self.s_axil_bresp.next = self.b_resp.q.val();
        self.s_axil_arready.next = self.ar_ready_port.q.val();
        self.s_axil_rvalid.next = self.r_valid_port.q.val();
        self.s_axil_rdata.next = self.r_data.q.val();
        self.s_axil_rresp.next = self.r_resp.q.val();
        self.write.next = self.write_r.q.val();
        self.write_addr.next = self.write_addr_r.q.val();
        self.write_data.next = self.write_data_r.q.val();
        self.read.next = self.read_r.q.val();
        self.read_addr.next = self.read_addr_r.q.val();
    }
}
