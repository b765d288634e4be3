//! Private, crash-safe files.
//!
//! A file that holds a secret is written to a temporary file in the same folder (mode 0600 from
//! the moment it exists), flushed to disk, then renamed over the old one, and the folder is flushed
//! too: a crash at any instant leaves either the old file or the new one, whole, never a mix.

use std::{
    fs::{self, OpenOptions},
    io::{self, Write},
    os::unix::fs::{MetadataExt as _, OpenOptionsExt, PermissionsExt},
    path::Path,
};

/// Creates `dir` (and parents) and makes it private (0700), also when it already existed with
/// looser modes.
pub fn ensure_private_dir(dir: &Path) -> io::Result<()> {
    fs::create_dir_all(dir)?;
    let mode = fs::metadata(dir)?.permissions().mode() & 0o777;
    if mode != 0o700 {
        fs::set_permissions(dir, fs::Permissions::from_mode(0o700))?;
    }
    Ok(())
}

/// Writes `bytes` to `path` atomically with mode 0600 inside a 0700 folder.
pub(crate) fn write_private_atomic(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    ensure_private_dir(dir)?;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    sweep_stale_temporaries(dir, &name);
    let tmp = dir.join(format!(
        ".{name}.{}.{:016x}.tmp",
        std::process::id(),
        rand::random::<u64>()
    ));
    let result = (|| {
        let mut file = OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&tmp)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        drop(file);
        fs::rename(&tmp, path)?;
        // Persist the rename itself.
        fs::File::open(dir)?.sync_all()
    })();
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result
}

/// Like [`write_private_atomic`], and then overwrites the replaced file's bytes with zeros (and
/// flushes them) before its last name is gone: the old file held tokens in clear, which a plain
/// rename would leave in the freed blocks. The old file is opened before the rename and wiped
/// after it, so a crash at any instant still leaves one whole file under `path`. (SSDs,
/// copy-on-write filesystems and snapshots may keep old blocks all the same: the README says so.)
///
/// The new file is in place whatever the wipe does: a wipe that fails is logged, not an error.
/// Only a regular file of ours is wiped, never a symlink's target.
pub(crate) fn write_private_atomic_wiping_old(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let old = fs::symlink_metadata(path)
        .ok()
        .filter(|m| m.file_type().is_file())
        .and_then(|named| {
            let file = OpenOptions::new().write(true).open(path).ok()?;
            let opened = file.metadata().ok()?;
            (opened.ino() == named.ino() && opened.dev() == named.dev()).then_some(file)
        });
    write_private_atomic(path, bytes)?;
    if let Some(mut old) = old {
        let wiped = old.metadata().and_then(|m| {
            old.write_all(&vec![0u8; usize::try_from(m.len()).unwrap_or(0)])?;
            old.sync_all()
        });
        if let Err(e) = wiped {
            tracing::warn!(path = %path.display(), error = %e, "the replaced plain session file could not be wiped");
        }
    }
    Ok(())
}

/// Removes temporary files a killed writer left behind (older than a minute, so a writer still at
/// work is never disturbed).
fn sweep_stale_temporaries(dir: &Path, name: &str) {
    let prefix = format!(".{name}.");
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let file_name = entry.file_name();
        let file_name = file_name.to_string_lossy();
        if !(file_name.starts_with(&prefix) && file_name.ends_with(".tmp")) {
            continue;
        }
        let stale = entry
            .metadata()
            .and_then(|m| m.modified())
            .ok()
            .and_then(|at| at.elapsed().ok())
            .is_some_and(|age| age > std::time::Duration::from_secs(60));
        if stale {
            let _ = fs::remove_file(entry.path());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tightens_an_existing_loose_folder() {
        let root = tempfile::tempdir().unwrap();
        let dir = root.path().join("data");
        fs::create_dir(&dir).unwrap();
        fs::set_permissions(&dir, fs::Permissions::from_mode(0o755)).unwrap();
        write_private_atomic(&dir.join("f"), b"x").unwrap();
        assert_eq!(
            fs::metadata(&dir).unwrap().permissions().mode() & 0o777,
            0o700
        );
        assert_eq!(
            fs::metadata(dir.join("f")).unwrap().permissions().mode() & 0o777,
            0o600
        );
    }

    #[test]
    fn replaces_a_loose_file_with_a_private_one_and_leaves_no_temp() {
        let root = tempfile::tempdir().unwrap();
        let path = root.path().join("f");
        fs::write(&path, b"old").unwrap();
        fs::set_permissions(&path, fs::Permissions::from_mode(0o644)).unwrap();
        write_private_atomic(&path, b"new").unwrap();
        assert_eq!(fs::read(&path).unwrap(), b"new");
        assert_eq!(
            fs::metadata(&path).unwrap().permissions().mode() & 0o777,
            0o600
        );
        assert_eq!(fs::read_dir(root.path()).unwrap().count(), 1);
    }

    #[test]
    fn the_replaced_file_is_wiped_before_it_goes() {
        let root = tempfile::tempdir().unwrap();
        let path = root.path().join("f");
        fs::write(&path, b"old secret").unwrap();
        // A second name for the old file, to see its bytes after the rename.
        let witness = root.path().join("witness");
        fs::hard_link(&path, &witness).unwrap();
        write_private_atomic_wiping_old(&path, b"new").unwrap();
        assert_eq!(fs::read(&path).unwrap(), b"new");
        assert_eq!(fs::read(&witness).unwrap(), vec![0u8; 10]);
        // No old file: a plain write.
        let fresh = root.path().join("g");
        write_private_atomic_wiping_old(&fresh, b"x").unwrap();
        assert_eq!(fs::read(&fresh).unwrap(), b"x");
    }
}
