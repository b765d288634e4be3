//! The release builds the benchmark measures, found in one folder (`target/release`): the two
//! apps, their `.deb` packages, `feishu-auth` and `feishu-emulator`. `scripts/bench.sh` builds them.

use std::path::{Path, PathBuf};

/// The app's `productName` and the empty app's: the `.deb` files start with them.
const APP_PRODUCT: &str = "Feishu Sign-in";
const EMPTY_PRODUCT: &str = "Feishu Sign-in Empty";

/// Paths of everything measured.
#[derive(Debug, Clone)]
pub struct Artifacts {
    pub app: PathBuf,
    pub empty_app: PathBuf,
    pub app_deb: PathBuf,
    pub empty_deb: PathBuf,
    pub feishu_auth: PathBuf,
    pub emulator: PathBuf,
}

impl Artifacts {
    /// Finds the builds in `dir`; says which is missing and how to build it.
    pub fn locate(dir: &Path) -> Result<Self, String> {
        let file = |name: &str| {
            let path = dir.join(name);
            if path.is_file() {
                Ok(path)
            } else {
                Err(format!(
                    "{} is missing: run scripts/bench.sh, which builds it",
                    path.display()
                ))
            }
        };
        let deb_dir = dir.join("bundle").join("deb");
        Ok(Self {
            app: file("feishu-signin")?,
            empty_app: file("feishu-signin-empty")?,
            app_deb: find_deb(&deb_dir, APP_PRODUCT)?,
            empty_deb: find_deb(&deb_dir, EMPTY_PRODUCT)?,
            feishu_auth: file("feishu-auth")?,
            emulator: file("feishu-emulator")?,
        })
    }

    /// The folder of this executable: `target/release` when run as `target/release/feishu-bench`.
    pub fn default_dir() -> PathBuf {
        std::env::current_exe()
            .ok()
            .and_then(|exe| exe.parent().map(Path::to_path_buf))
            .unwrap_or_else(|| PathBuf::from("target/release"))
    }
}

/// The newest `<product>_<version>_<arch>.deb` in `dir`. The `_` right after the product name
/// tells "Feishu Sign-in_…" from "Feishu Sign-in Empty_…".
fn find_deb(dir: &Path, product: &str) -> Result<PathBuf, String> {
    let prefix = format!("{product}_");
    let entries = std::fs::read_dir(dir).map_err(|e| {
        format!(
            "{}: {e}: run scripts/bench.sh, which builds the .deb packages",
            dir.display()
        )
    })?;
    entries
        .flatten()
        .filter(|e| {
            let path = e.path();
            let is_deb = path
                .extension()
                .is_some_and(|x| x.eq_ignore_ascii_case("deb"));
            is_deb && e.file_name().to_string_lossy().starts_with(&prefix)
        })
        .max_by_key(|e| e.metadata().and_then(|m| m.modified()).ok())
        .map(|e| e.path())
        .ok_or_else(|| {
            format!(
                "no {prefix}*.deb in {}: run scripts/bench.sh",
                dir.display()
            )
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debs_are_told_apart_by_product_name() {
        let dir = tempfile::tempdir().unwrap();
        for name in [
            "Feishu Sign-in_0.1.0_amd64.deb",
            "Feishu Sign-in Empty_0.1.0_amd64.deb",
        ] {
            std::fs::write(dir.path().join(name), b"x").unwrap();
        }
        let app = find_deb(dir.path(), APP_PRODUCT).unwrap();
        let empty = find_deb(dir.path(), EMPTY_PRODUCT).unwrap();
        assert!(app.ends_with("Feishu Sign-in_0.1.0_amd64.deb"));
        assert!(empty.ends_with("Feishu Sign-in Empty_0.1.0_amd64.deb"));
    }
}
