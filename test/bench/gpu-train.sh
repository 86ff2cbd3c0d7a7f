#!/usr/bin/env bash
# Runs on the GPU machine (device tool) with .gpu/ carried: trains the bundled models (main/ml/bundled) on the webgpu
# backend and leaves one .pmodel archive per model in $OUT. Usage: gpu-train.sh SECONDS_PER_MODEL [model ids...]
# Each model trains in its own process, all at once: a tfjs step is bound by the one JavaScript thread that issues its
# kernels, not by the GPU, so three processes train three models in the time of one.
set -euo pipefail
source test/bench/gpu-setup.sh
seconds="$1"
shift
ids=("$@")
[ ${#ids[@]} -gt 0 ] || ids=(unet_denoise_v1 unet_interp_v1 autoencoder_v1 unet_denoise_v2)
out="${OUT:-/tmp/out}"
mkdir -p "$out"
for id in "${ids[@]}"; do
  /tmp/node .gpu/gpu-train.cjs /tmp/dawn.node "$out" "$seconds" "$id" >"$out/$id.log" 2>&1 &
done
status=0
for job in $(jobs -p); do wait "$job" || status=1; done
tail -n 3 "$out"/*.log
exit $status
