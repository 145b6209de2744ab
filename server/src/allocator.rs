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
//! declares `#[global_allocator]` itself, with [`Allocator`], and calls
//! [`route_tree_sitter_to_mimalloc`] first thing in `main`.

pub use mimalloc::MiMalloc as Allocator;

/// Makes tree-sitter's C code allocate through mimalloc as well, so that trees, which are freed
/// as soon as a file is summarised, leave their memory to the summaries instead of to a second
/// allocator's free lists.
///
/// # Safety
///
/// Must be called before any tree-sitter parser or tree exists: memory allocated by one
/// allocator and freed by the other is undefined behaviour. Call it at the top of `main`, before
/// any thread starts.
pub unsafe fn route_tree_sitter_to_mimalloc() {
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
