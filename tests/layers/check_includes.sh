#!/usr/bin/env bash
# Checks the layer rule of docs/architecture.md on the sources: a file in a library folder
# includes project headers only from its own folder and the folders below it.
#   check_includes.sh SOURCE_DIR     prints every violation ("file:line: folder may not include X"), exit 1 if any
#   check_includes.sh --self-test    runs the check on a made-up tree with one upward include; passes if it fails
set -uo pipefail

allowed() {  # folder -> the folders it may include
  case "$1" in
    tensor) echo "tensor" ;;
    cuda) echo "cuda tensor" ;;
    autograd) echo "autograd tensor" ;;
    weights) echo "weights tensor" ;;
    nn) echo "nn autograd weights tensor" ;;
    losses) echo "losses nn autograd weights tensor" ;;
    apps) echo "apps losses nn autograd weights tensor" ;;
  esac
}

check() {
  local root="$1" bad=0 folder file line inc target
  for folder in tensor cuda autograd weights nn losses apps; do
    [ -d "$root/$folder" ] || continue
    while IFS= read -r file; do
      while IFS=: read -r line inc; do
        target="${inc#*\"}"
        target="${target%%/*}"
        if [[ " $(allowed "$folder") " != *" $target "* ]]; then
          echo "${file#"$root"/}:$line: $folder/ may not include \"${inc#*\"}"
          bad=1
        fi
      done < <(grep -n '^[[:space:]]*#[[:space:]]*include[[:space:]]*"[a-z_]*/' "$file" | sed 's/:.*#[[:space:]]*include[[:space:]]*/:/')
    done < <(find "$root/$folder" -type f \( -name '*.h' -o -name '*.cpp' -o -name '*.cu' -o -name '*.cuh' -o -name '*.inc' \))
  done
  return $bad
}

if [ "${1:-}" = "--self-test" ]; then
  tmp="$(mktemp -d)"
  trap 'rm -rf "$tmp"' EXIT
  mkdir -p "$tmp/tensor" "$tmp/nn"
  printf '#include "tensor/tensor.h"\n' >"$tmp/nn/ok.cpp"
  printf '#include "tensor/tensor.h"\n#include "autograd/var.h"\n' >"$tmp/tensor/up.cpp"
  if out="$(check "$tmp")"; then
    echo "self-test FAILED: an upward include (tensor/ -> autograd/) was not reported"
    exit 1
  fi
  [ "$out" = 'tensor/up.cpp:2: tensor/ may not include "autograd/var.h"' ] || { echo "self-test FAILED: got: $out"; exit 1; }
  echo "self-test passed: $out"
  exit 0
fi
check "${1:?usage: check_includes.sh SOURCE_DIR | --self-test}" && echo "layers: no upward include"
