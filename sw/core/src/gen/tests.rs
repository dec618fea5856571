use super::*;
use crate::cpu::CpuScanner;
use crate::decimal::parse_decimal;
use crate::engine::Engine;
use crate::market::{Symbol, SymbolId};
use crate::report::event;
use crate::spec::BracketInput;

fn small(seed: u64) -> GenConfig {
    GenConfig {
        positions: 4_000,
        symbols: 20,
        ticks: 8_000,
        seed,
    }
}

fn d(text: &str) -> rust_decimal::Decimal {
    parse_decimal(text).unwrap_or_else(|e| panic!("{text:?}: {e}"))
}

#[test]
fn same_seed_same_scenario() {
    let (a, b) = (generate(&small(7)).unwrap(), generate(&small(7)).unwrap());
    assert_eq!(a.market, b.market);
    assert_eq!(a.positions, b.positions);
    assert_eq!(a.ticks, b.ticks);
    let c = generate(&small(8)).unwrap();
    assert_ne!(a.positions, c.positions);
    assert_ne!(a.ticks, c.ticks);
    // Streams are independent: more positions, same market and ticks.
    let more = generate(&GenConfig {
        positions: 5_000,
        ..small(7)
    })
    .unwrap();
    assert_eq!(more.market, a.market);
    assert_eq!(more.ticks, a.ticks);
}

#[test]
fn refuses_configs_out_of_spec() {
    assert_eq!(
        generate(&GenConfig {
            symbols: 0,
            ..small(1)
        })
        .unwrap_err(),
        GenError::Symbols(0)
    );
    assert!(generate(&GenConfig {
        symbols: MAX_SYMBOLS + 1,
        ..small(1)
    })
    .is_err());
    assert!(generate(&GenConfig {
        positions: MAX_POSITIONS + 1,
        ..small(1)
    })
    .is_err());
    for ticks in [MAX_TICKS + 1, usize::MAX] {
        let error = generate(&GenConfig { ticks, ..small(1) }).unwrap_err();
        assert_eq!(error, GenError::Ticks(ticks));
        assert!(error.to_string().contains("at most 10000000"), "{error}");
    }
}

/// `check` takes every size at its limit and refuses one past each, as
/// `generate` does, without generating.
#[test]
fn check_takes_the_limits_and_refuses_one_past() {
    let at = GenConfig {
        positions: MAX_POSITIONS,
        symbols: MAX_SYMBOLS,
        ticks: MAX_TICKS,
        seed: u64::MAX,
    };
    assert_eq!(at.check(), Ok(()));
    assert_eq!(GenConfig { symbols: 1, ..at }.check(), Ok(()));
    for (past, error) in [
        (GenConfig { symbols: 0, ..at }, GenError::Symbols(0)),
        (
            GenConfig {
                symbols: MAX_SYMBOLS + 1,
                ..at
            },
            GenError::Symbols(MAX_SYMBOLS + 1),
        ),
        (
            GenConfig {
                positions: MAX_POSITIONS + 1,
                ..at
            },
            GenError::Positions(MAX_POSITIONS + 1),
        ),
        (
            GenConfig {
                ticks: MAX_TICKS + 1,
                ..at
            },
            GenError::Ticks(MAX_TICKS + 1),
        ),
    ] {
        assert_eq!(past.check(), Err(error.clone()));
        assert_eq!(generate(&past).unwrap_err(), error);
    }
}

#[test]
fn market_is_exchange_like_with_both_ladder_kinds() {
    let scenario = generate(&GenConfig {
        positions: 0,
        ..GenConfig::demo()
    })
    .unwrap();
    let market = &scenario.market;
    assert_eq!(market.len(), 20);
    let jumping = market
        .symbols()
        .iter()
        .filter(|s| !s.units.continuous)
        .count();
    assert_eq!(jumping, 4, "one symbol in five jumps");
    for symbol in market.symbols() {
        let n = symbol.ladder.len();
        assert!((5..=10).contains(&n), "{}: {n} brackets", symbol.name);
        let mmrs: Vec<_> = symbol.ladder.iter().map(|b| b.mmr).collect();
        assert!(
            mmrs.windows(2).all(|w| w[0] < w[1]),
            "{}: rates rise",
            symbol.name
        );
    }
    let btc = market.symbol(market.id("BTCUSDT").unwrap());
    assert_eq!((btc.tick_size, btc.lot_size), (d("0.1"), d("0.001")));
    assert_eq!(btc.ladder[0].mmr, d("0.004"));
    assert_eq!(
        btc.ladder[1].maint_amount,
        d("50"),
        "50,000 × (0.5 % − 0.4 %)"
    );
    // Starting marks span 0.0001 … 100,000.
    let marks: Vec<f64> = market
        .ids()
        .map(|id| {
            let first = scenario
                .ticks
                .iter()
                .find(|t| t.symbol == id)
                .expect("every symbol ticks");
            market.units(id).format_price(first.price).parse().unwrap()
        })
        .collect();
    assert!(
        marks.iter().any(|&m| m < 0.001) && marks.iter().any(|&m| m > 50_000.0),
        "{marks:?}"
    );
    // Larger configs repeat the templates under new names, still valid.
    let wide = generate(&GenConfig {
        positions: 0,
        symbols: 45,
        ticks: 0,
        seed: 1,
    })
    .unwrap();
    assert_eq!(wide.market.symbol(SymbolId(20)).name, "BTC2USDT");
    assert_eq!(
        wide.market
            .symbols()
            .iter()
            .filter(|s| !s.units.continuous)
            .count(),
        9
    );
}

/// Every generated value is on its grid and in range: written as the input
/// files write it, it parses back to the same spec integers.
#[test]
fn demo_scenario_round_trips_through_the_input_contract() {
    let scenario = generate(&GenConfig::demo()).unwrap();
    let market = &scenario.market;
    assert_eq!(scenario.positions.len(), 100_000);
    assert_eq!(scenario.ticks.len(), 100_000);

    let mut positions = Vec::new();
    write_positions_csv(market, &scenario.positions, &mut positions).unwrap();
    let mut reader = csv::Reader::from_reader(positions.as_slice());
    assert_eq!(
        reader.headers().unwrap(),
        vec!["id", "account", "symbol", "qty", "entry_price", "margin"]
    );
    let mut count = 0;
    for (record, p) in reader.records().zip(&scenario.positions) {
        let record = record.unwrap();
        let units = market.units(p.symbol);
        assert_eq!(record[0].parse::<u64>().unwrap(), p.id);
        assert_eq!(&record[1], p.account);
        assert_eq!(market.id(&record[2]), Some(p.symbol));
        assert_eq!(units.lots(&d(&record[3])), Ok(p.qty_lots));
        assert_eq!(
            units.ticks(&d(&record[4]), "entry_price"),
            Ok(p.entry_ticks)
        );
        assert_eq!(
            units.quote_units(&d(&record[5]), "margin"),
            Ok(p.margin_units)
        );
        count += 1;
    }
    assert_eq!(count, scenario.positions.len());
    assert!(
        scenario.positions.iter().any(|p| p.qty_lots < 0)
            && scenario.positions.iter().any(|p| p.qty_lots > 0)
    );

    let mut ticks = Vec::new();
    write_ticks_csv(market, &scenario.ticks, &mut ticks).unwrap();
    let mut reader = csv::Reader::from_reader(ticks.as_slice());
    assert_eq!(
        reader.headers().unwrap(),
        vec!["seq", "symbol", "mark_price"]
    );
    let mut last_seq = 0;
    for (record, t) in reader.records().zip(&scenario.ticks) {
        let record = record.unwrap();
        let seq = record[0].parse::<u64>().unwrap();
        assert!(seq > last_seq && seq == t.seq);
        last_seq = seq;
        assert_eq!(market.id(&record[1]), Some(t.symbol));
        assert_eq!(
            market.units(t.symbol).ticks(&d(&record[2]), "mark_price"),
            Ok(t.price)
        );
    }
    assert_eq!(last_seq, scenario.ticks.len() as u64);

    assert_eq!(
        &parse_symbols_toml(&write_symbols_toml(market)),
        market.as_ref()
    );
}

/// A minimal reader of the written symbols file (the real one lives in the
/// input module), enough to check the writer round-trips.
fn parse_symbols_toml(text: &str) -> Market {
    let doc: toml::Table = text.parse().unwrap();
    let text_of = |v: &toml::Value| d(v.as_str().expect("decimals are TOML strings"));
    let mut market = Market::new(doc["liquidate_at_equal"].as_bool().unwrap());
    for symbol in doc["symbol"].as_array().unwrap() {
        let ladder = symbol["brackets"]
            .as_array()
            .unwrap()
            .iter()
            .map(|b| BracketInput {
                notional_cap: b.get("notional_cap").map(text_of),
                mmr: text_of(&b["mmr"]),
                maint_amount: text_of(&b["maint_amount"]),
            })
            .collect();
        let name = symbol["name"].as_str().unwrap();
        market
            .add(
                Symbol::new(
                    name,
                    text_of(&symbol["tick_size"]),
                    text_of(&symbol["lot_size"]),
                    ladder,
                )
                .unwrap(),
            )
            .unwrap();
    }
    market
}

/// The walk and the leverage mix liquidate a few percent of the book, on
/// both sides and on jumping ladders too; shortfalls check against `MM − E`.
#[test]
fn cpu_scan_liquidates_a_few_percent() {
    let scenario = generate(&small(3)).unwrap();
    let market = &scenario.market;
    let mut cpu = CpuScanner::new(market.clone());
    for p in &scenario.positions {
        cpu.upsert(p).unwrap();
    }
    let book = scenario.book();
    let mut out = Vec::new();
    let (mut longs, mut shorts, mut on_jumping) = (0, 0, 0);
    for &tick in &scenario.ticks {
        out.clear();
        cpu.tick(tick, &mut out).unwrap();
        for &hit in &out {
            let position = book.get(hit.position).unwrap();
            event(market, tick, position, hit).unwrap();
            if position.qty_lots > 0 {
                longs += 1;
            } else {
                shorts += 1;
            }
            on_jumping += usize::from(!market.units(position.symbol).continuous);
        }
    }
    let total = longs + shorts;
    let share = total as f64 / scenario.positions.len() as f64;
    assert!(
        (0.01..=0.10).contains(&share),
        "{total} liquidations = {:.2} %",
        share * 100.0
    );
    assert!(
        longs > 0 && shorts > 0 && on_jumping > 0,
        "longs {longs}, shorts {shorts}, jumping {on_jumping}"
    );
}

/// What a generated events file does when scanned on `cpu`, counted.
#[derive(Debug, Default)]
struct LiveCounts {
    ticks: u64,
    changes: std::collections::HashMap<String, u64>,
    stale: u64,
    liquidations: u64,
    below_zero: u64,
}

/// Scans the written events of `config` with `changes` book changes on
/// `cpu`, as `liqscan scan --events` does; panics on any bad line.
fn scan_live(config: &GenConfig, changes: usize) -> (Vec<u8>, LiveCounts) {
    use crate::book::Update;
    use crate::input::{EventReader, Item};
    let scenario = generate(config).unwrap();
    let mut text = Vec::new();
    write_events_jsonl(
        &scenario.market,
        live_events(config, &scenario, changes).unwrap(),
        &mut text,
    )
    .unwrap();
    let mut book = scenario.book();
    let mut cpu = CpuScanner::new(scenario.market.clone());
    cpu.load(&book.sorted()).unwrap();
    let mut reader = EventReader::new(text.as_slice(), "events.jsonl", &book);
    let (mut counts, mut hits) = (LiveCounts::default(), Vec::new());
    while let Some(record) = reader.next_event(&book) {
        let record = record.unwrap_or_else(|e| panic!("{e}"));
        match record.item {
            Item::Tick(tick) => {
                counts.ticks += 1;
                hits.clear();
                cpu.tick(tick, &mut hits).unwrap();
                for hit in &hits {
                    book.close(hit.position).unwrap();
                    reader.liquidated(hit.position, tick.seq);
                }
                counts.liquidations += hits.len() as u64;
            }
            Item::Change(change) => {
                *counts.changes.entry(change.kind.to_string()).or_default() += 1;
                if let Update::Upsert(p) = &change.update {
                    counts.below_zero += u64::from(p.margin_units < 0);
                }
                cpu.apply(&change.update).unwrap();
                book.apply(&change.update);
            }
            Item::Stale(_) => counts.stale += 1,
        }
    }
    (text, counts)
}

/// A generated events file is valid input from its first line to its last:
/// every tick of the scenario, every kind of change, changes to positions
/// liquidated meanwhile read as stale, the same bytes for the same seed.
#[test]
fn live_events_scan_without_a_bad_line() {
    let config = GenConfig {
        positions: 2_000,
        symbols: 6,
        ticks: 6_000,
        seed: 5,
    };
    let (text, counts) = scan_live(&config, 6_000);
    println!("{counts:?}");
    assert_eq!(counts.ticks, 6_000);
    let applied: u64 = counts.changes.values().sum();
    assert_eq!(applied + counts.stale, 6_000);
    for kind in [
        "open",
        "update",
        "margin (deposit)",
        "margin (withdraw)",
        "margin (funding)",
        "close",
    ] {
        assert!(
            counts.changes.get(kind).is_some_and(|&n| n > 100),
            "{kind}: {counts:?}"
        );
    }
    assert!(counts.liquidations > 20 && counts.stale > 0, "{counts:?}");
    assert_eq!(scan_live(&config, 6_000).0, text, "same seed, same bytes");
    let first = String::from_utf8(text).unwrap();
    assert!(
        first.starts_with("{\"seq\":1,\"kind\":"),
        "{}",
        &first[..80]
    );
    // No change, no line but the ticks.
    let (_, only_ticks) = scan_live(&config, 0);
    assert_eq!((only_ticks.ticks, only_ticks.changes.len()), (6_000, 0));
}

#[test]
fn live_events_are_bounded() {
    let config = small(1);
    let scenario = generate(&config).unwrap();
    for changes in [MAX_CHANGES + 1, usize::MAX] {
        let error = live_events(&config, &scenario, changes).err().unwrap();
        assert_eq!(error, GenError::Changes(changes));
        assert!(error.to_string().contains("at most 10000000"), "{error}");
    }
    assert!(live_events(&config, &scenario, MAX_CHANGES).is_ok());
}
