//! Baselines: the findings a team accepted when it adopted the gate, so
//! that only new ones fail it. A baseline file lists findings by their
//! fingerprint (the rule and the two methods, not their lines), with the
//! qualnames beside it for people reading the file.

use std::collections::HashSet;
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::ConflictRecord;

/// The file's format version: a file written by a later, incompatible
/// shadowfix is refused rather than misread.
const FORMAT: u32 = 1;

#[derive(Debug, Serialize, Deserialize)]
struct BaselineFile {
    shadowfix_baseline: u32,
    findings: Vec<Entry>,
}

#[derive(Debug, Serialize, Deserialize)]
struct Entry {
    fingerprint: String,
    rule: String,
    #[serde(rename = "override")]
    override_method: String,
    overridden: String,
}

#[derive(Debug, thiserror::Error)]
pub enum BaselineError {
    #[error("{path}: cannot read the baseline: {source}")]
    Read { path: String, source: std::io::Error },
    #[error("{path}: not a shadowfix baseline ({message}); write one with `shadowfix scan --write-baseline {path}`")]
    Format { path: String, message: String },
    #[error("{path}: cannot write the baseline: {source}")]
    Write { path: String, source: std::io::Error },
}

/// The fingerprints a baseline file accepts.
pub fn load(path: &Path) -> Result<HashSet<String>, BaselineError> {
    let shown = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|source| BaselineError::Read {
        path: shown.clone(),
        source,
    })?;
    let file: BaselineFile = serde_json::from_str(&text).map_err(|e| BaselineError::Format {
        path: shown.clone(),
        message: e.to_string(),
    })?;
    if file.shadowfix_baseline != FORMAT {
        return Err(BaselineError::Format {
            path: shown,
            message: format!("format {} where this shadowfix reads {FORMAT}", file.shadowfix_baseline),
        });
    }
    Ok(file.findings.into_iter().map(|e| e.fingerprint).collect())
}

/// Writes the findings as a baseline, atomically (a temp file beside it,
/// then a rename): a crash never leaves half a baseline.
pub fn write(path: &Path, conflicts: &[ConflictRecord]) -> Result<(), BaselineError> {
    let shown = path.display().to_string();
    let mut findings: Vec<Entry> = conflicts
        .iter()
        .map(|c| Entry {
            fingerprint: c.fingerprint.clone(),
            rule: c.rule.to_string(),
            override_method: c.override_method.qualname.clone(),
            overridden: c.overridden.qualname.clone(),
        })
        .collect();
    findings.sort_by(|a, b| a.fingerprint.cmp(&b.fingerprint));
    let file = BaselineFile {
        shadowfix_baseline: FORMAT,
        findings,
    };
    let mut text = serde_json::to_string_pretty(&file).expect("a baseline serialises");
    text.push('\n');
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let write = || -> std::io::Result<()> {
        let mut tmp = tempfile::NamedTempFile::new_in(dir)?;
        std::io::Write::write_all(&mut tmp, text.as_bytes())?;
        tmp.as_file().sync_all()?;
        tmp.persist(path).map_err(|e| e.error)?;
        Ok(())
    };
    write().map_err(|source| BaselineError::Write { path: shown, source })
}
