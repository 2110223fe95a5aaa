#!/usr/bin/env bash
# Build mediasoup-worker from the source inside the mediasoup npm package,
# against Debian's libraries, with no network access beyond the npm registry.
#
#   build.sh <mediasoup version> <output binary path>
#
# The caller (scripts/setup) caches the output outside the clone, keyed by the
# version and a hash of this folder, so the ~6-minute compile runs once per machine.
set -euo pipefail

version="$1"
out="$2"
here="$(cd "$(dirname "$0")" && pwd)"
work="$(mktemp -d "${TMPDIR:-/tmp}/branchedge-mediasoup-XXXXXX")"
trap 'rm -rf "$work"' EXIT

echo "   fetching mediasoup@$version source from the npm registry"
(cd "$work" && npm pack "mediasoup@$version" --silent >/dev/null)
tar xzf "$work"/mediasoup-*.tgz -C "$work"
src="$work/package/worker"

echo "   adapting the worker source to Debian's libuv, OpenSSL, libsrtp2, abseil, flatbuffers"
python3 "$here/patch-worker.py" "$src" "$here/compat"

echo "   meson setup (subproject downloads disabled)"
meson setup --wrap-mode=nodownload --buildtype release -Db_ndebug=true "$work/build" "$src" >"$work/meson-setup.log" 2>&1 \
  || { cat "$work/meson-setup.log" >&2; exit 1; }

jobs="${BRANCHEDGE_BUILD_JOBS:-$(nproc)}"
echo "   compiling with $jobs jobs (about 6 minutes on 2 cores)"
start=$(date +%s)
# the flatbuffers headers are generated first: the worker target does not depend on them explicitly
meson compile -C "$work/build" flatbuffers-generator >"$work/compile.log" 2>&1 \
  && meson compile -C "$work/build" -j "$jobs" mediasoup-worker >>"$work/compile.log" 2>&1 \
  || { tail -n 60 "$work/compile.log" >&2; exit 1; }
echo "   compiled in $(( $(date +%s) - start )) s"

mkdir -p "$(dirname "$out")"
install -m 0755 "$work/build/mediasoup-worker" "$out.tmp"
mv "$out.tmp" "$out"   # atomic: a half-written binary is never taken from the cache
