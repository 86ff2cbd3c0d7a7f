#!/usr/bin/env bash
# Runs on the GPU machine (device tool) with .gpu/ carried (npm run bench -- ml-gpu-prep): the velocity ensemble's data
# and training, in steps that each fit one device call (10 minutes). Everything lands in $OUT/velocity (carry it back
# in for the next step). Usage:
#   gpu-velocity.sh synth SAMPLES_PER_FAMILY   flat, curved, flatfault, curvefault and style, each as training (seed 1),
#                                              validation (seed 3, 8) and held-out (seed 2, 16) sets, one process each
#                                              (15 of the 16 cores); the CPU modeller, ~5 s a sample
#   gpu-velocity.sh train EPOCHS [CONFIG]      train (or continue: --resume when a checkpoint is there) on webgpu
#   gpu-velocity.sh predict                    predict the held-out samples of every family, scored, and the baseline
set -euo pipefail
source test/bench/gpu-setup.sh
out="${OUT:-/tmp/out}/velocity"
mkdir -p "$out"
velocity() { /tmp/node .gpu/velocity-gpu.cjs /tmp/dawn.node velocity "$@"; }
families=(flat curved flatfault curvefault style)
case "$1" in
  synth)
    for family in "${families[@]}"; do
      velocity synth --family "$family" --count "$2" --seed 1 --out "$out/train-$family" >"$out/synth-$family.log" 2>&1 &
      velocity synth --family "$family" --count 16 --seed 2 --out "$out/heldout-$family" >"$out/heldout-$family.log" 2>&1 &
      velocity synth --family "$family" --count 8 --seed 3 --out "$out/val-$family" >"$out/val-$family.log" 2>&1 &
    done
    wait
    tail -n 2 "$out"/synth-*.log ;;
  train)
    config="${3:-resources/configs/velocity/ensemble.yaml}"
    resume=(); [ -d "$out/run/last" ] && resume=(--resume)
    velocity train --config "$config" --data "$out"/train-* --validation "$out"/val-* \
      --out "$out/run" --epochs "$2" --batch-size 16 --learning-rate 1e-4 "${resume[@]}" 2>&1 | tee -a "$out/train.log" ;;
  predict)
    for family in "${families[@]}"; do
      velocity predict --model "$out/run/best" --data "$out/heldout-$family" --out "$out/predicted-$family" | tail -n 3
      velocity baseline --data "$out/heldout-$family" --samples 4 | tail -n 2
    done ;;
  *) echo "usage: gpu-velocity.sh synth N | train EPOCHS [CONFIG] | predict" >&2; exit 2 ;;
esac
