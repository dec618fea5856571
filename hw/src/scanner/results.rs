//! One lane's result stream: the skid registers and the port multiplexer.
//!
//! The core runs on the enable of three cycles before, so it is ahead of
//! the result stream by one step for each of the last three cycles with
//! `res_ready` low, and may have pushed up to three results out of the lane
//! that the stream has not taken. The skid registers keep the last three
//! results that left the lane (`skid` the newest); the ports show the
//! lane's output, or the result as many core steps back as the core is
//! ahead, which the lane's port selects ([`crate::fanout::PortSelects`])
//! tell. One LUT level and the slice's own multiplexer from registers.
//!
//! The port is three field groups, each on selects of its own: the hit and
//! the slot (`head`), the shortfall's bits 0–63 (`lo`) and bits 64–109
//! (`hi`), the lane's final adder's two words. On the ECP5 each group's
//! selects are registers of their own beside the group's skid registers,
//! which sit where the lane's fields come from; in the simulations the
//! three groups' selects are the same registers.

use rust_hdl::prelude::*;

use liqscan_core::spec;

use super::{Shortfall, Word};

/// The shortfall's low word, and its high one (bits 64–109).
const LO: usize = 64;
const HI: usize = 46;
const SF: usize = LO + HI;
const _: () = assert!(LO == 64 && SF == spec::SUM_BITS as usize);

/// The skid registers and port multiplexer of one lane.
#[derive(LogicBlock, Default)]
pub struct ResultSkid {
    pub clock: Signal<In, Clock>,
    /// The core's enable of this cycle: the lane's output is taken on its edge.
    pub enable: Signal<In, bool>,
    /// The core's lead over the stream: 0, at most 1, exactly 2 (else 3),
    /// for each field group (all three agree; see the module's text).
    pub back0_head: Signal<In, bool>,
    pub back_le1_head: Signal<In, bool>,
    pub back2_head: Signal<In, bool>,
    pub back0_lo: Signal<In, bool>,
    pub back_le1_lo: Signal<In, bool>,
    pub back2_lo: Signal<In, bool>,
    pub back0_hi: Signal<In, bool>,
    pub back_le1_hi: Signal<In, bool>,
    pub back2_hi: Signal<In, bool>,
    /// The lane's output: a liquidation, its slot and its shortfall.
    pub hit: Signal<In, bool>,
    pub slot: Signal<In, Word>,
    pub shortfall: Signal<In, Shortfall>,
    /// The result the stream sees this cycle.
    pub res_valid: Signal<Out, bool>,
    pub res_slot: Signal<Out, Word>,
    pub res_shortfall: Signal<Out, Shortfall>,
    in_bits: Signal<Local, Bits<SF>>,
    in_lo: Signal<Local, Bits<LO>>,
    in_hi: Signal<Local, Bits<HI>>,
    res_lo: Signal<Local, Bits<LO>>,
    res_hi: Signal<Local, Bits<HI>>,
    skid_hit: DFF<bool>,
    skid_slot: DFF<Word>,
    skid_lo: DFF<Bits<LO>>,
    skid_hi: DFF<Bits<HI>>,
    skid2_hit: DFF<bool>,
    skid2_slot: DFF<Word>,
    skid2_lo: DFF<Bits<LO>>,
    skid2_hi: DFF<Bits<HI>>,
    skid3_hit: DFF<bool>,
    skid3_slot: DFF<Word>,
    skid3_lo: DFF<Bits<LO>>,
    skid3_hi: DFF<Bits<HI>>,
}

impl Logic for ResultSkid {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(
            self, clock, skid_hit, skid_slot, skid_lo, skid_hi, skid2_hit, skid2_slot, skid2_lo,
            skid2_hi, skid3_hit, skid3_slot, skid3_lo, skid3_hi
        );
        self.in_bits.next = unsigned_cast(self.shortfall.val());
        self.in_lo.next = self.in_bits.val().get_bits::<LO>(0);
        self.in_hi.next = self.in_bits.val().get_bits::<HI>(64);
        if self.enable.val() {
            self.skid3_hit.d.next = self.skid2_hit.q.val();
            self.skid3_slot.d.next = self.skid2_slot.q.val();
            self.skid3_lo.d.next = self.skid2_lo.q.val();
            self.skid3_hi.d.next = self.skid2_hi.q.val();
            self.skid2_hit.d.next = self.skid_hit.q.val();
            self.skid2_slot.d.next = self.skid_slot.q.val();
            self.skid2_lo.d.next = self.skid_lo.q.val();
            self.skid2_hi.d.next = self.skid_hi.q.val();
            self.skid_hit.d.next = self.hit.val();
            self.skid_slot.d.next = self.slot.val();
            self.skid_lo.d.next = self.in_lo.val();
            self.skid_hi.d.next = self.in_hi.val();
        }
        if self.back_le1_head.val() {
            if self.back0_head.val() {
                self.res_valid.next = self.hit.val();
                self.res_slot.next = self.slot.val();
            } else {
                self.res_valid.next = self.skid_hit.q.val();
                self.res_slot.next = self.skid_slot.q.val();
            }
        } else if self.back2_head.val() {
            self.res_valid.next = self.skid2_hit.q.val();
            self.res_slot.next = self.skid2_slot.q.val();
        } else {
            self.res_valid.next = self.skid3_hit.q.val();
            self.res_slot.next = self.skid3_slot.q.val();
        }
        if self.back_le1_lo.val() {
            if self.back0_lo.val() {
                self.res_lo.next = self.in_lo.val();
            } else {
                self.res_lo.next = self.skid_lo.q.val();
            }
        } else if self.back2_lo.val() {
            self.res_lo.next = self.skid2_lo.q.val();
        } else {
            self.res_lo.next = self.skid3_lo.q.val();
        }
        if self.back_le1_hi.val() {
            if self.back0_hi.val() {
                self.res_hi.next = self.in_hi.val();
            } else {
                self.res_hi.next = self.skid_hi.q.val();
            }
        } else if self.back2_hi.val() {
            self.res_hi.next = self.skid2_hi.q.val();
        } else {
            self.res_hi.next = self.skid3_hi.q.val();
        }
        self.res_shortfall.next = signed_cast(
            bit_cast::<SF, LO>(self.res_lo.val()) | (bit_cast::<SF, HI>(self.res_hi.val()) << 64),
        );
    }
}
