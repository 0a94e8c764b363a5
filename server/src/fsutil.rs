//! Opening and reading files that come from outside (sources, config files, the
//! result cache) without hanging or running out of memory on special files:
//! a path is opened without blocking (`O_NONBLOCK`), checked to be a regular
//! file on the open handle (no race with a swap between a check and the open),
//! and read up to a cap.

use std::fs::File;
use std::io::{self, Read};
use std::path::Path;

/// What kind of non-regular file this is, for messages.
pub fn kind_name(ft: std::fs::FileType) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if ft.is_fifo() {
            return "a FIFO";
        }
        if ft.is_socket() {
            return "a socket";
        }
        if ft.is_char_device() || ft.is_block_device() {
            return "a device";
        }
    }
    if ft.is_dir() {
        "a folder"
    } else if ft.is_file() {
        "a regular file"
    } else {
        "not a regular file"
    }
}

/// The error for a path that is not a regular file.
pub fn not_regular(ft: std::fs::FileType) -> io::Error {
    io::Error::new(
        io::ErrorKind::InvalidInput,
        format!("not a regular file ({})", kind_name(ft)),
    )
}

/// Open `path` for reading if it is a regular file (symlinks followed). A FIFO
/// or a device is refused without blocking on it.
pub fn open_regular(path: &Path) -> io::Result<File> {
    let mut opts = std::fs::OpenOptions::new();
    opts.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.custom_flags(libc::O_NONBLOCK);
    }
    let file = opts.open(path)?;
    let ft = file.metadata()?.file_type();
    if !ft.is_file() {
        return Err(not_regular(ft));
    }
    Ok(file)
}

/// Read a regular file whole if it has at most `cap` bytes. Larger files (also
/// ones that grow while read) give an `InvalidData` error naming the cap.
pub fn read_capped(path: &Path, cap: u64) -> io::Result<Vec<u8>> {
    let file = open_regular(path)?;
    read_to_cap(file, cap)
}

/// Read `r` to its end if it has at most `cap` bytes (never holding more than
/// `cap + 1` bytes).
pub fn read_to_cap(r: impl Read, cap: u64) -> io::Result<Vec<u8>> {
    let mut bytes = Vec::new();
    r.take(cap.saturating_add(1)).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > cap {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            format!("larger than {}", human(cap)),
        ));
    }
    Ok(bytes)
}

/// `32 MiB`, `1 MiB`, `8 KiB`, else bytes.
pub fn human(bytes: u64) -> String {
    if bytes >= 1 << 20 && bytes.is_multiple_of(1 << 20) {
        format!("{} MiB", bytes >> 20)
    } else if bytes >= 1 << 10 && bytes.is_multiple_of(1 << 10) {
        format!("{} KiB", bytes >> 10)
    } else {
        format!("{bytes} bytes")
    }
}

/// Why `--fix` did not write a file.
#[derive(Debug)]
pub enum WriteSkip {
    /// The file is read-only (no write permission bits): left as it is.
    ReadOnly,
    /// Writing failed.
    Failed(io::Error),
}

/// Replace the contents of the file at `path` with `text`, keeping its
/// identity: a symlink is written through (its target changes, the link stays
/// a link); owner, group and mode are kept; a hard-linked file is written in
/// place so that every name still sees the same file. A read-only file is not
/// written.
///
/// A file with one link whose owner and group can be given to a new file is
/// replaced atomically (temp file in the same folder, `fsync`, rename), so a
/// crash leaves either the old or the new text, and a failure (read-only
/// folder, full disk) leaves the file untouched. Only where a new file cannot
/// be the same file — hard links, or an owner we cannot give (a file of another
/// user in a shared folder) — is it truncated and written in place; the text was
/// already re-parsed and checked by the fixer, it is fully built before the file
/// is opened, and if the write fails the old text (`old`) is written back.
pub fn write_preserving(path: &Path, old: &[u8], text: &[u8]) -> Result<(), WriteSkip> {
    // The file itself, not a symlink to it (relative links resolved too).
    let target = std::fs::canonicalize(path).map_err(WriteSkip::Failed)?;
    let meta = std::fs::metadata(&target).map_err(WriteSkip::Failed)?;
    if !meta.is_file() {
        return Err(WriteSkip::Failed(not_regular(meta.file_type())));
    }
    if meta.permissions().readonly() {
        return Err(WriteSkip::ReadOnly);
    }
    if !hard_linked(&meta) {
        match replace_atomically(&target, text, &meta) {
            Ok(()) => return Ok(()),
            Err(Replace::Chown) => {} // an owner we cannot give: in place
            Err(Replace::Failed(e)) => return Err(WriteSkip::Failed(e)),
        }
    }
    write_in_place(&target, text).map_err(|e| {
        // Best effort: put the old text back rather than leave half a file.
        let _ = write_in_place(&target, old);
        WriteSkip::Failed(e)
    })
}

#[cfg(unix)]
fn hard_linked(meta: &std::fs::Metadata) -> bool {
    use std::os::unix::fs::MetadataExt;
    meta.nlink() > 1
}

#[cfg(not(unix))]
fn hard_linked(_meta: &std::fs::Metadata) -> bool {
    false
}

/// Why an atomic replacement was not done (the original is untouched).
enum Replace {
    /// The new file cannot have the original's owner and group.
    Chown,
    Failed(io::Error),
}

fn replace_atomically(target: &Path, text: &[u8], meta: &std::fs::Metadata) -> Result<(), Replace> {
    use std::io::Write;
    let dir = target.parent().unwrap_or(Path::new("."));
    let mut tmp = tempfile::NamedTempFile::new_in(dir).map_err(Replace::Failed)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        // Owner and group first (chown may clear set-id bits), then the mode.
        let (uid, gid) = (meta.uid(), meta.gid());
        let tmeta = tmp.as_file().metadata().map_err(Replace::Failed)?;
        if tmeta.uid() != uid || tmeta.gid() != gid {
            std::os::unix::fs::fchown(tmp.as_file(), Some(uid), Some(gid))
                .map_err(|_| Replace::Chown)?;
        }
    }
    tmp.as_file()
        .set_permissions(meta.permissions())
        .map_err(Replace::Failed)?;
    tmp.write_all(text).map_err(Replace::Failed)?;
    tmp.as_file().sync_all().map_err(Replace::Failed)?;
    tmp.persist(target).map_err(|e| Replace::Failed(e.error))?;
    Ok(())
}

fn write_in_place(target: &Path, text: &[u8]) -> io::Result<()> {
    use std::io::Write;
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.custom_flags(libc::O_NONBLOCK);
    }
    let mut f = opts.open(target)?;
    // Checked again on the open handle: a FIFO swapped in is not written.
    let ft = f.metadata()?.file_type();
    if !ft.is_file() {
        return Err(not_regular(ft));
    }
    f.set_len(0)?;
    f.write_all(text)?;
    f.sync_all()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn caps_and_special_files() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.txt");
        std::fs::write(&p, "12345").unwrap();
        assert_eq!(read_capped(&p, 5).unwrap(), b"12345");
        let e = read_capped(&p, 4).unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::InvalidData);
        assert!(read_capped(dir.path(), 5).is_err(), "a folder");
        #[cfg(unix)]
        {
            let e = open_regular(Path::new("/dev/zero")).unwrap_err();
            assert_eq!(e.to_string(), "not a regular file (a device)");
        }
        assert_eq!(human(32 << 20), "32 MiB");
        assert_eq!(human(8 << 10), "8 KiB");
    }
}
