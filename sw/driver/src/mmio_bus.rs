//! [`MmioBus`]: the [`Bus`] of a real card or of the virtual board, over two
//! memory-mapped device files.
//!
//! * The register window: a UIO map (`/dev/uioN`, map `i` at byte offset
//!   `i · page size`, sizes under `/sys/class/uio/uioN/maps/`) or the PCIe
//!   BAR's sysfs file (`/sys/bus/pci/devices/0000:BB:DD.F/resource0`,
//!   offset 0), [`WINDOW_BYTES`] bytes.
//! * The result ring: the DMA buffer the card's DMA engine writes (a
//!   DMA-buffer device such as u-dma-buf's `/dev/udmabuf0`, offset 0, whose
//!   physical address the engine is given), [`ring::BYTES`] bytes.
//!
//! The virtual board is one file holding both: the window at offset 0 and
//! the ring at offset [`WINDOW_BYTES`] ([`MmioBus::open_virtual`]).

use std::path::{Path, PathBuf};

use liqscan_core::spec::registers::{ring, WINDOW_BYTES};

use crate::bus::Bus;
use crate::error::DriverError;
use crate::mmio::Mapping;

/// A part of a device file to map: its path and the byte offset of the
/// mapping in it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceMap {
    pub path: PathBuf,
    pub offset: u64,
}

impl DeviceMap {
    pub fn new(path: impl Into<PathBuf>, offset: u64) -> Self {
        Self {
            path: path.into(),
            offset,
        }
    }
}

/// The register window and the result ring, memory-mapped.
#[derive(Debug)]
pub struct MmioBus {
    window: Mapping,
    ring: Mapping,
}

impl MmioBus {
    /// Maps [`WINDOW_BYTES`] of `window` and [`ring::BYTES`] of `ring`.
    pub fn open(window: &DeviceMap, ring: &DeviceMap) -> Result<Self, DriverError> {
        Ok(Self {
            window: Mapping::open(&window.path, window.offset, WINDOW_BYTES as usize)?,
            ring: Mapping::open(&ring.path, ring.offset, ring::BYTES)?,
        })
    }

    /// The virtual board's file at `path` (see
    /// [`virtual_board`](crate::virtual_board)): the window at offset 0, the
    /// ring at [`WINDOW_BYTES`].
    pub fn open_virtual(path: &Path) -> Result<Self, DriverError> {
        Self::open(
            &DeviceMap::new(path, 0),
            &DeviceMap::new(path, u64::from(WINDOW_BYTES)),
        )
    }
}

impl Bus for MmioBus {
    fn read(&mut self, offset: u32) -> Result<u32, DriverError> {
        self.window.read(offset as usize)
    }

    fn write(&mut self, offset: u32, value: u32) -> Result<(), DriverError> {
        self.window.write(offset as usize, value)
    }

    fn ring_read(&mut self, byte: usize) -> Result<u32, DriverError> {
        self.ring.read(byte)
    }

    fn ring_write(&mut self, byte: usize, value: u32) -> Result<(), DriverError> {
        self.ring.write(byte, value)
    }
}
