#!/usr/bin/env bash
# bench/gpu-sitting.sh — one sitting on a lent GPU machine (see docs/gpu.md): builds TorchSharp's native layer against the
# machine's PyTorch with scripts/build-torchsharp-native.sh, runs `selfsup doctor --device cuda` (the CUDA checks), then
# times SelfSup's training step against PyTorch's (shared/gpu/torch_gpu_step.py) alternating in one sitting, then real
# pretraining on synthetic CIFAR, the input pipeline, and PyTorch with torch.compile. Run from the repository root with
# the kit (shared/gpu/make-kit.sh) in KIT (default .gpu-kit). Output: stdout and $OUT/sitting.txt.
set -u
KIT=$(cd "${KIT:-.gpu-kit}" && pwd); REPO=$(pwd); OUT=${OUT:-/tmp}; K=/tmp/k
exec > >(tee -a "$OUT/sitting.txt") 2>&1
T0=$SECONDS; stamp() { echo "[t=$((SECONDS - T0))s] $*"; }
if [ ! -f $K/pub/libLibTorchSharp.so ]; then
  mkdir -p $K
  tar -xJf "$KIT/pub.tar.xz" -C $K & p1=$!; tar -xJf "$KIT/native.tar.xz" -C $K & p2=$!; wait $p1 $p2
  bash "$REPO/scripts/build-torchsharp-native.sh" $K $K/pub 2>&1 | tail -3
fi
TORCH=$(python3 -c 'import torch, os; print(os.path.dirname(torch.__file__))')
export LD_LIBRARY_PATH=$TORCH/lib:${LD_LIBRARY_PATH:-} DOTNET_SYSTEM_GLOBALIZATION_INVARIANT=1 DOTNET_NOLOGO=1
S=$K/pub/SelfSup.Cli; STEP=$KIT/torch_gpu_step.py
nvidia-smi --query-gpu=name,driver_version,clocks.max.sm,power.limit --format=csv,noheader
stamp "native layer ready"

echo "== doctor"; timeout 150 $S doctor --device cuda; stamp "doctor exit $?"

# PyTorch with cuDNN's autotuner on (SelfSup turns it on for training); the anchor script leaves it at PyTorch's default (off)
torch_step() { local tune=$1; shift
  timeout 200 python3 -c "import sys, runpy, torch; torch.backends.cudnn.benchmark = $tune; sys.argv = ['torch_gpu_step.py'] + sys.argv[1:]; runpy.run_path('$STEP', run_name='__main__')" "$@" 2>&1 | tail -1; }
ours() { timeout 90 $S bench step --device cuda --batch 512 --steps 30 "$@" > /tmp/ours.out 2>/tmp/ours.err \
  && grep -E "phases|images_per_s" /tmp/ours.out | tr '\n' ' ' || tail -c 600 /tmp/ours.err; echo; }
row() { local name=$1; shift; printf '%-34s ' "$name"; "$@"; }

echo "== bench step, R18 w64, 512 x 2 views, 32^2, d 2048, bt, Adam; median of 30 steps; image-views/s"
for round in 1 2; do
  echo "-- round $round (cuDNN benchmark on in both)"
  if [ $round = 1 ]; then
    row "selfsup bf16 CL" ours --precision bf16;       row "pytorch bf16 CL" torch_step True --batch 512 --steps 30 --bf16 --channels-last
    row "selfsup fp32 CL" ours --precision fp32;       row "pytorch fp32 CL" torch_step True --batch 512 --steps 30 --channels-last
  else
    row "pytorch bf16 CL" torch_step True --batch 512 --steps 30 --bf16 --channels-last; row "selfsup bf16 CL" ours --precision bf16
    row "pytorch fp32 CL" torch_step True --batch 512 --steps 30 --channels-last;        row "selfsup fp32 CL" ours --precision fp32
  fi
done
stamp "rounds done"
echo "-- cuDNN benchmark off in both (PyTorch's default)"
row "selfsup bf16 CL off" ours --precision bf16 --cudnn-benchmark off; row "pytorch bf16 CL off" torch_step False --batch 512 --steps 30 --bf16 --channels-last
row "selfsup fp32 CL off" ours --precision fp32 --cudnn-benchmark off; row "pytorch fp32 CL off" torch_step False --batch 512 --steps 30 --channels-last
echo "-- NCHW (benchmark on)"
row "selfsup bf16 NCHW" ours --precision bf16 --no-channels-last;      row "pytorch bf16 NCHW" torch_step True --batch 512 --steps 30 --bf16
stamp "bench done"

echo "== pretrain --device cuda: synthetic CIFAR-10 (20,000 random images), same model and batch; images/s per 10 steps after the first window"
python3 - <<'PY'
import os, torch
d = "/tmp/cifar"; os.makedirs(d, exist_ok=True)
for name, n in [("data_batch_%d.bin" % i, 4000) for i in range(1, 6)] + [("test_batch.bin", 2000)]:
    x = torch.randint(0, 256, (n, 3073), dtype=torch.uint8, generator=torch.Generator().manual_seed(n + len(name))); x[:, 0] = torch.arange(n) % 10
    open(os.path.join(d, name), "wb").write(x.numpy().tobytes())
PY
for p in bf16 fp32; do
  rm -rf /tmp/run-$p
  timeout 120 $S pretrain --dataset cifar10 --data-dir /tmp/cifar --width 64 --proj-dim 2048 --batch-size 512 --epochs 1 --device cuda \
    --precision $p --no-probe --out /tmp/run-$p --log-every 10 >/dev/null 2>/tmp/pretrain-$p.err || tail -3 /tmp/pretrain-$p.err
  python3 -c "import json,statistics; r=[json.loads(l) for l in open('/tmp/run-$p/metrics.jsonl')]; v=[x['views_per_s'] for x in r[1:]]; print('pretrain $p: image-views/s per window', [round(x) for x in v], 'median', round(statistics.median(v)))"
done
stamp "pretrain done"
echo "== bench pipeline (bf16): the step fed by views drawn on the GPU vs a pre-made tensor"
timeout 120 $S bench pipeline --device cuda --batch 512 --steps 20 --precision bf16 2>/dev/null | tail -3
stamp "pipeline done"
echo "== pytorch torch.compile (stretch anchor), cuDNN benchmark on"
row "pytorch bf16 CL compile" torch_step True --batch 512 --steps 30 --bf16 --channels-last --compile
row "selfsup bf16 CL" ours --precision bf16
stamp "sitting done"
