//! Giving freed memory back to the system, for the stages that free much of it at once.

/// Gives the memory freed so far back to the system. glibc keeps what is freed for later
/// allocations, and returns little of it by itself (only the top of each heap): the
/// search stage's counts, some 120 MB on a 1,000-text site, stayed resident to the end of
/// the build, and the next outputs' own peaks (the site's annotations, the handouts)
/// added to them. The pipeline calls it after each output, when its intermediates are
/// gone; the search stage after each group of documents it counts.
pub(crate) fn release_freed_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: `malloc_trim` only returns free memory to the system; it is safe to call
    // at any time from any thread.
    unsafe {
        libc::malloc_trim(0);
    }
}
