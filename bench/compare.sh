#!/usr/bin/env bash
# Alternates SelfSup and PyTorch (Debian's python3-torch with OpenBLAS) on the bench step and the width-16
# Fashion-MNIST step, fp32 and bf16, ROUNDS times, and prints every figure then the medians and ratios.
# Usage: bench/compare.sh [ROUNDS=3] [STEPS=10]. Nothing else should run meanwhile (see shared/BENCHMARKS.md).
# PYTORCH_MALLOC=1 also times PyTorch with the glibc settings SelfSup applies to itself (src/SelfSup/NativeHeap.cs).
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-3}; steps=${2:-10}
py=/usr/bin/python3
$py -c "import torch" 2>/dev/null || { echo "needs Debian's PyTorch: apt-get install python3-torch python3-torchvision libopenblas0-pthread" >&2; exit 2; }
declare -A configs=(
  [bench]=""
  [w16]="--width 16 --batch 256 --image 28 --channels 1 --proj-dim 64"
)
out=$(mktemp)
rate() { tail -1 | sed 's/images_per_s=//'; }
programs=(selfsup pytorch); [ "${PYTORCH_MALLOC:-0}" = 1 ] && programs+=(pytorch-malloc)
for r in $(seq "$rounds"); do
  for c in bench w16; do
    for p in fp32 bf16; do
      flag=""; [ "$p" = bf16 ] && flag="--bf16"
      # each round starts with another program, so none always runs first (or last) on a warming, drifting machine
      for k in $(seq 0 $((${#programs[@]} - 1))); do
        prog=${programs[$(( (k + r - 1) % ${#programs[@]} ))]}
        case $prog in
          selfsup) rate_now=$(./selfsup bench step ${configs[$c]} --steps "$steps" --precision "$p" 2>/dev/null | rate) ;;
          pytorch) rate_now=$($py bench/pytorch/bench_step.py ${configs[$c]} --steps "$steps" --channels-last $flag | rate) ;;
          pytorch-malloc) rate_now=$(MALLOC_MMAP_MAX_=0 MALLOC_TRIM_THRESHOLD_=2147483647 $py bench/pytorch/bench_step.py ${configs[$c]} --steps "$steps" --channels-last $flag | rate) ;;
        esac
        echo "$c $p $prog $rate_now" | tee -a "$out"
      done
    done
  done
done
$py - "$out" <<'PY'
import sys, statistics, collections
rows = collections.defaultdict(list)
for line in open(sys.argv[1]):
    c, p, who, v = line.split()
    rows[(c, p, who)].append(float(v))
med = {k: statistics.median(v) for k, v in rows.items()}
print("\n| step | precision | SelfSup | PyTorch | ratio | PyTorch bf16 | ratio to PyTorch bf16 |" + (" PyTorch + malloc | ratio |" if any(k[2] == "pytorch-malloc" for k in med) else ""))
print("|---|---|---|---|---|---|---|" + ("---|---|" if any(k[2] == "pytorch-malloc" for k in med) else ""))
for c in ("bench", "w16"):
    for p in ("fp32", "bf16"):
        ours, theirs, theirs16 = med[(c, p, "selfsup")], med[(c, p, "pytorch")], med[(c, "bf16", "pytorch")]
        line = f"| {c} | {p} | {ours:.1f} | {theirs:.1f} | {ours/theirs:.2f}x | {theirs16:.1f} | {ours/theirs16:.2f}x |"
        if (c, p, "pytorch-malloc") in med:
            m = med[(c, p, "pytorch-malloc")]; line += f" {m:.1f} | {ours/m:.2f}x |"
        print(line)
best = "pytorch-malloc" if any(k[2] == "pytorch-malloc" for k in med) else "pytorch"
print(f"\nper-round ratios SelfSup / {best}:")
for c in ("bench", "w16"):
    for p in ("fp32", "bf16"):
        print(f"  {c} {p}: " + ", ".join(f"{a / b:.2f}" for a, b in zip(rows[(c, p, "selfsup")], rows[(c, p, best)])))
PY
rm -f "$out"
