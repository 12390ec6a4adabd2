//! Cache hints: asking for memory a loop will read a few steps later, so the wait for it
//! overlaps the work in between. A hint never changes a result.

/// Bring the cache line holding the start of `x` into the cache; nothing on targets
/// without a prefetch instruction.
#[inline(always)]
pub fn prefetch<T>(x: &T) {
    prefetch_at((x as *const T).cast());
}

/// Bring every cache line of `x` into the cache (a record that straddles lines).
#[inline(always)]
pub fn prefetch_whole<T>(x: &T) {
    let start: *const u8 = (x as *const T).cast();
    let size = size_of::<T>();
    let mut offset = 0;
    while offset < size {
        prefetch_at(start.wrapping_add(offset));
        offset += 64;
    }
    if size > 1 {
        // The last byte, when the record starts partway into its first line.
        prefetch_at(start.wrapping_add(size - 1));
    }
}

#[inline(always)]
fn prefetch_at(p: *const u8) {
    #[cfg(target_arch = "x86_64")]
    // SAFETY: a prefetch is a hint: it never faults, whatever the address, and reads
    // nothing the program sees.
    unsafe {
        use std::arch::x86_64::{_MM_HINT_T0, _mm_prefetch};
        _mm_prefetch::<_MM_HINT_T0>(p.cast());
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = p;
}
