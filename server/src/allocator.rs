//! The memory allocator of the `modcache` binary (and of the benchmarks, which must measure what
//! users run).
//!
//! Summaries and simulations make millions of small allocations from both threads, and
//! tree-sitter allocates every node of every tree through C's `malloc`. With glibc's allocator
//! `analyze` spent about 45% of its time in `malloc` and `free`, and reading, summarising and
//! keeping the summaries paid for memory that glibc handed back to the system and took again.
//! mimalloc makes the whole `check` about a quarter faster on the standard library and
//! site-packages, for 9%–37% more peak memory (docs/benchmarks.md, "Latest run (mimalloc)").
//!
//! A library cannot choose the global allocator of the programs that link it, so each binary
//! declares `#[global_allocator]` itself, with [`Allocator`], and calls [`set_up`] first thing in
//! `main`.

pub use mimalloc::MiMalloc as Allocator;

/// Sets the process up for mimalloc: tree-sitter allocates through it too, and transparent huge
/// pages are off.
///
/// # Safety
///
/// Must be called before any tree-sitter parser or tree exists: memory allocated by one
/// allocator and freed by the other is undefined behaviour. Call it at the top of `main`, before
/// any thread starts.
pub unsafe fn set_up() {
    disable_transparent_huge_pages();
    // SAFETY: the caller's guarantee is the one this function needs.
    unsafe { route_tree_sitter_to_mimalloc() };
}

/// Turns transparent huge pages off for this process.
///
/// mimalloc asks the kernel for huge pages (`MADV_HUGEPAGE`) on the memory it maps. The kernel
/// then zeroes 2 MiB at the first touch of each huge page, and zeroes it again after mimalloc
/// gives unused parts back and takes them anew; a load of the standard library spent 11% of its
/// CPU time in the kernel's `clear_page_erms` that way, and 0.1% with 4 KiB pages, for less peak
/// memory (docs/benchmarks.md, "Transparent huge pages"). `PR_SET_THP_DISABLE` is what mimalloc's
/// own `allow_thp` option does; the option has no constant in the Rust bindings, and the flag
/// also covers memory that was mapped before `main`.
fn disable_transparent_huge_pages() {
    #[cfg(target_os = "linux")]
    {
        // SAFETY: PR_SET_THP_DISABLE takes an integer flag and no pointers. A failure (an old
        // kernel) leaves huge pages on, which is slower but correct, so the result is ignored.
        let _ = unsafe { libc::prctl(libc::PR_SET_THP_DISABLE, 1, 0, 0, 0) };
    }
}

/// Makes tree-sitter's C code allocate through mimalloc as well, so that trees, which are freed
/// as soon as a file is summarised, leave their memory to the summaries instead of to a second
/// allocator's free lists.
///
/// # Safety
///
/// As for [`set_up`].
unsafe fn route_tree_sitter_to_mimalloc() {
    // SAFETY: the caller guarantees that nothing tree-sitter allocated is still alive, and
    // mimalloc's functions have the signatures and semantics of malloc, calloc, realloc and free.
    unsafe {
        tree_sitter::set_allocator(Some(tree_sitter::Allocator {
            malloc: libmimalloc_sys::mi_malloc,
            calloc: libmimalloc_sys::mi_calloc,
            realloc: libmimalloc_sys::mi_realloc,
            free: libmimalloc_sys::mi_free,
        }));
    }
}
