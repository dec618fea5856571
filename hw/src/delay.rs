//! A fixed delay of `DEPTH` enabled edges held in LUT RAM.
//!
//! The lane carries `T` (108 bits), `A_b` (107), `X` (63) and the tag (32)
//! alongside its arithmetic for up to 16 stages; as shift registers that
//! takes a flip-flop per bit and stage. Here each is a circular buffer of
//! sixteen words: every enabled edge writes the input at the write pointer
//! and loads the output register from the word written `DEPTH − 1` edges
//! before, then the pointers step. On the ECP5 that is `ceil(W/4)`
//! TRELLIS_DPR16X4, `W` output registers and two 4-bit pointers.
//!
//! Since the whole lane shares one clock enable, this is exactly a
//! `DEPTH`-stage shift register: a stalled edge writes nothing, moves no
//! pointer and holds the output. The word read is never the word written on
//! the same edge (`DEPTH ≤ 16`). The buffer's first `DEPTH − 1` outputs are
//! whatever the RAM held: zero after power-up (ECP5 LUT RAM starts cleared,
//! and so do the Verilator and rust-hdl models), which the lane relies on
//! for the `valid` bit it carries in its tag's line.
//!
//! Both pointers start at 0. On every enabled edge the read pointer is
//! loaded with the write pointer's next value less `DEPTH − 1` (the write
//! pointer plus the constant `2 − DEPTH`, modulo 16), so from the first
//! enabled edge on it is `DEPTH − 1` behind; before that edge the output is
//! one of the buffer's first outputs, whatever the RAM held. Starting the
//! read pointer at `1 − DEPTH` and stepping it instead needs flip-flops that
//! power up at 1, which the ECP5 builds from inverted ones and an inverter
//! LUT on each output: a LUT and a net more between the pointer and every
//! LUT RAM it addresses. The two pointers always agree in as many low bits
//! as `DEPTH − 1` has trailing zeros (bit 0 for the lane's 15-deep `T`
//! lines, none for its 6- and 16-deep lines), and synthesis keeps one
//! flip-flop for each of those. (The read pointer was a counter of its own
//! that waited at 0 until the write pointer was `DEPTH − 1` ahead, with a
//! flag and a compare for the wait, which the Verilator model evaluated on
//! every edge.)

use rust_hdl::prelude::*;

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
    read_address: DFF<Bits<ADDRESS>>,
    /// `2 − DEPTH` modulo 16: the read pointer's next value less the write
    /// pointer's present one.
    lag: Constant<Bits<ADDRESS>>,
    out: DFF<Bits<W>>,
}

impl<const W: usize, const DEPTH: usize> DelayLine<W, DEPTH> {
    const DEPTH_FITS: () = assert!(DEPTH >= 2 && DEPTH <= 1 << ADDRESS);
}

impl<const W: usize, const DEPTH: usize> Default for DelayLine<W, DEPTH> {
    fn default() -> Self {
        let () = Self::DEPTH_FITS;
        Self {
            clock: Default::default(),
            enable_next: Default::default(),
            d: Default::default(),
            q: Default::default(),
            enable: Default::default(),
            ram: Default::default(),
            write_address: Default::default(),
            read_address: Default::default(),
            lag: Constant::new(Bits::from(
                (((1 << ADDRESS) + 2 - DEPTH) % (1 << ADDRESS)) as u64,
            )),
            out: Default::default(),
        }
    }
}

impl<const W: usize, const DEPTH: usize> Logic for DelayLine<W, DEPTH> {
    #[hdl_gen]
    fn update(&mut self) {
        clock!(self, clock, enable, ram);
        dff_setup!(self, clock, write_address, read_address, out);

        self.ram.write_address.next = self.write_address.q.val();
        self.ram.write_data.next = self.d.val();
        self.ram.write_enable.next = self.enable.q.val();
        self.ram.read_address.next = self.read_address.q.val();
        self.enable.d.next = self.enable_next.val();
        if self.enable.q.val() {
            // 1-bit literals keep the Verilog adds 4 bits wide.
            self.write_address.d.next = self.write_address.q.val() + true;
            self.read_address.d.next = self.write_address.q.val() + self.lag.val();
            self.out.d.next = self.ram.read_data.val();
        }
        self.q.next = self.out.q.val();
    }
}
