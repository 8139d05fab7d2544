//! `git format-patch` style files: an mbox header, the commit message, a
//! diffstat and the diff, named `0001-<slug>.patch`. `git am` applies them,
//! and RPM specs list them as `PatchN:` for `%autosetup -p1`. A patch file
//! is written whole or not at all: an RPM build that picks up a truncated
//! patch fails far from the cause, or worse, applies half a fix.

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::deliver::message::CommitMessage;
use crate::deliver::unidiff::{self, FileDiff};

/// Who a patch is from, and when.
#[derive(Debug, Clone)]
pub struct Identity {
    pub name: String,
    pub email: String,
    /// Seconds since the epoch and the UTC offset in minutes.
    pub time: (i64, i32),
}

impl Identity {
    /// For patches made outside a repository: `GIT_AUTHOR_NAME` /
    /// `GIT_AUTHOR_EMAIL` when set, else `shadowfix`; the date from
    /// `SOURCE_DATE_EPOCH` when set (reproducible builds), else now.
    pub fn from_env_or_default() -> Identity {
        let name = std::env::var("GIT_AUTHOR_NAME").unwrap_or_else(|_| "shadowfix".into());
        let email = std::env::var("GIT_AUTHOR_EMAIL").unwrap_or_else(|_| "shadowfix@localhost".into());
        let secs = std::env::var("SOURCE_DATE_EPOCH")
            .ok()
            .and_then(|s| s.trim().parse::<i64>().ok())
            .unwrap_or_else(|| jiff::Timestamp::now().as_second());
        Identity {
            name,
            email,
            time: (secs, 0),
        }
    }
}

/// A file-name slug from a subject, as `git format-patch` makes it.
pub fn slug(subject: &str) -> String {
    let mut out = String::new();
    for c in subject.chars() {
        if c.is_ascii_alphanumeric() || c == '_' || c == '.' {
            out.push(c);
        } else if !out.ends_with('-') {
            out.push('-');
        }
    }
    let trimmed = out.trim_matches(|c| c == '-' || c == '.');
    let mut s: String = trimmed.chars().take(52).collect();
    while s.ends_with(['-', '.']) {
        s.pop();
    }
    s
}

/// RFC 2822 date as git writes it in a patch header.
pub fn rfc2822(time: (i64, i32)) -> String {
    let ts = jiff::Timestamp::from_second(time.0).unwrap_or(jiff::Timestamp::UNIX_EPOCH);
    let tz = jiff::tz::Offset::from_seconds(time.1 * 60)
        .unwrap_or(jiff::tz::Offset::UTC)
        .to_time_zone();
    jiff::fmt::rfc2822::to_string(&ts.to_zoned_datetime(tz)).unwrap_or_default()
}

/// The patch text. `commit` is the commit id when the patch comes from one.
pub fn render(
    msg: &CommitMessage,
    from: &Identity,
    commit: Option<&str>,
    extra_trailers: &[(String, String)],
    diffs: &[FileDiff],
) -> Vec<u8> {
    let full = msg.text(extra_trailers);
    let body = full
        .split_once('\n')
        .map_or("", |(_, rest)| rest)
        .trim_start_matches('\n');
    let mut out = format!(
        "From {} Mon Sep 17 00:00:00 2001\nFrom: {} <{}>\nDate: {}\nSubject: [PATCH] {}\n\n{}---\n{}\n",
        commit.unwrap_or("0000000000000000000000000000000000000000"),
        from.name,
        from.email,
        rfc2822(from.time),
        msg.subject,
        body,
        unidiff::diffstat(diffs).trim_end_matches('\n'),
    )
    .into_bytes();
    out.push(b'\n');
    out.extend(unidiff::render(diffs, false));
    out.extend(format!("-- \nshadowfix {}\n\n", env!("CARGO_PKG_VERSION")).into_bytes());
    out
}

/// Writes `<dir>/<NNNN>-<slug>.patch`, creating `dir` if needed, whole or
/// not at all (through a temporary file renamed into place).
#[allow(clippy::too_many_arguments)]
pub fn write(
    dir: &Path,
    number: usize,
    msg: &CommitMessage,
    from: &Identity,
    commit: Option<&str>,
    extra_trailers: &[(String, String)],
    diffs: &[FileDiff],
) -> std::io::Result<PathBuf> {
    std::fs::create_dir_all(dir)?;
    let path = dir.join(format!("{number:04}-{}.patch", slug(&msg.subject)));
    write_atomically(&path, &render(msg, from, commit, extra_trailers, diffs))?;
    Ok(path)
}

/// Writes `bytes` to a synced temporary file in `path`'s directory and
/// renames it over `path`. A failure (disk full, a file size limit) leaves
/// no truncated file and keeps a patch already there as it was; the
/// temporary file is deleted when it is dropped.
fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let mut builder = tempfile::Builder::new();
    builder.prefix(".shadowfix-").suffix(".patch.tmp");
    // What `fs::write` would give a new file (0666 less the umask), not
    // tempfile's private 0600: a patch is meant to be read by the build.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        builder.permissions(std::fs::Permissions::from_mode(0o666));
    }
    let mut temp = builder.tempfile_in(dir)?;
    temp.write_all(bytes)?;
    temp.as_file().sync_all()?;
    temp.persist(path).map_err(|e| e.error)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slug_like_git() {
        assert_eq!(
            slug("ScaleIO: rename private attach/detach helpers"),
            "ScaleIO-rename-private-attach-detach-helpers"
        );
        assert_eq!(slug("  Fix: (x)  "), "Fix-x");
    }

    #[test]
    fn date_header_format() {
        assert_eq!(rfc2822((0, 0)), "Thu, 1 Jan 1970 00:00:00 +0000");
        assert_eq!(rfc2822((1_700_000_000, 60)), "Tue, 14 Nov 2023 23:13:20 +0100");
    }
}
