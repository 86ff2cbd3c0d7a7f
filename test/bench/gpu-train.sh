#!/usr/bin/env bash
# Runs on the GPU machine (device tool) with .gpu/ carried: trains the bundled models (main/ml/bundled) on the webgpu
# backend and leaves one .pmodel archive per model in $OUT. Usage: gpu-train.sh SECONDS_PER_MODEL [model ids...]
set -euo pipefail
for f in .gpu/gl/*.deb; do dpkg -x "$f" /; done; ldconfig
export VK_DRIVER_FILES=/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json
xz -dc .gpu/node.xz > /tmp/node && chmod +x /tmp/node
xz -dc .gpu/dawn.node.xz > /tmp/dawn.node
nvidia-smi --query-gpu=name,driver_version --format=csv,noheader
/tmp/node .gpu/gpu-train.cjs /tmp/dawn.node "${OUT:-/tmp/out}" "$@"
