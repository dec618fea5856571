//! Memory-mapped device files: every volatile and atomic access of the
//! crate, and all of its `unsafe`, is in this module.
//!
//! A [`Mapping`] maps part of a file with `memmap2` (shared, read and
//! write): a register window (a UIO map, a PCIe `resource0` file, or the
//! virtual board's file) or a result ring (a DMA buffer, or the virtual
//! board's file). Every access is one aligned 32-bit word, checked against
//! the mapping's bounds first.
//!
//! # Ordering
//! [`Mapping::read`] is a volatile load followed by an acquire fence;
//! [`Mapping::write`] is a release fence followed by a volatile store.
//! Volatile keeps the compiler from dropping, merging, splitting or
//! reordering the accesses among themselves; the fences keep every earlier
//! access before a write and every later access after a read, in the
//! compiler and, on weakly ordered CPUs, in the hardware. So:
//! * the host's command-entry words are stored before the `CMD_PRODUCER`
//!   store that commits them, and the doorbell's symbol and price before
//!   `TICK_SEQ`. A register window mapped uncached (`resource0`, UIO) is
//!   strongly ordered on x86 and posted writes to one device stay in order
//!   on PCIe; a shared-memory window (the virtual board) gets the order from
//!   the release fence, and the server reads the producer with an acquire
//!   load before the entries;
//! * the card's DMA engine writes the records before the ring's producer
//!   index (PCIe keeps posted writes in order; the virtual board stores the
//!   index with release ordering), and the host reads the index, then the
//!   records after the acquire fence;
//! * the host's consumer index is stored after its reads of the records it
//!   frees (release fence), so the DMA engine never overwrites a record
//!   still being read.
//!
//! The server side of the virtual board uses [`Mapping::atomic`]: aligned
//! 32-bit atomics on the same words, which are single-copy atomic with the
//! host's volatile word accesses on every target this runs on (x86-64,
//! aarch64); the file is shared between processes, where Rust's memory
//! model has no say and the hardware's word atomicity is what holds.

use std::fs::File;
use std::path::Path;
use std::ptr::NonNull;
use std::sync::atomic::{fence, AtomicU32, Ordering};

use memmap2::{MmapMut, MmapOptions};

use crate::error::DriverError;

/// One shared, writable mapping of part of a device file.
#[derive(Debug)]
pub struct Mapping {
    /// Keeps the mapping alive; never dereferenced after `base` is taken.
    _map: MmapMut,
    /// The first byte, taken once from `MmapMut::as_mut_ptr`.
    base: NonNull<u8>,
    len: usize,
    /// For messages: the file and offset.
    name: String,
}

// SAFETY: the mapping is owned by this value and its pointer stays valid
// wherever the value moves; all accesses through `base` are word accesses
// the ordering argument above covers, so moving a `Mapping` to another
// thread is sound. It is not `Sync`: `write` takes `&self`.
unsafe impl Send for Mapping {}

impl Mapping {
    /// Maps `len` bytes of the file at `path` from byte `offset` (which
    /// need not be page-aligned).
    pub fn open(path: &Path, offset: u64, len: usize) -> Result<Self, DriverError> {
        let file = File::options()
            .read(true)
            .write(true)
            .open(path)
            .map_err(|e| DriverError::io(path, "open", e))?;
        Self::map(&file, path, offset, len)
    }

    /// Maps `len` bytes of an open `file` (named `path`) from byte `offset`.
    pub fn map(file: &File, path: &Path, offset: u64, len: usize) -> Result<Self, DriverError> {
        let size = file
            .metadata()
            .map_err(|e| DriverError::io(path, "size", e))?
            .len();
        // A device file (UIO, `resource0`) may report size 0: only regular files are checked.
        if file.metadata().is_ok_and(|m| m.is_file()) && size < offset + len as u64 {
            return Err(DriverError::Bus(format!(
                "{}: {size} bytes, a mapping of {len} bytes at {offset:#x} needs {}",
                path.display(),
                offset + len as u64
            )));
        }
        // SAFETY: a shared mapping of a device file is modified outside
        // this process by design (the card, its DMA engine, the virtual
        // board's server): memmap2's requirement that nothing else modify
        // the file is replaced by the rule that it is only ever accessed as
        // aligned 32-bit words, through volatile or atomic accesses that
        // tolerate concurrent changes; no reference to its bytes is made.
        let mut map = unsafe {
            MmapOptions::new()
                .offset(offset)
                .len(len)
                .map_mut(file)
                .map_err(|e| DriverError::io(path, "map", e))?
        };
        let base = NonNull::new(map.as_mut_ptr())
            .ok_or_else(|| DriverError::Bus(format!("{}: null mapping", path.display())))?;
        Ok(Self {
            _map: map,
            base,
            len,
            name: format!("{} at {offset:#x}", path.display()),
        })
    }

    /// Bytes mapped.
    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The word at byte `byte`, checked to lie inside the mapping and to be
    /// 4-aligned in memory.
    fn word(&self, byte: usize) -> Result<*mut u32, DriverError> {
        let inside = matches!(byte.checked_add(4), Some(end) if end <= self.len);
        let aligned = (self.base.as_ptr() as usize).wrapping_add(byte) % 4 == 0;
        if !inside || !aligned {
            return Err(DriverError::Bus(format!(
                "{}: word access at byte {byte:#x} outside its {:#x} bytes or misaligned",
                self.name, self.len
            )));
        }
        // SAFETY: `byte + 4 <= len`, so the result lies inside the mapping.
        Ok(unsafe { self.base.as_ptr().add(byte) }.cast::<u32>())
    }

    /// A volatile read of the word at `byte`; later accesses stay after it.
    pub fn read(&self, byte: usize) -> Result<u32, DriverError> {
        let word = self.word(byte)?;
        // SAFETY: `word` is in bounds and 4-aligned (checked by `word`) and
        // the mapping lives as long as `self`; the memory may change under
        // us, which a volatile read of one word tolerates.
        let value = unsafe { word.read_volatile() };
        fence(Ordering::Acquire);
        Ok(value)
    }

    /// A volatile write of the word at `byte`, after every earlier access.
    pub fn write(&self, byte: usize, value: u32) -> Result<(), DriverError> {
        let word = self.word(byte)?;
        fence(Ordering::Release);
        // SAFETY: `word` is in bounds, 4-aligned and writable (a shared,
        // writable mapping that lives as long as `self`); no reference to
        // these bytes exists.
        unsafe { word.write_volatile(value) };
        Ok(())
    }

    /// The word at `byte` as an atomic (the virtual board's server side).
    pub fn atomic(&self, byte: usize) -> Result<&AtomicU32, DriverError> {
        let word = self.word(byte)?;
        // SAFETY: `word` is in bounds and 4-aligned, which is `AtomicU32`'s
        // size and alignment; the reference lives no longer than `self` and
        // so than the mapping; every other access to the word is an aligned
        // 32-bit atomic or volatile access (see the module documentation).
        Ok(unsafe { AtomicU32::from_ptr(word) })
    }
}
