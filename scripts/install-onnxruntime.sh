#!/usr/bin/env bash
# Installs the onnxruntime 1.24.1 shared library (Linux x86-64, CPU) that
# resc's ONNX backend runs models with ('resc run', the onnxruntime tests).
#
# The library comes from the npm package onnxruntime-node@1.24.1, fetched with
# 'npm pack' from the npm registry and checked against the registry's
# integrity hash. Nothing is downloaded from anywhere else and none of the
# package's install scripts run: the one file
#   package/bin/napi-v6/linux/x64/libonnxruntime.so.1
# is extracted from the tarball into
#   ${XDG_CACHE_HOME:-~/.cache}/resc/onnxruntime-1.24.1/libonnxruntime.so.1
# which is where resc looks when neither --ort-lib nor $ONNXRUNTIME_LIB is set.
# This library has no CUDA execution provider of its own (onnxruntime-node's
# install script would fetch that separately); resc runs it on the CPU.
#
# Usage: scripts/install-onnxruntime.sh [--force]
# Idempotent: when the file is already there with the expected checksum it
# does nothing. Needs npm (and its node), tar, od and sha256sum.
set -euo pipefail

version=1.24.1
pkg="onnxruntime-node@${version}"
member=package/bin/napi-v6/linux/x64/libonnxruntime.so.1
# The registry's dist.integrity for onnxruntime-node-1.24.1.tgz.
tgz_integrity='sha512-Ex/oUXKdhDoxvlNxBT3oYtW0MH88yYpPlXQeVQUXpcJQmN24usd/8RCoPLN5kCHwDsiZ+nqsnjciyFRl423dQw=='
# sha256 of the extracted libonnxruntime.so.1.
lib_sha256=53ef1ac028dd1b05554b8da28d9159eb3876f99868193d2aaa6e67f0243c23d4

cache="${XDG_CACHE_HOME:-}"
if [ -z "$cache" ]; then
  if [ -z "${HOME:-}" ]; then
    echo "install-onnxruntime: neither XDG_CACHE_HOME nor HOME is set" >&2
    exit 1
  fi
  cache="$HOME/.cache"
fi
dest_dir="$cache/resc/onnxruntime-${version}"
dest="$dest_dir/libonnxruntime.so.1"

force=0
case "${1:-}" in
  "") ;;
  --force) force=1 ;;
  -h|--help) sed -n '2,18p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
  *) echo "install-onnxruntime: unknown argument $1 (usage: $0 [--force])" >&2; exit 2 ;;
esac

die() { echo "install-onnxruntime: $*" >&2; exit 1; }

# is_elf_shared_object FILE: the ELF magic, 64-bit, little-endian, and
# e_type ET_DYN (3), read from the header bytes.
is_elf_shared_object() {
  local f=$1 magic class data etype
  [ -f "$f" ] && [ "$(stat -c %s "$f")" -ge 64 ] || return 1
  magic=$(od -An -N4 -tx1 "$f" | tr -d ' \n')
  class=$(od -An -j4 -N1 -tu1 "$f" | tr -d ' \n')
  data=$(od -An -j5 -N1 -tu1 "$f" | tr -d ' \n')
  etype=$(od -An -j16 -N2 -tu2 --endian=little "$f" | tr -d ' \n')
  [ "$magic" = 7f454c46 ] && [ "$class" = 2 ] && [ "$data" = 1 ] && [ "$etype" = 3 ]
}

valid() {
  is_elf_shared_object "$1" && [ "$(sha256sum "$1" | cut -d' ' -f1)" = "$lib_sha256" ]
}

if [ "$force" = 0 ] && valid "$dest"; then
  echo "onnxruntime ${version} is already installed: $dest"
  exit 0
fi

case "$(uname -s)/$(uname -m)" in
  Linux/x86_64) ;;
  *) die "this script installs the Linux x86-64 library; on $(uname -s)/$(uname -m) get onnxruntime ${version} elsewhere and set ONNXRUNTIME_LIB to its path" ;;
esac
command -v npm >/dev/null || die "npm is not installed (on Debian: apt-get install npm)"
for tool in node tar sha256sum od; do
  command -v "$tool" >/dev/null || die "$tool is not installed"
done

tmp=$(mktemp -d)
part=
trap 'rm -rf "$tmp"; [ -z "$part" ] || rm -f "$part"' EXIT

echo "== npm pack $pkg (no install scripts run)"
(cd "$tmp" && npm pack --ignore-scripts --silent "$pkg" >/dev/null) || die "npm pack $pkg failed"
tgz=$(find "$tmp" -maxdepth 1 -name 'onnxruntime-node-*.tgz' | head -n1)
[ -n "$tgz" ] || die "npm pack produced no tarball"

# npm's integrity string, computed with the node that runs npm.
got=$(node -e 'const c = require("crypto"), fs = require("fs");
process.stdout.write("sha512-" + c.createHash("sha512").update(fs.readFileSync(process.argv[1])).digest("base64"))' "$tgz")
[ "$got" = "$tgz_integrity" ] || die "the tarball's integrity $got is not the registry's $tgz_integrity"

tar -xzf "$tgz" -C "$tmp" "$member" || die "$member is not in the tarball"
lib="$tmp/$member"
is_elf_shared_object "$lib" || die "$member is not an x86-64 ELF shared object"
[ "$(sha256sum "$lib" | cut -d' ' -f1)" = "$lib_sha256" ] || die "$member has an unexpected sha256"

mkdir -p "$dest_dir"
# Copy next to the target, then rename: a reader never sees half a file.
part=$(mktemp "$dest_dir/.libonnxruntime.so.1.XXXXXX")
cp "$lib" "$part"
chmod 0644 "$part"
mv -f "$part" "$dest"
part=

valid "$dest" || die "the installed $dest did not verify"
echo "installed onnxruntime ${version}: $dest"
