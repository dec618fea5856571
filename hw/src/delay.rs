//! A fixed delay of `DEPTH` enabled edges held in LUT RAM.
//!
//! The lane carries `T` (108 bits), `A_b` (107), `X` (63) and the tag (32)
//! alongside its arithmetic for up to 16 stages; as shift registers that was
//! about 3,000 flip-flops per lane. Here each is a circular buffer of
//! sixteen words: every enabled edge writes the input at the write pointer
//! and loads the output register from the word written `DEPTH − 1` edges
//! before, then both pointers step. On the ECP5 that is `ceil(W/4)`
//! TRELLIS_DPR16X4, `W` output registers and two 4-bit pointers.
//!
//! Since the whole lane shares one clock enable, this is exactly a
//! `DEPTH`-stage shift register: a stalled edge writes nothing, moves no
//! pointer and holds the output. The word read is never the word written on
//! the same edge (`DEPTH ≤ 16`). The buffer's first `DEPTH − 1` outputs are
//! whatever the RAM held: the lane's `valid` line stays in registers.

use rust_hdl::prelude::*;
use rust_hdl::widgets::dff_with_init::DFFWithInit;

use crate::fanout::EnableCopy;
use crate::lutram::LutRam;

/// Address bits of the buffer (16 words, one LUT RAM deep).
const ADDRESS: usize = 4;

/// `q` = `d` as sampled `DEPTH` enabled edges ago (2 ≤ `DEPTH` ≤ 16).
#[derive(LogicBlock)]
pub struct DelayLine<const W: usize, const DEPTH: usize> {
    pub clock: Signal<In, Clock>,
    /// Clock enable of the **next** cycle (registered inside).
    pub enable_next: Signal<In, bool>,
    pub d: Signal<In, Bits<W>>,
    pub q: Signal<Out, Bits<W>>,
    enable: EnableCopy,
    ram: LutRam<Bits<W>, ADDRESS>,
    write_address: DFF<Bits<ADDRESS>>,
    /// Starts at `−(DEPTH − 1)` mod 16, so it trails the write pointer by `DEPTH − 1`.
    read_address: DFFWithInit<Bits<ADDRESS>>,
    out: DFF<Bits<W>>,
}

impl<const W: usize, const DEPTH: usize> DelayLine<W, DEPTH> {
    const DEPTH_FITS: () = assert!(DEPTH >= 2 && DEPTH <= 1 << ADDRESS);
}

impl<const W: usize, const DEPTH: usize> Default for DelayLine<W, DEPTH> {
    fn default() -> Self {
        let () = Self::DEPTH_FITS;
        let lag = ((1 << ADDRESS) + 1 - DEPTH) % (1 << ADDRESS);
        Self {
            clock: Default::default(),
            enable_next: Default::default(),
            d: Default::default(),
            q: Default::default(),
            enable: Default::default(),
            ram: Default::default(),
            write_address: Default::default(),
            read_address: DFFWithInit::new(Bits::from(lag as u64)),
            out: Default::default(),
        }
    }
}

impl<const W: usize, const DEPTH: usize> Logic for DelayLine<W, DEPTH> {
    #[hdl_gen]
    fn update(&mut self) {
        clock!(self, clock, enable, ram, read_address);
        dff_setup!(self, clock, write_address, out);
        self.enable.d.next = self.enable_next.val();
        self.read_address.d.next = self.read_address.q.val();

        self.ram.write_address.next = self.write_address.q.val();
        self.ram.write_data.next = self.d.val();
        self.ram.write_enable.next = self.enable.q.val();
        self.ram.read_address.next = self.read_address.q.val();
        if self.enable.q.val() {
            // 1-bit literals keep the Verilog adds 4 bits wide.
            self.write_address.d.next = self.write_address.q.val() + true;
            self.read_address.d.next = self.read_address.q.val() + true;
            self.out.d.next = self.ram.read_data.val();
        }
        self.q.next = self.out.q.val();
    }
}
