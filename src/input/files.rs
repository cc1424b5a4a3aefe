//! Which files a run reads. Named files are read whatever their extension;
//! directories are walked for `*.yaml` / `*.yml`, sorted, skipping hidden
//! entries (`.git`, `.github`: workflow files are YAML but not estates) and
//! faultline's own configuration files.

use crate::input::diag::InputError;
use crate::input::source::{FileId, Sources};
use std::path::Path;
use walkdir::WalkDir;

/// Files that are faultline's configuration, never descriptions.
pub const CONFIG_NAMES: &[&str] = &[
    "faultline.yaml",
    "faultline.yml",
    ".faultline.yaml",
    ".faultline.yml",
];

fn is_yaml(p: &Path) -> bool {
    matches!(p.extension().and_then(|e| e.to_str()), Some("yaml" | "yml"))
}

/// Expands paths into (display name, path) pairs in a stable order.
pub fn expand(paths: &[String], exclude_dirs: &[String]) -> Result<Vec<String>, Vec<InputError>> {
    let mut out = Vec::new();
    let mut errors = Vec::new();
    let excluded: Vec<std::path::PathBuf> = exclude_dirs
        .iter()
        .filter_map(|d| std::fs::canonicalize(d).ok())
        .collect();
    for p in paths {
        let path = Path::new(p);
        let meta = match std::fs::metadata(path) {
            Ok(m) => m,
            Err(e) => {
                errors.push(
                    InputError::plain(
                        "no-such-file",
                        format!("cannot read `{p}`: {}", io_reason(&e)),
                    )
                    .help("name description files or directories that exist"),
                );
                continue;
            }
        };
        if meta.is_dir() {
            let walker = WalkDir::new(path)
                .sort_by_file_name()
                .into_iter()
                .filter_entry(|e| {
                    e.depth() == 0 || !e.file_name().to_string_lossy().starts_with('.')
                });
            for entry in walker {
                match entry {
                    Ok(e) if e.file_type().is_file() && is_yaml(e.path()) => {
                        let name = e.file_name().to_string_lossy();
                        if CONFIG_NAMES.contains(&name.as_ref()) {
                            continue;
                        }
                        if let Ok(c) = std::fs::canonicalize(e.path())
                            && excluded.iter().any(|d| c.starts_with(d))
                        {
                            continue;
                        }
                        out.push(e.path().to_string_lossy().into_owned());
                    }
                    Ok(_) => {}
                    Err(e) => errors.push(InputError::plain(
                        "no-such-file",
                        format!("cannot walk `{p}`: {e}"),
                    )),
                }
            }
        } else {
            out.push(p.clone());
        }
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(errors)
    }
}

/// Reads at most one byte past the limit, so a file that grows after its
/// size was checked (or a device that reports no size) is still refused:
/// `Ok(None)` when it is over the limit.
fn read_capped(name: &str, max: u64) -> std::io::Result<Option<Vec<u8>>> {
    use std::io::Read;
    let mut buf = Vec::new();
    std::fs::File::open(name)?
        .take(max + 1)
        .read_to_end(&mut buf)?;
    Ok((buf.len() as u64 <= max).then_some(buf))
}

pub fn io_reason(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file or directory".into(),
        std::io::ErrorKind::PermissionDenied => "permission denied".into(),
        _ => e.to_string(),
    }
}

/// Largest description, rule or config file read: 512 MiB. A generated
/// 1M-entity estate is about 100 MiB; anything far beyond is a mistake (a
/// log, a disk image, `/dev/zero`) and is refused before it is read.
pub const MAX_FILE_BYTES: u64 = 512 * 1024 * 1024;

/// The error for a file of `len` bytes, if that is over [`MAX_FILE_BYTES`]
/// (a config may lower it: [`SizeLimit`]).
pub fn size_error(name: &str, len: u64) -> Option<InputError> {
    (len > MAX_FILE_BYTES).then(|| {
        InputError::plain(
            "too-large",
            format!(
                "{name}: the file is larger than {} MiB, the limit for one file",
                MAX_FILE_BYTES >> 20
            ),
        )
        .help("split the description into several files, or check that this is the file you meant")
    })
}

/// The per-file size limit of a run: [`MAX_FILE_BYTES`], or lower where
/// a config says so (the config's limits implement it, so this stage
/// need not know what a config is).
pub trait SizeLimit {
    /// Largest file read, in bytes.
    fn max_file_bytes(&self) -> u64;
    /// The error for a file `name` of `len` bytes, if that is over it.
    fn size_error(&self, name: &str, len: u64) -> Option<InputError>;
}

/// The built-in limit alone.
pub struct BuiltinLimit;

impl SizeLimit for BuiltinLimit {
    fn max_file_bytes(&self) -> u64 {
        MAX_FILE_BYTES
    }

    fn size_error(&self, name: &str, len: u64) -> Option<InputError> {
        size_error(name, len)
    }
}

/// Reads one settings file (a config) whole into `sources` under `name`:
/// a file over the built-in size limit, unreadable or not UTF-8 is an
/// error that says which.
pub fn read_into(sources: &mut Sources, path: &Path, name: &str) -> Result<FileId, InputError> {
    if let Some(e) = std::fs::metadata(path)
        .ok()
        .and_then(|m| size_error(name, m.len()))
    {
        return Err(e);
    }
    let bytes = std::fs::read(path).map_err(|e| {
        InputError::plain(
            "no-such-file",
            format!("cannot read `{name}`: {}", io_reason(&e)),
        )
    })?;
    let text = String::from_utf8(bytes)
        .map_err(|_| InputError::plain("not-text", format!("{name} is not UTF-8 text")))?;
    sources
        .add(name.to_owned(), text)
        .ok_or_else(|| InputError::plain("too-large", format!("{name} is too large")))
}

/// Reads every file; a file that cannot be read, or is larger than
/// the per-file limit, is an input error.
pub fn read_all(
    names: Vec<String>,
    limits: &impl SizeLimit,
) -> Result<Vec<(String, Vec<u8>)>, Vec<InputError>> {
    let max = limits.max_file_bytes();
    let mut out = Vec::new();
    let mut errors = Vec::new();
    for n in names {
        if let Some(e) = std::fs::metadata(&n)
            .ok()
            .and_then(|m| limits.size_error(&n, m.len()))
        {
            errors.push(e);
            continue;
        }
        match read_capped(&n, max) {
            Ok(Some(b)) => out.push((n, b)),
            Ok(None) => errors.extend(limits.size_error(&n, max + 1)),
            Err(e) => errors.push(InputError::plain(
                "no-such-file",
                format!("cannot read `{n}`: {}", io_reason(&e)),
            )),
        }
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(errors)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_size_limit_is_512_mib_and_refuses_before_reading() {
        assert_eq!(MAX_FILE_BYTES, 536_870_912);
        assert!(size_error("a.yaml", MAX_FILE_BYTES).is_none());
        let e = size_error("a.yaml", MAX_FILE_BYTES + 1).expect("over the limit");
        assert_eq!(e.code, "too-large");
        assert_eq!(
            e.message,
            "a.yaml: the file is larger than 512 MiB, the limit for one file"
        );
        // A sparse file one byte over the limit: refused from its size,
        // without reading (or allocating) half a gigabyte.
        let dir = std::env::temp_dir().join(format!("faultline-size-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let big = dir.join("big.yaml");
        let f = std::fs::File::create(&big).unwrap();
        f.set_len(MAX_FILE_BYTES + 1).unwrap();
        let small = dir.join("small.yaml");
        std::fs::write(&small, "sites: {dc1: {}}\n").unwrap();
        let names = vec![
            small.to_string_lossy().into_owned(),
            big.to_string_lossy().into_owned(),
        ];
        let errors = read_all(names, &BuiltinLimit).expect_err("the big file is refused");
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].code, "too-large");
        assert!(errors[0].message.starts_with(&*big.to_string_lossy()));
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
