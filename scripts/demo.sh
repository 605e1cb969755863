#!/usr/bin/env bash
# `make demo`: pretrain on Fashion-MNIST with the defaults, then the linear probe of the SSL encoder
# next to the same probe on raw pixels and on a randomly initialised encoder.
set -euo pipefail
out="runs/demo-$(date +%Y%m%d-%H%M%S)"
start=$(date +%s)
# bf16 where the CPU has it (--precision auto; fp32 elsewhere). Width 32 for 4 epochs within the 15-minute budget (which
# stops it early on slower machines): the README's "make demo" paragraph lists the trial runs behind this choice.
./selfsup pretrain --out "$out" --width 32 --epochs 4 --precision auto --time-budget 15 --crop-scale 0.4,1 --baselines "$@"
echo "demo finished in $(( $(date +%s) - start )) s; run directory: $out (summary.json, metrics.jsonl, checkpoints/)"
