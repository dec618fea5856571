//! What the `liqscan_top` tests share: the top in rust-hdl's simulator
//! with an AXI4-Lite master and an AXI4-Stream sink that back-pressure at
//! random, a protocol monitor that checks every cycle, and the host's
//! command and doorbell writes.
#![allow(dead_code)]

use std::collections::VecDeque;

use liqscan_core::spec::registers::{reg, CMD_BASE, CMD_ENTRIES, CMD_WORDS, RECORD_WORDS};
use liqscan_hw::top::{LiqscanTop, RESP_OKAY};
use liqscan_testkit::board::{self, Record};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rust_hdl::prelude::*;

/// Small builds: 8 symbols.
pub type Top<const L: usize, const R: usize> = LiqscanTop<L, R, 3, 5>;
pub const SYMBOLS: usize = 8;

/// Outputs as seen before an edge, and the readies driven in that cycle.
#[derive(Debug, Clone, PartialEq)]
struct Seen {
    awready: bool,
    wready: bool,
    bvalid: bool,
    bresp: u64,
    arready: bool,
    rvalid: bool,
    rdata: u32,
    rresp: u64,
    tvalid: bool,
    tlast: bool,
    tdata: [u32; RECORD_WORDS as usize],
}

/// The top, its master and sink.
pub struct Bench<const L: usize, const R: usize> {
    pub uut: Box<Top<L, R>>,
    rng: ChaCha8Rng,
    /// Probability that `bready`/`rready` (`tready`) is high in a cycle.
    pub bus_ready: f64,
    pub stream_ready: f64,
    /// From this cycle on `stream_ready` is 1 (then this is `None` again).
    pub stream_ready_at: Option<u64>,
    /// Cycles the master waits before raising a valid: `0..=bus_delay`.
    pub bus_delay: u32,
    /// Before some edges, change every input and check no output moves.
    pub check_registered: bool,
    /// Every record taken from the stream, in order.
    pub records: Vec<[u32; RECORD_WORDS as usize]>,
    /// Records already handed out by [`Bench::until_completion`].
    taken: usize,
    b_answers: VecDeque<u64>,
    r_answers: VecDeque<(u32, u64)>,
    writes_open: usize,
    reads_open: usize,
    prev: Option<(Seen, bool, bool, bool)>,
    pub cycles: u64,
    producer: u32,
    consumer: u32,
    /// Entries filled but not committed.
    filled: u32,
}

impl<const L: usize, const R: usize> Bench<L, R> {
    pub const SLOTS: usize = Top::<L, R>::SLOTS;

    pub fn new(seed: u64) -> Self {
        let mut uut = Box::new(Top::<L, R>::default());
        uut.connect_all();
        check_all(uut.as_ref()).expect("circuit checks");
        let mut bench = Self {
            uut,
            rng: ChaCha8Rng::seed_from_u64(seed),
            bus_ready: 1.0,
            stream_ready: 1.0,
            stream_ready_at: None,
            bus_delay: 0,
            check_registered: false,
            records: Vec::new(),
            taken: 0,
            b_answers: VecDeque::new(),
            r_answers: VecDeque::new(),
            writes_open: 0,
            reads_open: 0,
            prev: None,
            cycles: 0,
            producer: 0,
            consumer: 0,
            filled: 0,
        };
        bench.uut.s_axil_wstrb.next = 0b1111.into();
        for _ in 0..2 {
            bench.clock();
        }
        bench
    }

    fn settle(&mut self) {
        assert!(simulate(&mut *self.uut, 10_000), "circuit did not settle");
    }

    fn seen(&self) -> Seen {
        let u = &self.uut;
        let tdata = u.m_axis_tdata.val();
        Seen {
            awready: u.s_axil_awready.val(),
            wready: u.s_axil_wready.val(),
            bvalid: u.s_axil_bvalid.val(),
            bresp: u.s_axil_bresp.val().to_u64(),
            arready: u.s_axil_arready.val(),
            rvalid: u.s_axil_rvalid.val(),
            rdata: u.s_axil_rdata.val().to_u32(),
            rresp: u.s_axil_rresp.val().to_u64(),
            tvalid: u.m_axis_tvalid.val(),
            tlast: u.m_axis_tlast.val(),
            tdata: std::array::from_fn(|i| tdata.get_bits::<32>(32 * i).to_u32()),
        }
    }

    /// Every output is a register: changing every input leaves them all as they are.
    fn check_outputs_registered(&mut self, seen: &Seen) {
        let u = &mut self.uut;
        let saved = (
            u.s_axil_awvalid.val(),
            u.s_axil_wvalid.val(),
            u.s_axil_bready.val(),
            u.s_axil_arvalid.val(),
            u.s_axil_rready.val(),
            u.m_axis_tready.val(),
            u.s_axil_awaddr.val(),
            u.s_axil_wdata.val(),
            u.s_axil_araddr.val(),
        );
        u.s_axil_awvalid.next = !saved.0;
        u.s_axil_wvalid.next = !saved.1;
        u.s_axil_bready.next = !saved.2;
        u.s_axil_arvalid.next = !saved.3;
        u.s_axil_rready.next = !saved.4;
        u.m_axis_tready.next = !saved.5;
        u.s_axil_awaddr.next = !saved.6;
        u.s_axil_wdata.next = !saved.7;
        u.s_axil_araddr.next = !saved.8;
        self.settle();
        assert_eq!(
            &self.seen(),
            seen,
            "an output follows an input combinationally"
        );
        let u = &mut self.uut;
        u.s_axil_awvalid.next = saved.0;
        u.s_axil_wvalid.next = saved.1;
        u.s_axil_bready.next = saved.2;
        u.s_axil_arvalid.next = saved.3;
        u.s_axil_rready.next = saved.4;
        u.m_axis_tready.next = saved.5;
        u.s_axil_awaddr.next = saved.6;
        u.s_axil_wdata.next = saved.7;
        u.s_axil_araddr.next = saved.8;
        self.settle();
    }

    /// One clock cycle with the inputs driven so far (and a random
    /// `tready`), checking the protocol and taking what the edge transfers.
    pub fn clock(&mut self) {
        if self.stream_ready_at.is_some_and(|at| self.cycles >= at) {
            self.stream_ready = 1.0;
            self.stream_ready_at = None;
        }
        let tready = self.rng.gen_bool(self.stream_ready);
        self.uut.m_axis_tready.next = tready;
        self.settle();
        let seen = self.seen();
        if self.check_registered && self.rng.gen_ratio(1, 4) {
            self.check_outputs_registered(&seen);
        }
        let (bready, rready) = (self.uut.s_axil_bready.val(), self.uut.s_axil_rready.val());
        if let Some((p, p_bready, p_rready, p_tready)) = &self.prev {
            if p.bvalid && !p_bready {
                assert!(
                    seen.bvalid && seen.bresp == p.bresp,
                    "B changed before bready"
                );
            }
            if p.rvalid && !p_rready {
                assert!(
                    seen.rvalid && (seen.rdata, seen.rresp) == (p.rdata, p.rresp),
                    "R changed before rready"
                );
            }
            if p.tvalid && !p_tready {
                assert!(
                    seen.tvalid && (seen.tdata, seen.tlast) == (p.tdata, p.tlast),
                    "the stream's record changed before tready"
                );
            }
        }
        if seen.bvalid && bready {
            assert!(self.writes_open > 0, "a B response with no write open");
            self.writes_open -= 1;
            self.b_answers.push_back(seen.bresp);
        }
        if seen.rvalid && rready {
            assert!(self.reads_open > 0, "an R response with no read open");
            self.reads_open -= 1;
            self.r_answers.push_back((seen.rdata, seen.rresp));
        }
        if seen.tvalid && tready {
            let record = board::decode(&seen.tdata).unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(
                seen.tlast,
                matches!(record, Record::Completion { .. }),
                "tlast marks completion records"
            );
            self.records.push(seen.tdata);
        }
        self.prev = Some((seen, bready, rready, tready));
        self.uut.clock.next = Clock { clk: true };
        self.settle();
        self.uut.clock.next = Clock { clk: false };
        self.settle();
        self.cycles += 1;
    }

    fn delay(&mut self) -> u32 {
        self.rng.gen_range(0..=self.bus_delay)
    }

    /// One write with strobes `strb`; returns its response.
    pub fn write_strobed(&mut self, offset: u32, value: u32, strb: u64) -> u64 {
        self.writes_open += 1;
        let (aw_at, w_at) = (self.delay(), self.delay());
        let (mut aw, mut w) = (false, false);
        for k in 0..1_000 {
            let bready = self.rng.gen_bool(self.bus_ready);
            let u = &mut self.uut;
            u.s_axil_awvalid.next = !aw && k >= aw_at;
            u.s_axil_awaddr.next = u64::from(offset).into();
            u.s_axil_wvalid.next = !w && k >= w_at;
            u.s_axil_wdata.next = u64::from(value).into();
            u.s_axil_wstrb.next = strb.into();
            u.s_axil_bready.next = bready;
            self.settle();
            let u = &self.uut;
            let aw_now = u.s_axil_awvalid.val() && u.s_axil_awready.val();
            let w_now = u.s_axil_wvalid.val() && u.s_axil_wready.val();
            self.clock();
            aw |= aw_now;
            w |= w_now;
            if let Some(resp) = self.b_answers.pop_front() {
                assert!(aw && w, "answered before the write was taken");
                let u = &mut self.uut;
                u.s_axil_awvalid.next = false;
                u.s_axil_wvalid.next = false;
                u.s_axil_bready.next = false;
                return resp;
            }
        }
        panic!("no B response to the write of {value:#x} at {offset:#x}");
    }

    /// A write and a read on the bus at once: the write's address and
    /// data raised now, the read's address `read_at` cycles later. Returns
    /// the write's response and the read's word and response.
    pub fn write_and_read(
        &mut self,
        offset: u32,
        value: u32,
        read_offset: u32,
        read_at: u32,
    ) -> (u64, (u32, u64)) {
        self.writes_open += 1;
        self.reads_open += 1;
        let (mut aw, mut w, mut ar) = (false, false, false);
        let (mut bresp, mut read) = (None, None);
        for k in 0..1_000 {
            let u = &mut self.uut;
            u.s_axil_awvalid.next = !aw;
            u.s_axil_awaddr.next = u64::from(offset).into();
            u.s_axil_wvalid.next = !w;
            u.s_axil_wdata.next = u64::from(value).into();
            u.s_axil_wstrb.next = 0b1111.into();
            u.s_axil_bready.next = bresp.is_none();
            u.s_axil_arvalid.next = !ar && k >= read_at;
            u.s_axil_araddr.next = u64::from(read_offset).into();
            u.s_axil_rready.next = read.is_none();
            self.settle();
            let u = &self.uut;
            let aw_now = u.s_axil_awvalid.val() && u.s_axil_awready.val();
            let w_now = u.s_axil_wvalid.val() && u.s_axil_wready.val();
            let ar_now = u.s_axil_arvalid.val() && u.s_axil_arready.val();
            self.clock();
            aw |= aw_now;
            w |= w_now;
            ar |= ar_now;
            if let Some(resp) = self.b_answers.pop_front() {
                assert!(aw && w, "answered before the write was taken");
                bresp = Some(resp);
            }
            if let Some(answer) = self.r_answers.pop_front() {
                assert!(ar, "answered before the address was taken");
                read = Some(answer);
            }
            if let (Some(bresp), Some(read)) = (bresp, read) {
                let u = &mut self.uut;
                u.s_axil_awvalid.next = false;
                u.s_axil_wvalid.next = false;
                u.s_axil_bready.next = false;
                u.s_axil_arvalid.next = false;
                u.s_axil_rready.next = false;
                return (bresp, read);
            }
        }
        panic!("no answer to the write at {offset:#x} and the read at {read_offset:#x}");
    }

    pub fn write(&mut self, offset: u32, value: u32) -> u64 {
        self.write_strobed(offset, value, 0b1111)
    }

    pub fn write_ok(&mut self, offset: u32, value: u32) {
        assert_eq!(self.write(offset, value), RESP_OKAY, "write at {offset:#x}");
    }

    /// One read: the word and the response.
    pub fn read(&mut self, offset: u32) -> (u32, u64) {
        self.reads_open += 1;
        let ar_at = self.delay();
        let mut ar = false;
        for k in 0..1_000 {
            let rready = self.rng.gen_bool(self.bus_ready);
            let u = &mut self.uut;
            u.s_axil_arvalid.next = !ar && k >= ar_at;
            u.s_axil_araddr.next = u64::from(offset).into();
            u.s_axil_rready.next = rready;
            self.settle();
            let ar_now = self.uut.s_axil_arvalid.val() && self.uut.s_axil_arready.val();
            self.clock();
            ar |= ar_now;
            if let Some(answer) = self.r_answers.pop_front() {
                assert!(ar, "answered before the address was taken");
                self.uut.s_axil_arvalid.next = false;
                self.uut.s_axil_rready.next = false;
                return answer;
            }
        }
        panic!("no R response to the read at {offset:#x}");
    }

    pub fn read_ok(&mut self, offset: u32) -> u32 {
        let (value, resp) = self.read(offset);
        assert_eq!(resp, RESP_OKAY, "read at {offset:#x}");
        value
    }

    /// Fills the next command entry, committing first if the ring is full.
    pub fn command(&mut self, words: &[u32]) {
        while self
            .producer
            .wrapping_add(self.filled)
            .wrapping_sub(self.consumer)
            >= CMD_ENTRIES
        {
            if self.filled > 0 {
                self.commit();
            } else {
                self.consumer = self.read_ok(reg::CMD_CONSUMER);
            }
        }
        let entry = self.producer.wrapping_add(self.filled) % CMD_ENTRIES;
        for (i, word) in words.iter().enumerate() {
            self.write_ok(CMD_BASE + (entry * CMD_WORDS + i as u32) * 4, *word);
        }
        self.filled += 1;
    }

    /// Commits the filled entries.
    pub fn commit(&mut self) {
        self.producer = self.producer.wrapping_add(self.filled);
        self.filled = 0;
        self.write_ok(reg::CMD_PRODUCER, self.producer);
    }

    /// Commits the filled entries while reading `read_offset`, the read's
    /// address raised `read_at` cycles after the producer's write; returns
    /// the word read.
    pub fn commit_reading(&mut self, read_offset: u32, read_at: u32) -> u32 {
        self.producer = self.producer.wrapping_add(self.filled);
        self.filled = 0;
        let (bresp, (word, rresp)) =
            self.write_and_read(reg::CMD_PRODUCER, self.producer, read_offset, read_at);
        assert_eq!((bresp, rresp), (RESP_OKAY, RESP_OKAY), "commit and read");
        word
    }

    /// The producer as this host counts it.
    pub fn producer(&self) -> u32 {
        self.producer
    }

    /// Rings the doorbell for `(symbol, price, seq)`.
    pub fn ring(&mut self, symbol: u32, price: u32, seq: u32) {
        self.write_ok(reg::TICK_SYMBOL, symbol);
        self.write_ok(reg::TICK_PRICE, price);
        self.write_ok(reg::TICK_SEQ, seq);
    }

    /// Clocks until a completion record of `seq` has been taken; returns
    /// the records taken since the last call, decoded.
    pub fn until_completion(&mut self, seq: u32, limit: u64) -> Vec<Record> {
        let start = self.cycles;
        loop {
            let new = &self.records[self.taken..];
            if let Some(end) = new.iter().position(|words| {
                matches!(board::decode(words), Ok(Record::Completion { seq: s, .. }) if s == seq)
            }) {
                let out = new[..=end]
                    .iter()
                    .map(|w| board::decode(w).unwrap())
                    .collect();
                self.taken += end + 1;
                return out;
            }
            assert!(
                self.cycles - start < limit,
                "no completion record of tick {seq} within {limit} cycles"
            );
            self.clock();
        }
    }
}

/// Runs `f` with a stack large enough to build the circuit on.
pub fn big_stack(f: impl FnOnce() + Send + 'static) {
    std::thread::Builder::new()
        .stack_size(256 << 20)
        .spawn(f)
        .expect("spawn")
        .join()
        .unwrap_or_else(|e| std::panic::resume_unwind(e));
}
