#!/usr/bin/env bash
# Makes Source0 of dist/shadowfix.spec: the git tree at REV plus every crate
# it needs, vendored, so that rpmbuild builds with no network.
#
#   dist/make-srpm-sources.sh OUTDIR [REV]     (REV: default HEAD)
#
# writes OUTDIR/shadowfix-VERSION.tar.gz, VERSION being Cargo.toml's at REV,
# holding shadowfix-VERSION/ with `git archive REV`, vendor/ (`cargo vendor
# --locked`, which needs crates.io or a filled ~/.cargo/registry) and
# .cargo/config.toml pointing cargo at vendor/. Prints the tarball's path.
# The same REV gives the same tarball (ordered entries, the commit's time,
# no owners, gzip without a timestamp).
set -euo pipefail

die() {
  echo "make-srpm-sources: $*" >&2
  exit 1
}

[ $# -ge 1 ] && [ $# -le 2 ] || die "usage: $0 OUTDIR [REV]"
outdir=$1
rev=${2:-HEAD}
repo=$(git -C "$(dirname "$0")" rev-parse --show-toplevel)
commit=$(git -C "$repo" rev-parse --verify "$rev^{commit}") || die "no such revision: $rev"
git -C "$repo" cat-file -e "$commit:Cargo.lock" || die "$rev has no Cargo.lock to vendor from"
git -C "$repo" cat-file -e "$commit:.cargo/config.toml" 2>/dev/null \
  && die "$rev has its own .cargo/config.toml; merge the vendoring into it instead of replacing it"
# The [package] version: the first `version = "..."` line of Cargo.toml.
version=$(git -C "$repo" show "$commit:Cargo.toml" | sed -n 's/^version = "\(.*\)"$/\1/p' | head -n 1)
[ -n "$version" ] || die "no version in $rev:Cargo.toml"
name=shadowfix-$version

scratch=$(mktemp -d "${TMPDIR:-/tmp}/make-srpm-sources.XXXXXX")
trap 'rm -rf "$scratch"' EXIT
tree=$scratch/$name

echo "make-srpm-sources: git archive $rev ($commit) -> $name/" >&2
git -C "$repo" archive --format=tar --prefix="$name/" "$commit" | tar -x -C "$scratch"

echo "make-srpm-sources: cargo vendor --locked -> $name/vendor/" >&2
# No CARGO_TARGET_DIR games here: vendoring builds nothing.
(cd "$tree" && cargo vendor --locked --versioned-dirs --quiet vendor >/dev/null) \
  || die "cargo vendor failed (it needs crates.io, or every crate in ~/.cargo/registry)"
mkdir "$tree/.cargo"
cat >"$tree/.cargo/config.toml" <<'TOML'
# Written by dist/make-srpm-sources.sh: every crate comes from vendor/, so
# `cargo build --offline --locked` needs no network.
[source.crates-io]
replace-with = "vendored-sources"

[source.vendored-sources]
directory = "vendor"
TOML

mkdir -p "$outdir"
tarball=$(cd "$outdir" && pwd)/$name.tar.gz
mtime=$(git -C "$repo" log -1 --format=%ct "$commit")
tar -C "$scratch" --sort=name --mtime="@$mtime" --owner=0 --group=0 --numeric-owner \
  -cf - "$name" | gzip -9n >"$tarball"
echo "$tarball"
