//! Who a commit is by and when, decided the way git decides it: the
//! `GIT_AUTHOR_*` / `GIT_COMMITTER_*` variables, then the `author.*`,
//! `committer.*` and `user.*` config, then `EMAIL`; dates in git's raw,
//! RFC 2822 and ISO 8601 forms. libgit2 reads neither the variables nor
//! their dates, so this is done here.

use git2::{Repository, Signature, Time};

use super::GitError;
use crate::deliver::patchfile::Identity;

/// Who the commit is by and who commits it, as git decides: `GIT_AUTHOR_*` /
/// `GIT_COMMITTER_*`, then `author.*` / `committer.*`, then `user.*` from
/// the config, then `EMAIL` for the address; the dates from
/// `GIT_AUTHOR_DATE` / `GIT_COMMITTER_DATE`, else now.
#[derive(Debug, Clone)]
pub struct Identities {
    pub author: Identity,
    pub committer: Identity,
}

pub fn identities(repo: &Repository) -> Result<Identities, GitError> {
    // A snapshot: a consistent read even if the config changes meanwhile.
    let config = repo.config().and_then(|mut c| c.snapshot()).ok();
    let lookup = |key: &str| -> Option<String> {
        config
            .as_ref()
            .and_then(|c| c.get_string(key).ok())
            .filter(|v| !v.trim().is_empty())
    };
    let env = |var: &str| std::env::var(var).ok().filter(|v| !v.trim().is_empty());
    let now = now();
    let person = |role: &'static str, env_role: &'static str| -> Result<Identity, GitError> {
        let name = env(&format!("GIT_{env_role}_NAME"))
            .or_else(|| lookup(&format!("{role}.name")))
            .or_else(|| lookup("user.name"))
            .ok_or(GitError::NoIdentity {
                role,
                field: "name",
                env: env_role,
                upper: "NAME",
            })?;
        let email = env(&format!("GIT_{env_role}_EMAIL"))
            .or_else(|| lookup(&format!("{role}.email")))
            .or_else(|| lookup("user.email"))
            .or_else(|| env("EMAIL"))
            .ok_or(GitError::NoIdentity {
                role,
                field: "email",
                env: env_role,
                upper: "EMAIL",
            })?;
        let date_var = if env_role == "AUTHOR" {
            "GIT_AUTHOR_DATE"
        } else {
            "GIT_COMMITTER_DATE"
        };
        let time = match env(date_var) {
            Some(v) => parse_date(&v).ok_or(GitError::BadDate {
                var: date_var,
                value: v,
            })?,
            None => now,
        };
        Ok(Identity {
            name: name.trim().to_string(),
            email: email.trim().to_string(),
            time,
        })
    };
    Ok(Identities {
        author: person("author", "AUTHOR")?,
        committer: person("committer", "COMMITTER")?,
    })
}

/// Now, with the local UTC offset in minutes (what git records).
fn now() -> (i64, i32) {
    let z = jiff::ZonedDateTime::now();
    (z.timestamp().as_second(), z.offset().seconds() / 60)
}

/// Parses a date the way git's `GIT_*_DATE` accept the common forms:
/// `@<unix> <+hhmm>`, `<unix> <+hhmm>` (git's internal format; the offset
/// may be left out for UTC), RFC 2822 (`Thu, 07 Apr 2005 22:13:13 +0200`)
/// and ISO 8601 (`2005-04-07T22:13:13+02:00`, also with a space and
/// `+0200`; without an offset, the local time zone). Returns seconds since
/// the epoch and the offset in minutes.
pub fn parse_date(s: &str) -> Option<(i64, i32)> {
    let s = s.trim();
    if let Some(t) = parse_raw_date(s.strip_prefix('@').unwrap_or(s)) {
        return Some(t);
    }
    if let Ok(z) = jiff::fmt::rfc2822::parse(s) {
        return Some((z.timestamp().as_second(), z.offset().seconds() / 60));
    }
    parse_iso_date(s)
}

fn parse_raw_date(s: &str) -> Option<(i64, i32)> {
    let mut parts = s.split_whitespace();
    let secs_text = parts.next()?;
    if secs_text.is_empty() || !secs_text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let secs: i64 = secs_text.parse().ok()?;
    let offset = match parts.next() {
        Some(o) => parse_offset(o)?,
        None => 0,
    };
    if parts.next().is_some() {
        return None;
    }
    Some((secs, offset))
}

/// `+hhmm`, `-hhmm` or `+hh:mm`, in minutes.
fn parse_offset(o: &str) -> Option<i32> {
    let (sign, rest) = match o.as_bytes().first()? {
        b'+' => (1, &o[1..]),
        b'-' => (-1, &o[1..]),
        _ => return None,
    };
    let digits: String = rest.chars().filter(|c| *c != ':').collect();
    if digits.len() != 4 || !digits.bytes().all(|b| b.is_ascii_digit()) || rest.len() > 5 {
        return None;
    }
    let h: i32 = digits[..2].parse().ok()?;
    let m: i32 = digits[2..].parse().ok()?;
    if m >= 60 || h > 23 {
        return None;
    }
    Some(sign * (h * 60 + m))
}

fn parse_iso_date(s: &str) -> Option<(i64, i32)> {
    use jiff::fmt::temporal::{Pieces, PiecesOffset};
    // `2005-04-07 22:13:13 +0200` (git's ISO-like form): glue the offset on.
    let glued = match s.rsplit_once(' ') {
        Some((dt, off)) if parse_offset(off).is_some() => format!("{dt}{off}"),
        _ => s.to_string(),
    };
    let pieces = Pieces::parse(&glued).ok()?;
    let datetime = pieces.date().to_datetime(pieces.time().unwrap_or_default());
    let tz = match pieces.offset() {
        Some(PiecesOffset::Zulu) => jiff::tz::TimeZone::UTC,
        Some(PiecesOffset::Numeric(n)) => n.offset().to_time_zone(),
        Some(_) => return None,
        None => match pieces.to_time_zone().ok().flatten() {
            Some(tz) => tz,
            None => jiff::tz::TimeZone::system(),
        },
    };
    let z = datetime.to_zoned_datetime(tz).ok()?;
    Some((z.timestamp().as_second(), z.offset().seconds() / 60))
}

/// The libgit2 signature for an identity.
pub fn signature(who: &Identity, what: &'static str) -> Result<Signature<'static>, GitError> {
    Signature::new(&who.name, &who.email, &Time::new(who.time.0, who.time.1)).map_err(|source| GitError::BadSignature {
        what,
        value: format!("{} <{}>", who.name, who.email),
        reason: source.message().to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn raw_dates() {
        assert_eq!(parse_date("@1700000000 +0100"), Some((1_700_000_000, 60)));
        assert_eq!(parse_date("1700000000 -0530"), Some((1_700_000_000, -330)));
        assert_eq!(parse_date("@1700000000"), Some((1_700_000_000, 0)));
        assert_eq!(parse_date("1700000000 +01"), None);
        assert_eq!(parse_date("yesterday"), None);
    }

    #[test]
    fn rfc2822_and_iso_dates() {
        assert_eq!(parse_date("Tue, 14 Nov 2023 23:13:20 +0100"), Some((1_700_000_000, 60)));
        assert_eq!(parse_date("2023-11-14T23:13:20+01:00"), Some((1_700_000_000, 60)));
        assert_eq!(parse_date("2023-11-14 23:13:20 +0100"), Some((1_700_000_000, 60)));
        assert_eq!(parse_date("2023-11-14T22:13:20Z"), Some((1_700_000_000, 0)));
    }
}
