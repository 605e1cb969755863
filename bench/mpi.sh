#!/usr/bin/env bash
# Data-parallel throughput: alternates one process with 2 training threads and `mpirun -np 2` with 1 thread per rank,
# the same global batch, ROUNDS times; prints every figure, then the medians and their ratio (the MPI issue's goal: >= 1.0).
# Images/s are taken from metrics.jsonl between step 10 and the last step (start-up and the first steps excluded).
# Usage: bench/mpi.sh [ROUNDS=3] [STEPS=60] [extra pretrain flags...]. Nothing else should run meanwhile.
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-3}; steps=${2:-60}; shift $(( $# < 2 ? $# : 2 ))
export OMPI_ALLOW_RUN_AS_ROOT=${OMPI_ALLOW_RUN_AS_ROOT:-1} OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=${OMPI_ALLOW_RUN_AS_ROOT_CONFIRM:-1}
dotnet build src/SelfSup.Cli -c Release -nologo -v quiet -clp:ErrorsOnly >/dev/null   # build once, not in every rank
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
common=(pretrain --width 16 --batch-size 256 --proj-dim 64 --steps "$steps" --log-every 10 --epochs 1 --no-probe "$@")
rate() {
  /usr/bin/python3 - "$1" <<'PY'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1] + "/metrics.jsonl")]
a = next(r for r in rows if r["step"] == 10); b = rows[-1]
print(round((b["images_seen"] - a["images_seen"]) / (b["elapsed_s"] - a["elapsed_s"]), 1))
PY
}
for r in $(seq "$rounds"); do
  ./selfsup "${common[@]}" --threads 2 --out "$work/one$r" >/dev/null 2>&1
  echo "one-process-2-threads $(rate "$work/one$r")" | tee -a "$work/all"
  mpirun -np 2 --oversubscribe --bind-to none ./selfsup "${common[@]}" --threads 1 --out "$work/mpi$r" >/dev/null 2>&1
  echo "mpirun-np-2-1-thread $(rate "$work/mpi$r")" | tee -a "$work/all"
done
/usr/bin/python3 - "$work/all" <<'PY'
import sys, statistics, collections
rows = collections.defaultdict(list)
for line in open(sys.argv[1]):
    k, v = line.split(); rows[k].append(float(v))
one, two = statistics.median(rows["one-process-2-threads"]), statistics.median(rows["mpirun-np-2-1-thread"])
print(f"median images/s: one process {one:.1f}, mpirun -np 2 {two:.1f}; ratio {two / one:.2f}")
PY
