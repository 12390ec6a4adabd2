//! What produced a file: the program's version and the source revision it was built
//! from (`build.rs` sets `LINKAGE_REVISION`), so that a paper can say exactly what made
//! its figures. Run folders carry it in `params.toml`'s header, sweep folders in
//! `experiment.toml`'s.

/// The program's version, as released (`Cargo.toml`).
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// The commit the binary was built from, `+modified` when the work tree differed from
/// it, or `unknown` outside a git checkout.
pub const REVISION: &str = env!("LINKAGE_REVISION");

/// `linkage 0.1.0 (source revision 1a2b3c4d5e6f)`.
pub fn program() -> String {
    format!("linkage {VERSION} (source revision {REVISION})")
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_revision_is_a_commit_or_unknown() {
        let r = super::REVISION.trim_end_matches("+modified");
        assert!(
            r == "unknown" || (r.len() == 12 && r.chars().all(|c| c.is_ascii_hexdigit())),
            "{r}"
        );
        assert!(super::program().starts_with("linkage "));
    }
}
