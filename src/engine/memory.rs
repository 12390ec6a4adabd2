//! The process's peak memory, for `linkage run` and `linkage bench`.

/// Peak resident set size of this process so far, in bytes (`VmHWM` of
/// `/proc/self/status`). `None` where the kernel does not tell (not Linux).
pub fn peak_bytes() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status.lines().find_map(|line| {
        let kb = line.strip_prefix("VmHWM:")?.trim().strip_suffix("kB")?;
        kb.trim().parse::<u64>().ok().map(|kb| kb * 1024)
    })
}

#[cfg(test)]
mod tests {
    #[test]
    #[cfg(target_os = "linux")]
    fn peak_covers_what_is_touched() {
        let before = super::peak_bytes().expect("Linux reports VmHWM");
        let block = vec![1u8; 64 << 20];
        std::hint::black_box(&block);
        let after = super::peak_bytes().unwrap();
        // The peak cannot fall, and it now covers the 64 MB block (in bytes, not kB).
        assert!(after >= before && after >= 64 << 20, "{before} -> {after}");
    }
}
