#!/usr/bin/env bash
# build-torchsharp-native.sh TORCHSHARP_SRC OUT_DIR
# Builds TorchSharp's native layer (libLibTorchSharp.so) against the PyTorch that python3 imports — a CUDA build of
# PyTorch gives SelfSup CUDA — and puts it in OUT_DIR (a `dotnet publish` of SelfSup.Cli without the CPU libtorch).
# TORCHSHARP_SRC: a dotnet/TorchSharp checkout (or bare clone) at the release SelfSup uses, v0.107.0
#   (git clone --depth 1 --branch v0.107.0 https://github.com/dotnet/TorchSharp). Nothing of it is copied into SelfSup.
# Needs g++ (C++17) and PyTorch with its headers (pip's torch wheels have them). About a minute on 16 cores.
# Then run SelfSup with LD_LIBRARY_PATH=<torch>/lib (the script prints it).
set -euo pipefail
src=${1:?usage: build-torchsharp-native.sh TORCHSHARP_SRC OUT_DIR}; out=${2:?usage: build-torchsharp-native.sh TORCHSHARP_SRC OUT_DIR}
torch=$(python3 -c 'import torch, os; print(os.path.dirname(torch.__file__))') \
  || { echo "build-torchsharp-native: python3 cannot import torch; install PyTorch (with CUDA) first" >&2; exit 1; }
abi=$(python3 -c 'import torch; print(int(torch._C._GLIBCXX_USE_CXX11_ABI))')
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
if [ -d "$src/src/Native/LibTorchSharp" ]; then native=$src/src/Native
elif git -C "$src" rev-parse --git-dir >/dev/null 2>&1; then git -C "$src" archive HEAD src/Native | tar -x -C "$work"; native=$work/src/Native
else echo "build-torchsharp-native: '$src' has no src/Native/LibTorchSharp; pass a TorchSharp checkout" >&2; exit 1; fi
mkdir -p "$work/obj" "$out"
export FLAGS="${CXXFLAGS:--O1} -std=c++17 -fPIC -fvisibility=hidden -D_GLIBCXX_USE_CXX11_ABI=$abi -D__LINUX__ -D_NO_ASYNCRTIMP -D_NO_PPLXIMP -w \
  -I$torch/include -I$torch/include/torch/csrc/api/include -I$native -I$native/LibTorchSharp"
( cd "$native/LibTorchSharp" && ls *.cpp | xargs -P "$(nproc)" -I{} sh -c 'g++ $FLAGS -c {} -o '"$work/obj"'/{}.o' \
  && gcc -O2 -fPIC -w -c crc32c.c -o "$work/obj/crc32c.o" )
g++ -shared -o "$out/libLibTorchSharp.so" "$work"/obj/*.o -L"$torch/lib" -ltorch -ltorch_cpu -lc10 -Wl,-rpath,"$torch/lib" \
  -Wl,-Bsymbolic -Wl,-Bsymbolic-functions
python3 -c 'import torch; print("built against torch", torch.__version__, "CUDA", torch.version.cuda, "available:", torch.cuda.is_available())'
echo "libLibTorchSharp.so -> $out; run SelfSup with: export LD_LIBRARY_PATH=$torch/lib:\$LD_LIBRARY_PATH"
