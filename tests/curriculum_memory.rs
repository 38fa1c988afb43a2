//! Issue 21.3: the transitive reduction must use memory near linear in the
//! size of a sparse graph. A 100,000-standard chain (with a few shortcut
//! edges) loads from CSV and is summarized, redundant prerequisites included,
//! while a counting allocator tracks the peak of live heap bytes.
//!
//! This file holds a single test so that no other test's allocations count.

// The counting allocator implements `GlobalAlloc`, an unsafe trait.
#![allow(unsafe_code)]

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

use mastery::{CsvLoader, Curriculum};

/// Live heap bytes above which allocations fail, so that a quadratic
/// algorithm aborts the test instead of exhausting the machine's memory.
const CAP: usize = 1 << 30;

struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

// SAFETY: forwards to the system allocator; only counts bytes.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let live = LIVE.fetch_add(layout.size(), Ordering::Relaxed) + layout.size();
        if live > CAP {
            LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
            return std::ptr::null_mut();
        }
        PEAK.fetch_max(live, Ordering::Relaxed);
        // SAFETY: same layout contract as the caller's.
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
        // SAFETY: `ptr` came from `alloc` with this layout.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

#[test]
fn a_100k_chain_loads_and_summarizes_in_little_memory() {
    const N: usize = 100_000;
    const SHORTCUT_EVERY: usize = 1_000;
    let mut standards = String::from("id\n");
    let mut edges = String::from("from,to\n");
    for i in 0..N {
        standards.push_str(&format!("S{i}\n"));
        if i + 1 < N {
            edges.push_str(&format!("S{i},S{}\n", i + 1));
        }
        if i % SHORTCUT_EVERY == 0 && i + 2 < N {
            edges.push_str(&format!("S{i},S{}\n", i + 2));
        }
    }
    let shortcuts = (0..N - 2).filter(|i| i % SHORTCUT_EVERY == 0).count();

    let before = LIVE.load(Ordering::Relaxed);
    PEAK.store(before, Ordering::Relaxed);
    let c: Curriculum = CsvLoader::new()
        .standards_reader("chain.csv", standards.as_bytes())
        .edges_reader("chain-edges.csv", edges.as_bytes())
        .load()
        .unwrap();
    assert_eq!(c.len(), N);
    assert_eq!(c.prerequisite_count(), N - 1 + shortcuts);
    assert_eq!(c.sources().len(), 1);
    assert_eq!(c.sinks().len(), 1);
    assert_eq!(c.longest_chain().len(), N);
    let redundant = c.redundant_prerequisites();
    assert_eq!(redundant.len(), shortcuts);
    for (from, to) in redundant {
        assert_eq!(to.index(), from.index() + 2);
        assert_eq!(from.index() % SHORTCUT_EVERY, 0);
    }
    let reduced = c.transitive_reduction();
    assert_eq!(reduced.prerequisite_count(), N - 1);

    let peak = PEAK.load(Ordering::Relaxed) - before;
    // The inputs themselves take about 3 MB; the curriculum a few times that.
    assert!(
        peak < 256 << 20,
        "peak heap {} MiB while loading and summarizing a {N}-standard chain",
        peak >> 20
    );
}
