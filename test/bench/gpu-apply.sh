#!/usr/bin/env bash
# Runs on the GPU machine (device tool) with .gpu/ carried (../shared/tools/gpu-prep.sh, then
# `npm run bench -- ml-gpu-prep [--baseline REF]`): apply to volume of a generated 100 x 200 x 1000 cube on the webgpu
# backend (samples/s and the phase breakdown of the compute process), then the one-click denoise of a 1000 x 1500 line,
# cold (the first click, 5 s after the compute process is ready) and warm. Every compute bundle in .gpu/ runs, the
# baseline's first. Arguments go to the benchmark (test/bench/apply.ts), e.g. --runs 2 or --cube 50x200x1000.
set -euo pipefail
source test/bench/gpu-setup.sh
bundles=/tmp/promethium-compute
mkdir -p "$bundles"
for f in .gpu/compute*.xz; do xz -dc "$f" > "$bundles/$(basename "${f%.xz}")"; done
# The compute threads of the compute bundles (main/compute/threads/), found next to them. A baseline bundle built
# before they were named so looks for confinementWorker.cjs, finds none and confines in its main thread.
cp .gpu/computeThreadWorker.cjs "$bundles/"
export PROMETHIUM_BACKEND="${PROMETHIUM_BACKEND:-webgpu}" PROMETHIUM_DAWN_NODE=/tmp/dawn.node
export PROMETHIUM_SQLITE_BINDING="$PWD/.gpu/better_sqlite3.node"
compute=$(LC_ALL=C ls "$bundles"/compute*.cjs | paste -sd, -)
/tmp/node .gpu/gpu-bench.cjs apply --cube 100x200x1000 --line 1000x1500 --clicks 3 --compute "$compute" "$@" \
  2>&1 | tee "${OUT:-/tmp}/apply.log"
