//! A content-addressed cache of per-file facts: what the parse stage
//! extracts from one file's bytes (a [`Module`]) depends on nothing else, so
//! it is stored under a key made of the bytes' hash, shadowfix's version and
//! the grammar's, and a later run that meets the same bytes (a warm scan,
//! another revision of the same file in `history`) reads the facts instead
//! of parsing.
//!
//! Entries are files under `<dir>/v1/<2 hex>/<hex>`: a magic header, the
//! full key, a checksum and the facts serialised with postcard. A reader
//! trusts nothing: a missing, short, foreign, corrupt or undecodable entry
//! is a miss, and the facts are parsed and written again. Writers go
//! through a temporary file and a rename, so readers never see half an
//! entry and several processes may share the directory. The directory is
//! kept under a size bound by deleting the least recently written entries.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use crate::scan::syntax::Module;

/// Bumped when the layout of entries changes (not for new facts: the
/// version in the key covers those).
const LAYOUT: &str = "v1";
const MAGIC: &[u8; 8] = b"SHDWFX01";

/// The tree-sitter-python release the facts were extracted with. A test
/// checks it against Cargo.lock, so a grammar update cannot reuse facts
/// extracted by the old one.
pub const GRAMMAR: &str = "tree-sitter-python 0.25.0";

/// The source of the fact types, part of every key.
const FACT_TYPES: &str = include_str!("syntax.rs");

/// The default bound on the cache's size.
pub const DEFAULT_MAX_BYTES: u64 = 1 << 30;

/// Where facts are kept, and how often they were found.
#[derive(Debug)]
pub struct FactCache {
    dir: PathBuf,
    max_bytes: u64,
    hits: AtomicU64,
    misses: AtomicU64,
    written: AtomicU64,
}

impl FactCache {
    /// A cache in `dir` (created on first write).
    pub fn new(dir: PathBuf) -> FactCache {
        FactCache {
            dir,
            max_bytes: DEFAULT_MAX_BYTES,
            hits: AtomicU64::new(0),
            misses: AtomicU64::new(0),
            written: AtomicU64::new(0),
        }
    }

    /// Sets the size bound pruning keeps the directory under.
    pub fn with_max_bytes(mut self, max_bytes: u64) -> FactCache {
        self.max_bytes = max_bytes;
        self
    }

    /// The user's cache directory for shadowfix (`$XDG_CACHE_HOME/shadowfix`
    /// on Linux), if the platform has one.
    pub fn default_dir() -> Option<PathBuf> {
        dirs::cache_dir().map(|d| d.join("shadowfix"))
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// (hits, misses, entries written) so far.
    pub fn stats(&self) -> (u64, u64, u64) {
        (
            self.hits.load(Ordering::Relaxed),
            self.misses.load(Ordering::Relaxed),
            self.written.load(Ordering::Relaxed),
        )
    }

    /// The facts of `bytes`: read from the cache, or made by `parse` and
    /// stored.
    pub fn facts(&self, bytes: &[u8], parse: impl FnOnce(&[u8]) -> Module) -> Module {
        let key = key(bytes);
        let path = self.entry_path(&key);
        if let Some(module) = read_entry(&path, &key) {
            self.hits.fetch_add(1, Ordering::Relaxed);
            return module;
        }
        self.misses.fetch_add(1, Ordering::Relaxed);
        let module = parse(bytes);
        // A cache that cannot be written is no reason to fail a scan.
        if write_entry(&path, &key, &module).is_ok() {
            self.written.fetch_add(1, Ordering::Relaxed);
        }
        module
    }

    fn entry_path(&self, key: &blake3::Hash) -> PathBuf {
        let hex = key.to_hex();
        self.dir.join(LAYOUT).join(&hex[..2]).join(&hex[2..])
    }

    /// Deletes the least recently written entries (and stray temporary
    /// files) until the directory holds at most 80% of the bound; only
    /// when it is over the bound. Returns the bytes freed.
    pub fn prune(&self) -> u64 {
        let root = self.dir.join(LAYOUT);
        let mut entries: Vec<(std::time::SystemTime, u64, PathBuf)> = Vec::new();
        let mut total = 0u64;
        let Ok(shards) = std::fs::read_dir(&root) else {
            return 0;
        };
        for shard in shards.flatten() {
            let Ok(files) = std::fs::read_dir(shard.path()) else {
                continue;
            };
            for file in files.flatten() {
                let Ok(meta) = file.metadata() else { continue };
                total += meta.len();
                let written = meta.modified().unwrap_or(std::time::UNIX_EPOCH);
                entries.push((written, meta.len(), file.path()));
            }
        }
        if total <= self.max_bytes {
            return 0;
        }
        entries.sort();
        let target = self.max_bytes / 10 * 8;
        let mut freed = 0;
        for (_, len, path) in entries {
            if total - freed <= target {
                break;
            }
            if std::fs::remove_file(&path).is_ok() {
                freed += len;
            }
        }
        freed
    }
}

/// The key of a file's facts: its bytes, and everything that decides what
/// is extracted from them.
fn key(bytes: &[u8]) -> blake3::Hash {
    key_for(env!("CARGO_PKG_VERSION"), bytes)
}

fn key_for(version: &str, bytes: &[u8]) -> blake3::Hash {
    let mut h = blake3::Hasher::new();
    h.update(version.as_bytes());
    h.update(b"\0");
    h.update(GRAMMAR.as_bytes());
    h.update(b"\0");
    // The facts' type definitions: a build from a work tree between two
    // releases keeps its version but may change the layout postcard
    // writes, which a reader cannot detect from the bytes alone.
    h.update(blake3::hash(FACT_TYPES.as_bytes()).as_bytes());
    h.update(b"\0");
    h.update(bytes);
    h.finalize()
}

/// An entry: magic, key, checksum of the payload, payload.
fn read_entry(path: &Path, key: &blake3::Hash) -> Option<Module> {
    let data = std::fs::read(path).ok()?;
    let rest = data.strip_prefix(MAGIC.as_slice())?;
    let (stored_key, rest) = rest.split_at_checked(32)?;
    if stored_key != key.as_bytes() {
        return None;
    }
    let (checksum, payload) = rest.split_at_checked(32)?;
    if blake3::hash(payload).as_bytes() != checksum {
        return None;
    }
    postcard::from_bytes(payload).ok()
}

fn write_entry(path: &Path, key: &blake3::Hash, module: &Module) -> std::io::Result<()> {
    let payload = postcard::to_allocvec(module).map_err(std::io::Error::other)?;
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir)?;
    let mut tmp = tempfile::Builder::new().prefix(".tmp-").tempfile_in(dir)?;
    tmp.write_all(MAGIC)?;
    tmp.write_all(key.as_bytes())?;
    tmp.write_all(blake3::hash(&payload).as_bytes())?;
    tmp.write_all(&payload)?;
    // No fsync: an entry lost in a crash is only a miss next time, and a
    // torn one fails its checksum.
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scan::parse::parse_module;

    const SRC: &[u8] = b"class A(object):\n    def f(self, x):\n        return self.g(x, k=1)\n";

    #[test]
    fn second_read_is_a_hit_with_the_same_facts() {
        let tmp = tempfile::tempdir().unwrap();
        let cache = FactCache::new(tmp.path().to_path_buf());
        let first = cache.facts(SRC, parse_module);
        let second = cache.facts(SRC, |_| panic!("must not parse again"));
        assert_eq!(format!("{first:?}"), format!("{second:?}"));
        assert_eq!(cache.stats(), (1, 1, 1));
    }

    #[test]
    fn another_shadowfix_version_is_another_key() {
        assert_ne!(key_for("0.1.0", SRC), key_for("0.2.0", SRC));
        assert_eq!(key(SRC), key_for(env!("CARGO_PKG_VERSION"), SRC));
    }

    #[test]
    fn changed_bytes_are_a_new_key() {
        let tmp = tempfile::tempdir().unwrap();
        let cache = FactCache::new(tmp.path().to_path_buf());
        cache.facts(SRC, parse_module);
        let other = [SRC, b"x = 1\n"].concat();
        cache.facts(&other, parse_module);
        assert_eq!(cache.stats(), (0, 2, 2));
    }

    #[test]
    fn a_corrupt_or_foreign_entry_is_ignored_and_rewritten() {
        let tmp = tempfile::tempdir().unwrap();
        let cache = FactCache::new(tmp.path().to_path_buf());
        let good = cache.facts(SRC, parse_module);
        let path = cache.entry_path(&key(SRC));
        for damage in [b"garbage".to_vec(), Vec::new(), {
            let mut d = std::fs::read(&path).unwrap();
            let last = d.len() - 1;
            d[last] ^= 0xff;
            d
        }] {
            std::fs::write(&path, &damage).unwrap();
            let again = cache.facts(SRC, parse_module);
            assert_eq!(format!("{good:?}"), format!("{again:?}"));
            // Rewritten whole: the next read is a hit.
            cache.facts(SRC, |_| panic!("the entry was rewritten"));
        }
    }

    #[test]
    fn pruning_keeps_the_directory_under_its_bound() {
        let tmp = tempfile::tempdir().unwrap();
        let cache = FactCache::new(tmp.path().to_path_buf()).with_max_bytes(2_000);
        for i in 0..40 {
            cache.facts(format!("x{i} = {i}\nclass C{i}: pass\n").as_bytes(), parse_module);
        }
        assert!(cache.prune() > 0);
        let total: u64 = walkdir(tmp.path());
        assert!(total <= 2_000, "{total}");
    }

    fn walkdir(dir: &Path) -> u64 {
        let mut total = 0;
        for e in std::fs::read_dir(dir).unwrap().flatten() {
            let meta = e.metadata().unwrap();
            total += if meta.is_dir() { walkdir(&e.path()) } else { meta.len() };
        }
        total
    }

    #[test]
    fn grammar_constant_matches_the_locked_version() {
        let lock = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("Cargo.lock")).unwrap();
        let at = lock.find("name = \"tree-sitter-python\"").unwrap();
        let version = lock[at..].lines().nth(1).unwrap();
        assert_eq!(
            format!(
                "tree-sitter-python {}",
                version.trim_start_matches("version = ").trim_matches('"')
            ),
            GRAMMAR
        );
    }
}
