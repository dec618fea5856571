//! The verilated `liqscan_top` behind its bus: one AXI4-Lite access at a
//! time, and the result stream clocked with a chosen `tready`.
//!
//! The model is the Sim build ([`SLOTS`](crate::SLOTS) slots,
//! [`SYMBOLS`](crate::SYMBOLS) symbols). A bus access holds the stream
//! (`m_axis_tready` low), so every beat is taken inside [`TopModel::clock`]
//! and none is lost between calls.

use liqscan_core::spec::registers::RECORD_WORDS;

use crate::dut::{Dut, Port};
use crate::error::SimError;
use crate::ports::top_name as name;

/// Cycles an access may take before it counts as unanswered.
const ACCESS_BOUND: u64 = 64;
/// AXI `OKAY`.
const OKAY: u128 = 0;
/// Words of a record.
const RECORD: usize = RECORD_WORDS as usize;

/// The top's ports, resolved and width-checked.
#[derive(Debug)]
struct Ports {
    awaddr: Port,
    awvalid: Port,
    awready: Port,
    wdata: Port,
    wstrb: Port,
    wvalid: Port,
    wready: Port,
    bresp: Port,
    bvalid: Port,
    bready: Port,
    araddr: Port,
    arvalid: Port,
    arready: Port,
    rdata: Port,
    rresp: Port,
    rvalid: Port,
    rready: Port,
    tdata: Port,
    tvalid: Port,
    tready: Port,
}

impl Ports {
    fn resolve(dut: &Dut) -> Result<Self, SimError> {
        let input = |port: &str, width: u32| dut.port_checked(port, width, false);
        let output = |port: &str, width: u32| dut.port_checked(port, width, true);
        let addr = dut.port(name::S_AXIL_AWADDR)?.width();
        Ok(Self {
            awaddr: input(name::S_AXIL_AWADDR, addr)?,
            awvalid: input(name::S_AXIL_AWVALID, 1)?,
            awready: output(name::S_AXIL_AWREADY, 1)?,
            wdata: input(name::S_AXIL_WDATA, 32)?,
            wstrb: input(name::S_AXIL_WSTRB, 4)?,
            wvalid: input(name::S_AXIL_WVALID, 1)?,
            wready: output(name::S_AXIL_WREADY, 1)?,
            bresp: output(name::S_AXIL_BRESP, 2)?,
            bvalid: output(name::S_AXIL_BVALID, 1)?,
            bready: input(name::S_AXIL_BREADY, 1)?,
            araddr: input(name::S_AXIL_ARADDR, addr)?,
            arvalid: input(name::S_AXIL_ARVALID, 1)?,
            arready: output(name::S_AXIL_ARREADY, 1)?,
            rdata: output(name::S_AXIL_RDATA, 32)?,
            rresp: output(name::S_AXIL_RRESP, 2)?,
            rvalid: output(name::S_AXIL_RVALID, 1)?,
            rready: input(name::S_AXIL_RREADY, 1)?,
            tdata: output(name::M_AXIS_TDATA, RECORD_WORDS * 32)?,
            tvalid: output(name::M_AXIS_TVALID, 1)?,
            tready: input(name::M_AXIS_TREADY, 1)?,
        })
    }
}

/// The verilated `liqscan_top` with `lanes` lanes.
#[derive(Debug)]
pub struct TopModel {
    dut: Dut,
    ports: Ports,
    lanes: usize,
}

impl TopModel {
    /// The Sim build's top with `lanes` lanes, after reset: every register
    /// at zero, the bus idle.
    pub fn new(lanes: usize) -> Result<Self, SimError> {
        let dut = Dut::new_top(lanes)?;
        let ports = Ports::resolve(&dut)?;
        let mut model = Self { dut, ports, lanes };
        model.dut.set(model.ports.wstrb, 0b1111);
        // The channels' ready registers rise on the first edges.
        for _ in 0..2 {
            model.dut.posedge();
        }
        Ok(model)
    }

    /// Lanes `L`.
    pub fn lanes(&self) -> usize {
        self.lanes
    }

    /// One AXI4-Lite write: clocks until its response. Err on SLVERR or no
    /// response within a bound.
    pub fn write(&mut self, offset: u32, value: u32) -> Result<(), SimError> {
        let p = &self.ports;
        let (awaddr, awvalid, awready, wdata, wvalid, wready, bvalid, bready, bresp, tready) = (
            p.awaddr, p.awvalid, p.awready, p.wdata, p.wvalid, p.wready, p.bvalid, p.bready,
            p.bresp, p.tready,
        );
        self.dut.set_bit(tready, false);
        self.dut.set(awaddr, offset.into());
        self.dut.set(wdata, value.into());
        self.dut.set_bit(awvalid, true);
        self.dut.set_bit(wvalid, true);
        self.dut.set_bit(bready, true);
        let (mut address_taken, mut data_taken) = (false, false);
        for _ in 0..ACCESS_BOUND {
            let aw = self.dut.get_bit(awready);
            let w = self.dut.get_bit(wready);
            let answered = self.dut.get_bit(bvalid);
            let resp = self.dut.get(bresp);
            self.dut.posedge();
            if aw && !address_taken {
                address_taken = true;
                self.dut.set_bit(awvalid, false);
            }
            if w && !data_taken {
                data_taken = true;
                self.dut.set_bit(wvalid, false);
            }
            if answered {
                self.dut.set_bit(bready, false);
                return if resp == OKAY {
                    Ok(())
                } else {
                    Err(SimError::BusError {
                        access: "write",
                        offset,
                    })
                };
            }
        }
        self.idle_bus();
        Err(SimError::NoResponse {
            access: "write",
            offset,
            cycles: ACCESS_BOUND,
        })
    }

    /// One AXI4-Lite read. Err on SLVERR or no response within a bound.
    pub fn read(&mut self, offset: u32) -> Result<u32, SimError> {
        let p = &self.ports;
        let (araddr, arvalid, arready, rvalid, rready, rdata, rresp, tready) = (
            p.araddr, p.arvalid, p.arready, p.rvalid, p.rready, p.rdata, p.rresp, p.tready,
        );
        self.dut.set_bit(tready, false);
        self.dut.set(araddr, offset.into());
        self.dut.set_bit(arvalid, true);
        self.dut.set_bit(rready, true);
        let mut address_taken = false;
        for _ in 0..ACCESS_BOUND {
            let ar = self.dut.get_bit(arready);
            let answered = self.dut.get_bit(rvalid);
            let (data, resp) = (self.dut.get(rdata) as u32, self.dut.get(rresp));
            self.dut.posedge();
            if ar && !address_taken {
                address_taken = true;
                self.dut.set_bit(arvalid, false);
            }
            if answered {
                self.dut.set_bit(rready, false);
                return if resp == OKAY {
                    Ok(data)
                } else {
                    Err(SimError::BusError {
                        access: "read",
                        offset,
                    })
                };
            }
        }
        self.idle_bus();
        Err(SimError::NoResponse {
            access: "read",
            offset,
            cycles: ACCESS_BOUND,
        })
    }

    /// Drops every valid and ready after an unanswered access.
    fn idle_bus(&mut self) {
        let p = &self.ports;
        for port in [p.awvalid, p.wvalid, p.bready, p.arvalid, p.rready] {
            self.dut.set_bit(port, false);
        }
    }

    /// Clocks `cycles` rising edges with m_axis_tready = `ready`, appending
    /// every beat transferred to `out`.
    pub fn clock(&mut self, cycles: u64, ready: bool, out: &mut Vec<[u32; RECORD]>) {
        let (tvalid, tdata, tready) = (self.ports.tvalid, self.ports.tdata, self.ports.tready);
        self.dut.set_bit(tready, ready);
        for _ in 0..cycles {
            if ready && self.dut.get_bit(tvalid) {
                let mut words = [0u32; RECORD];
                self.dut.get_words(tdata, &mut words);
                out.push(words);
            }
            self.dut.posedge();
        }
    }

    /// Rising clock edges simulated so far.
    pub fn simulated_cycles(&self) -> u64 {
        self.dut.cycles()
    }
}
