//! Which files a run reads. Named files are read whatever their extension;
//! directories are walked for `*.yaml` / `*.yml`, sorted, skipping hidden
//! entries (`.git`, `.github`: workflow files are YAML but not estates) and
//! faultline's own configuration files.

use crate::diag::InputError;
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

pub fn io_reason(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file or directory".into(),
        std::io::ErrorKind::PermissionDenied => "permission denied".into(),
        _ => e.to_string(),
    }
}

/// Reads every file; a file that cannot be read is an input error.
pub fn read_all(names: Vec<String>) -> Result<Vec<(String, Vec<u8>)>, Vec<InputError>> {
    let mut out = Vec::new();
    let mut errors = Vec::new();
    for n in names {
        match std::fs::read(&n) {
            Ok(b) => out.push((n, b)),
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
