#!/usr/bin/env bash
# `make demo`: pretrain on Fashion-MNIST with the defaults, then the linear probe of the SSL encoder
# next to the same probe on raw pixels and on a randomly initialised encoder.
set -euo pipefail
out="runs/demo-$(date +%Y%m%d-%H%M%S)"
start=$(date +%s)
./selfsup pretrain --out "$out" --baselines "$@"
echo "demo finished in $(( $(date +%s) - start )) s; run directory: $out (summary.json, metrics.jsonl, checkpoints/)"
