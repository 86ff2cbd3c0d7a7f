#!/usr/bin/env bash
# Runs on the GPU machine (device tool) with .gpu/ carried: two epochs of the spectrogram autoencoder over a generated
# day of three 100 Hz channels on the webgpu backend (test/bench/spectrogramEpoch.ts; the issue's "an epoch over a day
# in under a minute"). Prepared by `npm run bench -- ml-gpu-prep`. Prints EPOCH lines and one SPECTROGRAM_EPOCH JSON line.
set -euo pipefail
source test/bench/gpu-setup.sh
/tmp/node .gpu/gpu-bench.cjs spectrogram-epoch /tmp/dawn.node "$@" 2>&1 | tee "${OUT:-/tmp}/spectrogram-epoch.log"
