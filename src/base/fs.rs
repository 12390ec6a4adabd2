//! Files that appear whole or not at all: everything is written to a temporary file in the
//! destination's folder, then renamed over the destination. A crash or an error leaves the
//! old file (or none), never half of a new one.

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

/// A file being written: bytes go to a hidden temporary beside `dest`; [`AtomicFile::commit`]
/// renames it into place. Dropped without commit, the temporary is removed.
pub struct AtomicFile {
    dest: PathBuf,
    tmp: PathBuf,
    out: Option<BufWriter<File>>,
}

/// The hidden temporary name for `dest`: `.NAME.tmp-PID` in the same folder.
pub fn temporary_for(dest: &Path) -> PathBuf {
    let name = dest.file_name().and_then(|n| n.to_str()).unwrap_or("out");
    dest.with_file_name(format!(".{name}.tmp-{}", std::process::id()))
}

impl AtomicFile {
    /// Start writing `dest`.
    pub fn create(dest: &Path) -> io::Result<AtomicFile> {
        let tmp = temporary_for(dest);
        let out = BufWriter::new(File::create(&tmp)?);
        Ok(AtomicFile {
            dest: dest.to_path_buf(),
            tmp,
            out: Some(out),
        })
    }

    /// Flush and rename into place.
    pub fn commit(mut self) -> io::Result<()> {
        if let Some(out) = self.out.take() {
            out.into_inner()
                .map_err(|e| e.into_error())?
                .sync_all()
                .ok();
        }
        std::fs::rename(&self.tmp, &self.dest)
    }
}

impl Write for AtomicFile {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.out.as_mut().expect("written after commit").write(buf)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.out.as_mut().expect("flushed after commit").flush()
    }
}

impl Drop for AtomicFile {
    fn drop(&mut self) {
        if self.out.take().is_some() {
            let _ = std::fs::remove_file(&self.tmp);
        }
    }
}

/// A path to hand to a writer that opens the file itself (an image encoder, which takes
/// the format from the extension): `.NAME.tmp-PID.EXT` beside `dest`, keeping the
/// extension. [`AtomicPath::commit`] renames it over `dest`; dropped without commit, the
/// temporary is removed.
pub struct AtomicPath {
    dest: PathBuf,
    tmp: PathBuf,
    done: bool,
}

impl AtomicPath {
    pub fn new(dest: &Path) -> AtomicPath {
        let stem = dest.file_stem().and_then(|n| n.to_str()).unwrap_or("out");
        let ext = dest.extension().and_then(|e| e.to_str()).unwrap_or("tmp");
        let tmp = dest.with_file_name(format!(".{stem}.tmp-{}.{ext}", std::process::id()));
        AtomicPath {
            dest: dest.to_path_buf(),
            tmp,
            done: false,
        }
    }

    /// Where to write.
    pub fn path(&self) -> &Path {
        &self.tmp
    }

    /// Rename the written temporary into place.
    pub fn commit(mut self) -> io::Result<()> {
        self.done = true;
        std::fs::rename(&self.tmp, &self.dest)
    }
}

impl Drop for AtomicPath {
    fn drop(&mut self) {
        if !self.done {
            let _ = std::fs::remove_file(&self.tmp);
        }
    }
}

/// Write `bytes` to `path` atomically.
pub fn write_atomic(path: &Path, bytes: impl AsRef<[u8]>) -> io::Result<()> {
    let mut f = AtomicFile::create(path)?;
    f.write_all(bytes.as_ref())?;
    f.commit()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dropped_writes_leave_nothing_and_commits_replace() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.csv");
        std::fs::write(&p, "old").unwrap();
        {
            let mut f = AtomicFile::create(&p).unwrap();
            f.write_all(b"half").unwrap();
        }
        assert_eq!(std::fs::read_to_string(&p).unwrap(), "old");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
        write_atomic(&p, "new").unwrap();
        assert_eq!(std::fs::read_to_string(&p).unwrap(), "new");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn an_atomic_path_keeps_the_extension_and_cleans_up() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("chart.png");
        {
            let a = AtomicPath::new(&p);
            assert_eq!(a.path().extension().unwrap(), "png");
            std::fs::write(a.path(), "half").unwrap();
        }
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
        let a = AtomicPath::new(&p);
        std::fs::write(a.path(), "whole").unwrap();
        a.commit().unwrap();
        assert_eq!(std::fs::read_to_string(&p).unwrap(), "whole");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }
}
