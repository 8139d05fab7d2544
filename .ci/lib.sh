# Sourced by the .ci/check-* scripts, after they set `ci_step` and cd to the
# repository root: say what is done, fail loudly, a scratch directory.

say() { echo "ci[$ci_step]: $*"; }
die() {
  echo "ci[$ci_step]: FAILED: $*" >&2
  exit 1
}
# Echoes a command, then runs it.
run() {
  say "\$ $*"
  "$@"
}

ci_tmp=$(mktemp -d "${TMPDIR:-/tmp}/shadowfix-ci-$ci_step.XXXXXX")
# KEEP_CI_TMP=1 keeps it for a post-mortem.
trap '[ -n "${KEEP_CI_TMP:-}" ] && say "kept $ci_tmp" || rm -rf "$ci_tmp"' EXIT

# The package version, from Cargo.toml.
version=$(cargo pkgid | sed 's/.*[#@]//')
