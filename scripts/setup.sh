#!/usr/bin/env bash
# SelfSup set-up: everything a fresh machine needs before build, test or demo.
# Idempotent and quick when all is present. Called by `make setup`.
#   1. libstdc++ with GLIBCXX_3.4.32 (TorchSharp 0.107 / libtorch 2.10 native layer)
#   2. Fashion-MNIST from Debian's dataset-fashion-mnist package (the default dataset)
#   3. DejaVu fonts for the text in report plots (fonts-dejavu-core)
#   4. Open MPI (openmpi-bin, libopenmpi-dev) for data-parallel pretraining under mpirun and its tests
#   5. NuGet restore and build (done by the Makefile after this script)
set -euo pipefail

FMNIST_DIR=/usr/share/datasets/fashion-mnist
need_glibcxx=GLIBCXX_3.4.32

say() { printf '[setup] %s\n' "$*"; }

is_root() { [ "$(id -u)" -eq 0 ]; }
is_debian() { [ -r /etc/os-release ] && grep -qE '^ID=debian' /etc/os-release; }

libstdcxx_path() {
  ldconfig -p 2>/dev/null | grep 'libstdc++.so.6 ' | grep -E 'x86-64|x86_64|64' | head -1 | awk '{print $NF}'
}

has_glibcxx() {
  local lib; lib=$(libstdcxx_path)
  [ -n "$lib" ] && [ "$(strings "$lib" 2>/dev/null | grep -c "^${need_glibcxx}\$")" -gt 0 ]
}

apt_updated=0
apt_update_once() {
  if [ "$apt_updated" -eq 0 ]; then
    say "apt-get update"
    apt-get update -qq >/dev/null
    apt_updated=1
  fi
}

# The Debian mirror this machine already uses, so the trixie source goes to the same place.
debian_mirror() {
  local uri=""
  if [ -r /etc/apt/sources.list.d/debian.sources ]; then
    uri=$(awk '/^URIs:/ {for (i=2;i<=NF;i++) if ($i !~ /security/) {print $i; exit}}' /etc/apt/sources.list.d/debian.sources)
  fi
  if [ -z "$uri" ] && [ -r /etc/apt/sources.list ]; then
    uri=$(awk '$1=="deb" && $0 !~ /security/ {for (i=2;i<=NF;i++) if ($i ~ /^(http|https|file|mirror):/) {print $i; exit}}' /etc/apt/sources.list)
  fi
  printf '%s' "${uri:-http://deb.debian.org/debian}"
}

ensure_libstdcxx() {
  command -v strings >/dev/null 2>&1 || { is_root && command -v apt-get >/dev/null && { apt_update_once; apt-get install -y -qq binutils >/dev/null; }; }
  if has_glibcxx; then say "libstdc++ has $need_glibcxx: ok"; return 0; fi
  if is_root && is_debian && command -v apt-get >/dev/null; then
    local mirror; mirror=$(debian_mirror)
    say "libstdc++ lacks $need_glibcxx; installing libstdc++6 from Debian 13 (trixie) with a low pin"
    cat > /etc/apt/sources.list.d/selfsup-trixie.list <<SRC
deb $mirror trixie main
SRC
    cat > /etc/apt/preferences.d/selfsup-trixie-pin <<PIN
Package: *
Pin: release n=trixie
Pin-Priority: 100
PIN
    apt_updated=0; apt_update_once
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq -t trixie libstdc++6 >/dev/null
    ldconfig
    if has_glibcxx; then say "libstdc++ now has $need_glibcxx"; return 0; fi
    say "ERROR: installed libstdc++6 from trixie but $need_glibcxx is still missing"; exit 1
  fi
  cat >&2 <<MSG
[setup] ERROR: TorchSharp's native layer needs libstdc++ with $need_glibcxx (GCC 13 or newer).
[setup] This machine's $(libstdcxx_path) does not have it. Fix, as root on Debian 12:
[setup]   echo 'deb http://deb.debian.org/debian trixie main' > /etc/apt/sources.list.d/trixie.list
[setup]   printf 'Package: *\nPin: release n=trixie\nPin-Priority: 100\n' > /etc/apt/preferences.d/trixie-pin
[setup]   apt-get update && apt-get install -t trixie libstdc++6
[setup] On other systems install the libstdc++ of GCC 13+ (e.g. Ubuntu 24.04+, Fedora 39+), then rerun 'make setup'.
[setup] Check with: strings \$(ldconfig -p | grep libstdc++.so.6 | head -1 | awk '{print \$NF}') | grep $need_glibcxx
MSG
  exit 1
}

ensure_fashion_mnist() {
  if [ -f "$FMNIST_DIR/train-images-idx3-ubyte.gz" ] && [ -f "$FMNIST_DIR/t10k-labels-idx1-ubyte.gz" ]; then
    say "Fashion-MNIST at $FMNIST_DIR: ok"; return 0
  fi
  if is_root && command -v apt-get >/dev/null; then
    say "installing Debian package dataset-fashion-mnist"
    apt_update_once
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq dataset-fashion-mnist >/dev/null
    if [ -f "$FMNIST_DIR/train-images-idx3-ubyte.gz" ]; then say "Fashion-MNIST installed at $FMNIST_DIR"; return 0; fi
    say "ERROR: dataset-fashion-mnist installed but $FMNIST_DIR/train-images-idx3-ubyte.gz is missing"; exit 1
  fi
  cat >&2 <<MSG
[setup] WARNING: Fashion-MNIST (the default dataset) is not at $FMNIST_DIR.
[setup] Fix: sudo apt-get install dataset-fashion-mnist   (Debian/Ubuntu)
[setup]   or pass --data-dir DIR with train-images-idx3-ubyte.gz, train-labels-idx1-ubyte.gz,
[setup]   t10k-images-idx3-ubyte.gz, t10k-labels-idx1-ubyte.gz from the Fashion-MNIST release.
MSG
}

# Report plots (ScottPlot) draw their text with a system font; DejaVu Sans is what they ask for.
ensure_fonts() {
  if [ -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ]; then say "fonts for report plots (DejaVu): ok"; return 0; fi
  if is_root && command -v apt-get >/dev/null; then
    say "installing Debian package fonts-dejavu-core (text in report plots)"
    apt_update_once
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq fonts-dejavu-core >/dev/null
    return 0
  fi
  say "WARNING: no DejaVu fonts; plot text may render poorly. Fix: sudo apt-get install fonts-dejavu-core"
}

# The interruption tests start the CLI through python3, which restores SIGINT's default action before exec
# (a background job of a non-interactive shell inherits SIGINT as ignored).
ensure_python() {
  if command -v python3 >/dev/null 2>&1; then say "python3 (used by the interruption tests): ok"; return 0; fi
  if is_root && command -v apt-get >/dev/null; then
    say "installing Debian package python3-minimal (used by the interruption tests)"
    apt_update_once
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-minimal >/dev/null
    return 0
  fi
  say "WARNING: no python3; the interruption tests will fail. Fix: sudo apt-get install python3-minimal"
}

# Data-parallel pretraining runs under Open MPI's mpirun; SelfSup binds libmpi.so.40 itself (src/SelfSup/Distributed/Mpi.cs).
ensure_openmpi() {
  if command -v mpirun >/dev/null 2>&1 && ldconfig -p 2>/dev/null | grep 'libmpi.so.40 ' >/dev/null; then say "Open MPI (mpirun, libmpi.so.40): ok"; return 0; fi
  if is_root && command -v apt-get >/dev/null; then
    say "installing Debian packages openmpi-bin libopenmpi-dev (data-parallel pretraining and its tests)"
    apt_update_once
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq openmpi-bin libopenmpi-dev >/dev/null
    return 0
  fi
  say "WARNING: no Open MPI; mpirun pretraining and its tests will fail. Fix: sudo apt-get install openmpi-bin libopenmpi-dev"
}

ensure_dotnet() {
  if ! command -v dotnet >/dev/null 2>&1; then
    echo "[setup] ERROR: the .NET 10 SDK is not on PATH. Install it (https://dotnet.microsoft.com/download) and rerun 'make setup'." >&2
    exit 1
  fi
}

ensure_dotnet
ensure_libstdcxx
ensure_fashion_mnist
ensure_fonts
ensure_python
ensure_openmpi
