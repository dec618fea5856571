//! The board's device files on the command line, shared by `scan` and `board`.

use std::path::PathBuf;
use std::time::Duration;

use liqscan_sim::backend::Device;

#[derive(Debug, Clone, clap::Args)]
pub struct DeviceArgs {
    /// The board: a virtual board's file (as `liqscan board --device PATH`
    /// serves it), or with --ring a card's register window (its UIO map or
    /// its PCIe `resource0` file).
    #[arg(long, value_name = "PATH")]
    pub device: Option<PathBuf>,
    /// A card's result ring: the DMA buffer its DMA engine writes (e.g. a
    /// u-dma-buf device). Without it, --device is a virtual board's file.
    #[arg(long, value_name = "PATH", requires = "device")]
    pub ring: Option<PathBuf>,
    /// How long a tick or update may make no progress on the board before
    /// the run fails over to cpu: e.g. 500us, 5ms, 2s (default 5ms for a
    /// card, 1s for a virtual board).
    #[arg(long, value_name = "DURATION", value_parser = duration, requires = "device")]
    pub board_timeout: Option<Duration>,
}

impl DeviceArgs {
    pub fn device(&self) -> Option<Device> {
        self.device.as_ref().map(|window| Device {
            window: window.clone(),
            ring: self.ring.clone(),
        })
    }
}

/// A duration as a whole number and a unit: `us`, `ms` or `s`.
pub fn duration(text: &str) -> Result<Duration, String> {
    let split = text
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let value: u64 = number
        .parse()
        .map_err(|_| format!("{text:?}: expected a whole number and a unit (us, ms, s)"))?;
    let duration = match unit {
        "us" => Duration::from_micros(value),
        "ms" => Duration::from_millis(value),
        "s" => Duration::from_secs(value),
        _ => return Err(format!("{text:?}: the unit is one of us, ms, s")),
    };
    if duration.is_zero() {
        return Err(format!("{text:?}: must be more than 0"));
    }
    Ok(duration)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_take_a_whole_number_and_a_unit() {
        assert_eq!(duration("500us"), Ok(Duration::from_micros(500)));
        assert_eq!(duration("5ms"), Ok(Duration::from_millis(5)));
        assert_eq!(duration("2s"), Ok(Duration::from_secs(2)));
        for bad in [
            "",
            "5",
            "ms",
            "1.5ms",
            "-1s",
            "0ms",
            "5 ms",
            "99999999999999999999s",
        ] {
            assert!(duration(bad).is_err(), "{bad}");
        }
    }
}
