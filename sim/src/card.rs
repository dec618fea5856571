//! The verilated `liqscan_top` as a liqscan-driver [`Card`]: what the
//! virtual board (`liqscan board`) serves.

use liqscan_driver::{Card, DriverError, Record};

use crate::error::SimError;
use crate::top_model::TopModel;

fn card_error(e: SimError) -> DriverError {
    DriverError::Card(e.to_string())
}

impl Card for TopModel {
    fn lanes(&self) -> usize {
        TopModel::lanes(self)
    }

    fn write(&mut self, offset: u32, value: u32) -> Result<(), DriverError> {
        TopModel::write(self, offset, value).map_err(card_error)
    }

    fn read(&mut self, offset: u32) -> Result<u32, DriverError> {
        TopModel::read(self, offset).map_err(card_error)
    }

    fn clock(
        &mut self,
        cycles: u64,
        ready: bool,
        out: &mut Vec<Record>,
    ) -> Result<(), DriverError> {
        TopModel::clock(self, cycles, ready, out);
        Ok(())
    }

    fn simulated_cycles(&self) -> u64 {
        TopModel::simulated_cycles(self)
    }
}
