"""Peer of `npm run bench -- wave`: the same leapfrog update (8th-order Laplacian, damping folded into three
coefficient arrays, as main/wave/acousticModeller.ts) written with numpy array slices on the same 310 x 310 grid
(+ 4-cell halo). Prints the median milliseconds of one 1000-step shot over the given number of runs, as JSON."""
import json
import sys
import time

import numpy as np

C = [-205 / 72, 8 / 5, -1 / 5, 8 / 315, -1 / 560]
N = 310 + 8
STEPS = 1000


def shot():
    rng = np.random.default_rng(1)
    a = np.full((N, N), 2.0, np.float32) - rng.random((N, N), dtype=np.float32) * 1e-3
    b = np.ones((N, N), np.float32)
    v = np.full((N, N), 0.0625, np.float32)
    p = np.zeros((N, N), np.float32)
    prev = np.zeros((N, N), np.float32)
    lap = np.empty((N - 8, N - 8), np.float32)
    inner = (slice(4, N - 4), slice(4, N - 4))
    start = time.perf_counter()
    for n in range(STEPS):
        np.multiply(p[inner], np.float32(2 * C[0]), out=lap)
        for k in range(1, 5):
            lap += np.float32(C[k]) * (p[4 - k:N - 4 - k, 4:N - 4] + p[4 + k:N - 4 + k, 4:N - 4]
                                       + p[4:N - 4, 4 - k:N - 4 - k] + p[4:N - 4, 4 + k:N - 4 + k])
        prev[inner] = a[inner] * p[inner] - b[inner] * prev[inner] + v[inner] * lap
        prev[N // 2, N // 2] += 1.0 if n == 0 else 0.0
        p, prev = prev, p
    return (time.perf_counter() - start) * 1000


runs = int(sys.argv[1]) if len(sys.argv) > 1 else 3
times = sorted(shot() for _ in range(runs))
print(json.dumps({"numpyVersion": np.__version__, "shotMs": times[len(times) // 2]}))
