//! `liqscan_top`'s port names, for drivers and test benches.

/// Port names of the top module.
pub mod port {
    pub const CLOCK: &str = "clock";
    pub const AWADDR: &str = "s_axil_awaddr";
    pub const AWVALID: &str = "s_axil_awvalid";
    pub const AWREADY: &str = "s_axil_awready";
    pub const WDATA: &str = "s_axil_wdata";
    pub const WSTRB: &str = "s_axil_wstrb";
    pub const WVALID: &str = "s_axil_wvalid";
    pub const WREADY: &str = "s_axil_wready";
    pub const BRESP: &str = "s_axil_bresp";
    pub const BVALID: &str = "s_axil_bvalid";
    pub const BREADY: &str = "s_axil_bready";
    pub const ARADDR: &str = "s_axil_araddr";
    pub const ARVALID: &str = "s_axil_arvalid";
    pub const ARREADY: &str = "s_axil_arready";
    pub const RDATA: &str = "s_axil_rdata";
    pub const RRESP: &str = "s_axil_rresp";
    pub const RVALID: &str = "s_axil_rvalid";
    pub const RREADY: &str = "s_axil_rready";
    pub const TDATA: &str = "m_axis_tdata";
    pub const TVALID: &str = "m_axis_tvalid";
    pub const TREADY: &str = "m_axis_tready";
    pub const TLAST: &str = "m_axis_tlast";
}

use super::{ADDR_BITS, RECORD_BITS};
use crate::scanner::{Dir, Port};

/// Every port of the top module in declaration order.
pub fn ports() -> Vec<Port> {
    use port::*;
    let p = |name: &str, dir, width| Port {
        name: name.to_string(),
        dir,
        width,
        signed: false,
    };
    vec![
        p(CLOCK, Dir::In, 1),
        p(AWADDR, Dir::In, ADDR_BITS),
        p(AWVALID, Dir::In, 1),
        p(AWREADY, Dir::Out, 1),
        p(WDATA, Dir::In, 32),
        p(WSTRB, Dir::In, 4),
        p(WVALID, Dir::In, 1),
        p(WREADY, Dir::Out, 1),
        p(BRESP, Dir::Out, 2),
        p(BVALID, Dir::Out, 1),
        p(BREADY, Dir::In, 1),
        p(ARADDR, Dir::In, ADDR_BITS),
        p(ARVALID, Dir::In, 1),
        p(ARREADY, Dir::Out, 1),
        p(RDATA, Dir::Out, 32),
        p(RRESP, Dir::Out, 2),
        p(RVALID, Dir::Out, 1),
        p(RREADY, Dir::In, 1),
        p(TDATA, Dir::Out, RECORD_BITS),
        p(TVALID, Dir::Out, 1),
        p(TREADY, Dir::In, 1),
        p(TLAST, Dir::Out, 1),
    ]
}
