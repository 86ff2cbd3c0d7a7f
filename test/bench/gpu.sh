#!/usr/bin/env bash
# Runs on the GPU machine (device tool): the tfjs/webgpu side (dist/gpu-bench.cjs, carried in .gpu/) and the PyTorch
# peer on the same GPU in the same run (TF32 as PyTorch defaults, and strict float32 like tfjs). Prints one JSON line
# per side, after the kernel checks (CHECK lines) and per-kernel profiles (PROFILE lines). Prepared by `npm run bench -- ml-gpu-prep`.
set -euo pipefail
for f in .gpu/gl/*.deb; do dpkg -x "$f" /; done; ldconfig
export VK_DRIVER_FILES=/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json
xz -dc .gpu/node.xz > /tmp/node && chmod +x /tmp/node
xz -dc .gpu/dawn.node.xz > /tmp/dawn.node
nvidia-smi --query-gpu=name,driver_version --format=csv,noheader
/tmp/node .gpu/gpu-bench.cjs ml-gpu /tmp/dawn.node 2>&1 | tee "${OUT:-/tmp}/tfjs.log"
for precision in tf32 fp32; do
  echo "TORCH_SMALL $(python3 test/bench/torch_unet.py 16,32,64 128 8 128 $precision)"
  echo "TORCH_SEEDS $(python3 test/bench/torch_unet.py 64,128,256,512 1024 16 128 $precision)"
done
