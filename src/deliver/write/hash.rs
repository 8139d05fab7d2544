//! Content hashes: how a replace proves that a file still holds the bytes
//! the fix was computed from, and how the journal tells, after a crash,
//! whether a file holds its original or its new contents. The hash is git's
//! blob id (SHA-1 over `blob <len>\0<bytes>`), stable across versions of
//! shadowfix and of Rust, and the one `git hash-object FILE` prints, so a
//! journal can be checked by hand.

use std::fmt;

#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct ContentHash(git2::Oid);

impl ContentHash {
    pub fn of(bytes: &[u8]) -> ContentHash {
        // Hashing bytes in memory does not fail; the zero id, which no
        // content hashes to, would only make a comparison fail safe.
        ContentHash(git2::Oid::hash_object(git2::ObjectType::Blob, bytes).unwrap_or(git2::Oid::ZERO_SHA1))
    }

    /// Parses the 40 hex digits [`Display`](fmt::Display) writes.
    pub fn parse(hex: &str) -> Option<ContentHash> {
        if hex.len() != 40 {
            return None;
        }
        git2::Oid::from_str(hex).ok().map(ContentHash)
    }
}

impl fmt::Display for ContentHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

impl fmt::Debug for ContentHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ContentHash({})", self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_hash_is_gits_blob_id() {
        // `printf 'hello\n' | git hash-object --stdin`
        let h = ContentHash::of(b"hello\n");
        assert_eq!(h.to_string(), "ce013625030ba8dba906f756967f9e9ca394464a");
        assert_eq!(ContentHash::parse(&h.to_string()), Some(h));
        assert_eq!(ContentHash::parse("ce01"), None);
        assert_ne!(ContentHash::of(b""), h);
    }
}
