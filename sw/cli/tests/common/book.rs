//! Books written from definitions, for the tests that need every value
//! under control (the limits): the three files, the line of each key of the
//! symbols file, and the events the oracle (`liqscan_testkit::oracle`)
//! expects a scan of them to write.

use std::collections::HashMap;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::Path;

use liqscan_testkit::oracle::{dec, judge, scaled, to_decimal, Verdict};
pub use liqscan_testkit::{book::SymbolDef, oracle::BracketDef};

/// A position's terms as the positions file writes them; many positions of
/// a large book share a few.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Terms {
    pub qty: String,
    pub entry: String,
    pub margin: String,
}

/// One line of the positions file: `account` is `a{id}`.
#[derive(Debug, Clone, Copy)]
pub struct PositionRow {
    /// Wider than the file's `u64`, to write one past it.
    pub id: u128,
    /// Index into [`TestBook::symbols`].
    pub symbol: u32,
    /// Index into [`TestBook::terms`].
    pub terms: u32,
}

/// One line of the ticks file.
#[derive(Debug, Clone)]
pub struct TickRow {
    /// Wider than the file's `u64`, to write one past it.
    pub seq: u128,
    /// A name, not an index: a tick may name an unknown symbol.
    pub symbol: String,
    pub mark: String,
}

/// A book and its ticks, as definitions.
#[derive(Debug, Clone, Default)]
pub struct TestBook {
    pub liquidate_at_equal: bool,
    pub symbols: Vec<SymbolDef>,
    pub terms: Vec<Terms>,
    pub positions: Vec<PositionRow>,
    pub ticks: Vec<TickRow>,
}

/// Where the keys of a written symbols file are: `symbol[i]` (its
/// `[[symbol]]` line), `symbol[i].name`, `symbol[i].tick_size`,
/// `symbol[i].lot_size`, `symbol[i].brackets[j]` (its `[[symbol.brackets]]`
/// line) and `symbol[i].brackets[j].<key>`.
#[derive(Debug, Default)]
pub struct Layout {
    lines: HashMap<String, u64>,
}

impl Layout {
    /// The 1-based line of `key` in the symbols file.
    #[track_caller]
    pub fn line(&self, key: &str) -> u64 {
        *self
            .lines
            .get(key)
            .unwrap_or_else(|| panic!("no key {key:?} in the symbols file"))
    }
}

/// A liquidation the oracle expects, in the order the scan must write it.
#[derive(Debug, Clone)]
pub struct Expected {
    pub tick: u128,
    pub position: u128,
    pub symbol: String,
    pub mark: String,
    pub verdict: Verdict,
}

/// `n` steps of `step` (a decimal string), written with the step's decimals.
pub fn grid(step: &str, n: i128) -> String {
    let decimals = step.split_once('.').map_or(0, |(_, frac)| frac.len()) as u32;
    to_decimal(&(dec(step) * scaled(n, 0)), decimals)
}

/// A bracket as the symbols file writes it.
pub fn bracket(notional_cap: Option<&str>, mmr: &str, maint_amount: &str) -> BracketDef {
    BracketDef {
        notional_cap: notional_cap.map(str::to_owned),
        mmr: mmr.to_owned(),
        maint_amount: maint_amount.to_owned(),
    }
}

/// A symbol as the symbols file writes it.
pub fn symbol(name: &str, tick_size: &str, lot_size: &str, ladder: Vec<BracketDef>) -> SymbolDef {
    SymbolDef {
        name: name.to_owned(),
        tick_size: tick_size.to_owned(),
        lot_size: lot_size.to_owned(),
        ladder,
    }
}

impl TestBook {
    pub fn new(symbols: Vec<SymbolDef>) -> Self {
        Self {
            symbols,
            ..Self::default()
        }
    }

    /// The index of `name` among the symbols.
    #[track_caller]
    pub fn symbol_index(&self, name: &str) -> u32 {
        self.symbols
            .iter()
            .position(|s| s.name == name)
            .unwrap_or_else(|| panic!("no symbol {name}")) as u32
    }

    /// Adds terms that positions can share; returns their index.
    pub fn add_terms(&mut self, qty: &str, entry: &str, margin: &str) -> u32 {
        self.terms.push(Terms {
            qty: qty.to_owned(),
            entry: entry.to_owned(),
            margin: margin.to_owned(),
        });
        (self.terms.len() - 1) as u32
    }

    /// Adds a position with terms of its own (so that [`Self::terms_of`]
    /// may edit them).
    pub fn position(
        &mut self,
        id: u128,
        symbol: &str,
        qty: &str,
        entry: &str,
        margin: &str,
    ) -> &mut Self {
        let symbol = self.symbol_index(symbol);
        let terms = self.add_terms(qty, entry, margin);
        self.positions.push(PositionRow { id, symbol, terms });
        self
    }

    pub fn tick(&mut self, seq: u128, symbol: &str, mark: &str) -> &mut Self {
        self.ticks.push(TickRow {
            seq,
            symbol: symbol.to_owned(),
            mark: mark.to_owned(),
        });
        self
    }

    /// The terms of position `id`, to edit.
    #[track_caller]
    pub fn terms_of(&mut self, id: u128) -> &mut Terms {
        let row = self
            .positions
            .iter()
            .find(|p| p.id == id)
            .unwrap_or_else(|| panic!("no position {id}"));
        &mut self.terms[row.terms as usize]
    }

    /// The tick of sequence number `seq`, to edit.
    #[track_caller]
    pub fn tick_mut(&mut self, seq: u128) -> &mut TickRow {
        self.ticks
            .iter_mut()
            .find(|t| t.seq == seq)
            .unwrap_or_else(|| panic!("no tick {seq}"))
    }

    /// The 1-based line of position `id` in the positions file.
    #[track_caller]
    pub fn position_line(&self, id: u128) -> u64 {
        2 + self
            .positions
            .iter()
            .position(|p| p.id == id)
            .unwrap_or_else(|| panic!("no position {id}")) as u64
    }

    /// The 0-based index (the ticks before it) of the tick `seq`.
    #[track_caller]
    pub fn tick_index(&self, seq: u128) -> usize {
        self.ticks
            .iter()
            .position(|t| t.seq == seq)
            .unwrap_or_else(|| panic!("no tick {seq}"))
    }

    /// Writes `symbols.toml`, `positions.csv` and `ticks.csv` into `dir`.
    pub fn write(&self, dir: &Path) -> Layout {
        let layout = self.write_symbols(&mut create(&dir.join("symbols.toml")));
        let mut out = create(&dir.join("positions.csv"));
        writeln!(out, "id,account,symbol,qty,entry_price,margin").unwrap();
        for p in &self.positions {
            let t = &self.terms[p.terms as usize];
            let symbol = &self.symbols[p.symbol as usize].name;
            writeln!(
                out,
                "{},a{},{symbol},{},{},{}",
                p.id, p.id, t.qty, t.entry, t.margin
            )
            .unwrap();
        }
        out.flush().unwrap();
        let mut out = create(&dir.join("ticks.csv"));
        writeln!(out, "seq,symbol,mark_price").unwrap();
        for t in &self.ticks {
            writeln!(out, "{},{},{}", t.seq, t.symbol, t.mark).unwrap();
        }
        out.flush().unwrap();
        layout
    }

    fn write_symbols(&self, out: &mut impl Write) -> Layout {
        let mut layout = Layout::default();
        let mut line = 0;
        let mut put = |out: &mut dyn Write, key: Option<String>, text: String| {
            line += 1;
            if let Some(key) = key {
                layout.lines.insert(key, line);
            }
            writeln!(out, "{text}").unwrap();
        };
        put(
            out,
            None,
            format!("liquidate_at_equal = {}", self.liquidate_at_equal),
        );
        for (i, s) in self.symbols.iter().enumerate() {
            let key = |k: &str| Some(format!("symbol[{i}]{k}"));
            put(out, key(""), "[[symbol]]".into());
            put(out, key(".name"), format!("name = \"{}\"", s.name));
            put(
                out,
                key(".tick_size"),
                format!("tick_size = \"{}\"", s.tick_size),
            );
            put(
                out,
                key(".lot_size"),
                format!("lot_size = \"{}\"", s.lot_size),
            );
            for (j, b) in s.ladder.iter().enumerate() {
                let key = |k: &str| key(&format!(".brackets[{j}]{k}"));
                put(out, key(""), "[[symbol.brackets]]".into());
                if let Some(cap) = &b.notional_cap {
                    put(
                        out,
                        key(".notional_cap"),
                        format!("notional_cap = \"{cap}\""),
                    );
                }
                put(out, key(".mmr"), format!("mmr = \"{}\"", b.mmr));
                put(
                    out,
                    key(".maint_amount"),
                    format!("maint_amount = \"{}\"", b.maint_amount),
                );
            }
        }
        out.flush().unwrap();
        layout
    }

    /// The liquidations the oracle finds over the first `ticks` ticks: at
    /// each tick, every open position of its symbol in id order, judged on
    /// exact rationals from the strings; a liquidated one is closed.
    /// Verdicts are cached per (symbol, terms, tick), so a book of a million
    /// positions on a few terms costs a few oracle calls.
    pub fn expected_events(&self, ticks: usize) -> Vec<Expected> {
        let mut by_symbol: Vec<Vec<usize>> = vec![Vec::new(); self.symbols.len()];
        for (i, p) in self.positions.iter().enumerate() {
            by_symbol[p.symbol as usize].push(i);
        }
        for rows in &mut by_symbol {
            rows.sort_by_key(|&i| self.positions[i].id);
        }
        let mut open = vec![true; self.positions.len()];
        let mut cache: HashMap<(u32, u32), Verdict> = HashMap::new();
        let mut events = Vec::new();
        for tick in &self.ticks[..ticks] {
            let Some(s) = self.symbols.iter().position(|s| s.name == tick.symbol) else {
                panic!("tick {} of an unknown symbol is not scanned", tick.seq);
            };
            let ladder = &self.symbols[s].ladder;
            cache.clear();
            for &i in &by_symbol[s] {
                if !open[i] {
                    continue;
                }
                let p = self.positions[i];
                let verdict = cache.entry((p.symbol, p.terms)).or_insert_with(|| {
                    let t = &self.terms[p.terms as usize];
                    judge(
                        ladder,
                        &t.qty,
                        &t.entry,
                        &t.margin,
                        &tick.mark,
                        self.liquidate_at_equal,
                    )
                });
                if verdict.liquidated {
                    open[i] = false;
                    events.push(Expected {
                        tick: tick.seq,
                        position: p.id,
                        symbol: tick.symbol.clone(),
                        mark: tick.mark.clone(),
                        verdict: verdict.clone(),
                    });
                }
            }
        }
        events
    }
}

fn create(path: &Path) -> BufWriter<File> {
    BufWriter::new(File::create(path).unwrap_or_else(|e| panic!("{}: {e}", path.display())))
}

/// Asserts that `stdout` holds exactly the `expected` events, in order:
/// tick, position, account and symbol as written, and the mark, the equity
/// and the maintenance equal to the oracle's exact values (so is their
/// difference, the shortfall).
#[track_caller]
pub fn assert_events(stdout: &str, expected: &[Expected]) {
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(
        lines.len(),
        expected.len(),
        "events: got {}, the oracle expects {}",
        lines.len(),
        expected.len()
    );
    for (line, want) in lines.iter().zip(expected) {
        let event: serde_json::Value =
            serde_json::from_str(line).unwrap_or_else(|e| panic!("{line:?}: {e}"));
        let number = |key: &str| {
            event[key]
                .as_u64()
                .unwrap_or_else(|| panic!("{key} in {line}"))
        };
        let text = |key: &str| {
            event[key]
                .as_str()
                .unwrap_or_else(|| panic!("{key} in {line}"))
                .to_owned()
        };
        assert_eq!(u128::from(number("tick")), want.tick, "{line}");
        assert_eq!(u128::from(number("position")), want.position, "{line}");
        assert_eq!(text("account"), format!("a{}", want.position), "{line}");
        assert_eq!(text("symbol"), want.symbol, "{line}");
        assert_eq!(dec(&text("mark")), dec(&want.mark), "{line}");
        let (equity, maintenance) = (dec(&text("equity")), dec(&text("maintenance")));
        assert_eq!(equity, want.verdict.equity, "equity: {line}");
        assert_eq!(maintenance, want.verdict.maintenance, "maintenance: {line}");
        assert_eq!(
            maintenance - equity,
            want.verdict.shortfall,
            "shortfall: {line}"
        );
    }
}
