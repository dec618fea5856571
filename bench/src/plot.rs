//! The SVG plots: per-tick latency (p50 in one file, p99 in another)
//! against positions in the ticked symbol, log–log, one line per series,
//! over the one-symbol cases (a multi-symbol book has no single size).

use std::path::Path;

use plotters::prelude::*;

use crate::report::{grouped, human, Case, Series};

/// The series drawn, in legend order, with their colours.
const LINES: [(&str, RGBColor); 9] = [
    ("cpu", RGBColor(31, 119, 180)),
    ("indexed", RGBColor(44, 160, 44)),
    ("circuit", RGBColor(214, 39, 40)),
    ("circuit-contract", RGBColor(255, 152, 150)),
    ("board", RGBColor(148, 103, 189)),
    ("keeper", RGBColor(140, 86, 75)),
    ("numpy", RGBColor(255, 127, 14)),
    (crate::floor::ROW_FLOOR, RGBColor(127, 127, 127)),
    (crate::floor::SCAN_FLOOR, RGBColor(188, 189, 34)),
];

/// Which percentile a plot shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Percentile {
    P50,
    P99,
}

impl Percentile {
    pub fn name(self) -> &'static str {
        match self {
            Self::P50 => "p50",
            Self::P99 => "p99",
        }
    }

    fn of(self, s: &Series) -> u64 {
        match self {
            Self::P50 => s.latency.p50,
            Self::P99 => s.latency.p99,
        }
    }
}

/// One drawn series.
#[derive(Debug, Clone)]
pub struct Line {
    pub label: String,
    pub colour: RGBColor,
    /// `(positions, ns)`.
    pub points: Vec<(f64, f64)>,
}

/// Each drawn series' points, over the one-symbol cases.
pub fn lines(cases: &[Case], clock_mhz: f64, which: Percentile) -> Vec<Line> {
    let cases: Vec<&Case> = cases.iter().filter(|c| c.one_symbol()).collect();
    LINES
        .iter()
        .filter_map(|&(key, colour)| {
            let mut label = None;
            let points: Vec<(f64, f64)> = cases
                .iter()
                .filter_map(|c| {
                    let s = c.series_of(key, clock_mhz)?;
                    label.get_or_insert(s.label.clone());
                    Some((c.ticked_slots as f64, which.of(&s).max(1) as f64))
                })
                .collect();
            Some(Line {
                label: label?,
                colour,
                points,
            })
        })
        .collect()
}

/// Draws the plot of `which` to `path` (SVG).
pub fn plot(cases: &[Case], clock_mhz: f64, which: Percentile, path: &Path) -> Result<(), String> {
    let lines = lines(cases, clock_mhz, which);
    let all = || lines.iter().flat_map(|l| l.points.iter());
    let (x0, x1) = all().fold((f64::MAX, f64::MIN), |(a, b), &(x, _)| (a.min(x), b.max(x)));
    let (y0, y1) = all().fold((f64::MAX, f64::MIN), |(a, b), &(_, y)| (a.min(y), b.max(y)));
    if x0 > x1 {
        return Err("no one-symbol case to plot".into());
    }
    let draw = |e: &dyn std::fmt::Debug| format!("{}: {e:?}", path.display());
    let root = SVGBackend::new(path, (960, 640)).into_drawing_area();
    root.fill(&WHITE).map_err(|e| draw(&e))?;
    let mut chart = ChartBuilder::on(&root)
        .caption(
            format!("liqscan: {} latency per tick", which.name()),
            ("sans-serif", 22),
        )
        .margin(16)
        .x_label_area_size(48)
        .y_label_area_size(72)
        .build_cartesian_2d(
            (x0 / 1.5..x1 * 1.5).log_scale(),
            (y0 / 2.0..y1 * 2.0).log_scale(),
        )
        .map_err(|e| draw(&e))?;
    chart
        .configure_mesh()
        .x_desc("positions in the ticked symbol")
        .y_desc(format!("{} per tick", which.name()))
        .label_style(("sans-serif", 15))
        .axis_desc_style(("sans-serif", 16))
        .x_label_formatter(&|x| grouped(x.round() as u64))
        .y_label_formatter(&|y| human(y.round() as u64))
        .draw()
        .map_err(|e| draw(&e))?;
    for Line {
        label,
        colour,
        points,
    } in &lines
    {
        let colour = *colour;
        chart
            .draw_series(LineSeries::new(
                points.iter().copied(),
                colour.stroke_width(2),
            ))
            .map_err(|e| draw(&e))?
            .label(label.as_str())
            .legend(move |(x, y)| {
                PathElement::new(vec![(x, y), (x + 20, y)], colour.stroke_width(2))
            });
    }
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::UpperLeft)
        .label_font(("sans-serif", 14))
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK)
        .draw()
        .map_err(|e| draw(&e))?;
    root.present().map_err(|e| draw(&e))?;
    Ok(())
}
