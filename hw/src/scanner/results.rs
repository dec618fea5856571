//! One lane's result stream: the skid registers and the port multiplexer.
//!
//! The core runs on the enable of three cycles before, so it is ahead of
//! the result stream by one step for each of the last three cycles with
//! `res_ready` low, and may have pushed up to three results out of the lane
//! that the stream has not taken. The skid registers keep the last three
//! results that left the lane (`skid` the newest); the ports show the
//! lane's output, or the result as many core steps back as the core is
//! ahead, which the lane's port selects ([`crate::fanout::LaneEnables`])
//! tell. One LUT level and the slice's own multiplexer from registers.

use rust_hdl::prelude::*;

use super::{Shortfall, Word};

/// The skid registers and port multiplexer of one lane.
#[derive(LogicBlock, Default)]
pub struct ResultSkid {
    pub clock: Signal<In, Clock>,
    /// The core's enable of this cycle: the lane's output is taken on its edge.
    pub enable: Signal<In, bool>,
    /// The core's lead over the stream: 0, at most 1, exactly 2 (else 3).
    pub back0: Signal<In, bool>,
    pub back_le1: Signal<In, bool>,
    pub back2: Signal<In, bool>,
    /// The lane's output: a liquidation, its slot and its shortfall.
    pub hit: Signal<In, bool>,
    pub slot: Signal<In, Word>,
    pub shortfall: Signal<In, Shortfall>,
    /// The result the stream sees this cycle.
    pub res_valid: Signal<Out, bool>,
    pub res_slot: Signal<Out, Word>,
    pub res_shortfall: Signal<Out, Shortfall>,
    skid_hit: DFF<bool>,
    skid_slot: DFF<Word>,
    skid_shortfall: DFF<Shortfall>,
    skid2_hit: DFF<bool>,
    skid2_slot: DFF<Word>,
    skid2_shortfall: DFF<Shortfall>,
    skid3_hit: DFF<bool>,
    skid3_slot: DFF<Word>,
    skid3_shortfall: DFF<Shortfall>,
}

impl Logic for ResultSkid {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(
            self,
            clock,
            skid_hit,
            skid_slot,
            skid_shortfall,
            skid2_hit,
            skid2_slot,
            skid2_shortfall,
            skid3_hit,
            skid3_slot,
            skid3_shortfall
        );
        if self.enable.val() {
            self.skid3_hit.d.next = self.skid2_hit.q.val();
            self.skid3_slot.d.next = self.skid2_slot.q.val();
            self.skid3_shortfall.d.next = self.skid2_shortfall.q.val();
            self.skid2_hit.d.next = self.skid_hit.q.val();
            self.skid2_slot.d.next = self.skid_slot.q.val();
            self.skid2_shortfall.d.next = self.skid_shortfall.q.val();
            self.skid_hit.d.next = self.hit.val();
            self.skid_slot.d.next = self.slot.val();
            self.skid_shortfall.d.next = self.shortfall.val();
        }
        if self.back_le1.val() {
            if self.back0.val() {
                self.res_valid.next = self.hit.val();
                self.res_slot.next = self.slot.val();
                self.res_shortfall.next = self.shortfall.val();
            } else {
                self.res_valid.next = self.skid_hit.q.val();
                self.res_slot.next = self.skid_slot.q.val();
                self.res_shortfall.next = self.skid_shortfall.q.val();
            }
        } else if self.back2.val() {
            self.res_valid.next = self.skid2_hit.q.val();
            self.res_slot.next = self.skid2_slot.q.val();
            self.res_shortfall.next = self.skid2_shortfall.q.val();
        } else {
            self.res_valid.next = self.skid3_hit.q.val();
            self.res_slot.next = self.skid3_slot.q.val();
            self.res_shortfall.next = self.skid3_shortfall.q.val();
        }
    }
}
