#!/usr/bin/env bash
# Runs on the GPU machine (device tool): the tfjs/webgpu side (dist/gpu-bench.cjs, carried in .gpu/) and the PyTorch
# peer on the same GPU in the same run (TF32 as PyTorch defaults, and strict float32 like tfjs). Prints one JSON line
# per side, after the kernel checks (CHECK lines) and per-kernel profiles (PROFILE lines). Prepared by `npm run bench -- ml-gpu-prep`.
set -euo pipefail
source test/bench/gpu-setup.sh
/tmp/node .gpu/gpu-bench.cjs ml-gpu /tmp/dawn.node 2>&1 | tee "${OUT:-/tmp}/tfjs.log"
for precision in tf32 fp32; do
  echo "TORCH_SMALL $(python3 test/bench/torch_unet.py 16,32,64 128 8 128 $precision)"
  echo "TORCH_SEEDS $(python3 test/bench/torch_unet.py 64,128,256,512 1024 16 128 $precision)"
done
