//! The DMA engine played in software (`Dma`): each run reads one card
//! register, `STATUS`, and says the card is busy exactly while a tick has
//! records still to leave, its completion included, also when a full ring
//! holds them back.

use liqscan_core::spec::registers::{reg, ring, RECORD_WORDS, RING_RECORDS};
use liqscan_core::spec::{BracketConst, PositionConst, NOTIONAL_MAX};
use liqscan_driver::dma::{Activity, RingMemory};
use liqscan_driver::{Card, CardModel, Command, Dma, DriverError, Record, ResultRecord};

/// A card that logs the registers read from it.
struct Logged {
    card: CardModel,
    reads: Vec<u32>,
}

impl Card for Logged {
    fn lanes(&self) -> usize {
        self.card.lanes()
    }

    fn write(&mut self, offset: u32, value: u32) -> Result<(), DriverError> {
        self.card.write(offset, value)
    }

    fn read(&mut self, offset: u32) -> Result<u32, DriverError> {
        self.reads.push(offset);
        self.card.read(offset)
    }

    fn clock(
        &mut self,
        cycles: u64,
        ready: bool,
        out: &mut Vec<Record>,
    ) -> Result<(), DriverError> {
        self.card.clock(cycles, ready, out)
    }

    fn simulated_cycles(&self) -> u64 {
        self.card.simulated_cycles()
    }
}

/// The result ring as a vector of words.
struct Memory(Vec<u32>);

impl RingMemory for Memory {
    fn load(&self, byte: usize) -> Result<u32, DriverError> {
        Ok(self.0[byte / 4])
    }

    fn store(&mut self, byte: usize, value: u32) -> Result<(), DriverError> {
        self.0[byte / 4] = value;
        Ok(())
    }

    fn publish(&mut self, byte: usize, value: u32) -> Result<(), DriverError> {
        self.store(byte, value)
    }
}

impl Memory {
    fn record(&self, index: u32) -> ResultRecord {
        let at = (ring::RECORDS / 4) + (index % RING_RECORDS) as usize * RECORD_WORDS as usize;
        let mut words = Record::default();
        words.copy_from_slice(&self.0[at..at + RECORD_WORDS as usize]);
        ResultRecord::decode(&words).unwrap()
    }
}

/// A 1-lane card whose symbol 0 has one position that liquidates at any
/// price, in slot 0 of a region of 4.
fn card() -> Logged {
    let mut card = CardModel::new(1, 16, 2).unwrap();
    let commands = [
        Command::Bracket {
            symbol: 0,
            index: 0,
            bracket: BracketConst {
                cap: NOTIONAL_MAX,
                maint: 0,
                mmr: 0,
                weight_long: 1,
                weight_short: 1,
            },
        },
        Command::Position {
            slot: 0,
            position: Some(PositionConst {
                qty_lots: 1,
                offset: -(1 << 100),
            }),
        },
        Command::Region {
            symbol: 0,
            base_row: 0,
            count: 4,
        },
    ];
    for (i, command) in commands.iter().enumerate() {
        let (words, _) = command.encode();
        for (j, &w) in words.iter().enumerate() {
            card.write(
                liqscan_core::spec::registers::CMD_BASE + ((i * 16 + j) * 4) as u32,
                w,
            )
            .unwrap();
        }
    }
    card.write(reg::CMD_PRODUCER, commands.len() as u32)
        .unwrap();
    Logged {
        card,
        reads: Vec::new(),
    }
}

fn ring_tick(card: &mut Logged, seq: u32) {
    card.write(reg::TICK_SYMBOL, 0).unwrap();
    card.write(reg::TICK_PRICE, 100).unwrap();
    card.write(reg::TICK_SEQ, seq).unwrap();
}

/// Runs the engine `cycles` cycles; checks it read `STATUS` and nothing else.
fn run(dma: &mut Dma, card: &mut Logged, memory: &mut Memory, cycles: u64) -> Activity {
    card.reads.clear();
    let activity = dma.run(card, memory, cycles).unwrap();
    assert_eq!(card.reads, [reg::STATUS], "one register per run");
    activity
}

#[test]
fn one_status_read_per_run_and_busy_until_the_completion_left() {
    let mut card = card();
    let mut memory = Memory(vec![0; ring::BYTES / 4]);
    let mut dma = Dma::new(0);
    // The commands apply: busy while they do.
    let first = run(&mut dma, &mut card, &mut memory, 1);
    assert!(first.busy && first.records == 0);
    while run(&mut dma, &mut card, &mut memory, 1).busy {}

    ring_tick(&mut card, 1);
    let mut records = 0;
    let mut runs = 0;
    loop {
        // A cycle a run: the run in which the completion leaves says idle.
        let activity = run(&mut dma, &mut card, &mut memory, 1);
        records += activity.records;
        runs += 1;
        if !activity.busy {
            break;
        }
        assert!(runs < 1_000, "busy for ever");
    }
    assert_eq!(records, 2, "the liquidation and the completion, then idle");
    assert_eq!(memory.load(ring::PRODUCER).unwrap(), 2);
    assert!(matches!(
        memory.record(1),
        ResultRecord::Completion {
            seq: 1,
            count: 1,
            ..
        }
    ));
}

/// A full ring holds the stream: the tick's records wait in the card and
/// the engine says busy until the host frees the ring and they have left.
#[test]
fn a_full_ring_keeps_the_card_busy() {
    let mut card = card();
    let mut memory = Memory(vec![0; ring::BYTES / 4]);
    // The host has read nothing of a whole ring of records.
    let mut dma = Dma::new(RING_RECORDS);
    while run(&mut dma, &mut card, &mut memory, 64).busy {}
    ring_tick(&mut card, 1);
    for _ in 0..10 {
        let activity = run(&mut dma, &mut card, &mut memory, 1_000);
        assert_eq!(activity.records, 0);
        assert!(activity.busy, "the tick's records have not left");
    }
    memory.store(ring::CONSUMER, RING_RECORDS).unwrap();
    let activity = run(&mut dma, &mut card, &mut memory, 1_000);
    assert_eq!(activity.records, 2);
    assert!(!activity.busy);
    assert!(matches!(
        memory.record(RING_RECORDS + 1),
        ResultRecord::Completion {
            seq: 1,
            count: 1,
            ..
        }
    ));
}
