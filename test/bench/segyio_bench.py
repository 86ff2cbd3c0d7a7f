"""segyio side of `npm run bench -- segy`: writes the benchmark cube, and times the reads Promethium is compared with.

Usage: segyio_bench.py write OUT IL XL NS    (IBM float, inline-sorted, 189/193 keys)
       segyio_bench.py time FILE REPEATS     (prints JSON: inline, crossline, time slice medians; whole decode)
"""
import json
import statistics
import sys
import time

import numpy as np
import segyio


def write(out, il, xl, ns):
    spec = segyio.spec()
    spec.format = 1
    spec.samples = list(range(ns))
    spec.ilines = list(range(1, il + 1))
    spec.xlines = list(range(1, xl + 1))
    spec.sorting = 2
    rng = np.random.default_rng(7)
    base = rng.standard_normal((xl, ns)).astype(np.float32)
    with segyio.create(out, spec) as f:
        tr = 0
        for i in range(il):
            line = np.roll(base, i, axis=1) * (1 + i / il)
            for j in range(xl):
                f.header[tr] = {segyio.su.iline: i + 1, segyio.su.xline: j + 1, segyio.su.cdpx: 1000 * j, segyio.su.cdpy: 1000 * i}
                f.trace[tr] = line[j]
                tr += 1
        f.bin.update(hns=ns, tsort=2)


def median_ms(fn, repeats):
    fn()
    times = []
    for k in range(repeats):
        t = time.perf_counter()
        fn(k)
        times.append((time.perf_counter() - t) * 1000)
    return statistics.median(times)


def timings(path, repeats):
    t = time.perf_counter()
    f = segyio.open(path)
    open_ms = (time.perf_counter() - t) * 1000
    il, xl, ns = len(f.ilines), len(f.xlines), len(f.samples)
    rng = np.random.default_rng(1)
    ils = [int(v) for v in rng.integers(0, il, repeats + 1)]
    xls = [int(v) for v in rng.integers(0, xl, repeats + 1)]
    zs = [int(v) for v in rng.integers(0, ns, max(3, repeats // 10) + 1)]
    result = {
        'openMs': open_ms,
        'inlineMs': median_ms(lambda k=0: f.iline[f.ilines[ils[k]]], repeats),
        'crosslineMs': median_ms(lambda k=0: f.xline[f.xlines[xls[k]]], repeats),
        'timeSliceMs': median_ms(lambda k=0: f.depth_slice[zs[k]], max(3, repeats // 10)),
    }
    t = time.perf_counter()
    cube = f.trace.raw[:]
    result['decodeAllMs'] = (time.perf_counter() - t) * 1000
    result['decodedMB'] = cube.nbytes / 1e6
    f.close()
    print(json.dumps(result))


if __name__ == '__main__':
    if sys.argv[1] == 'write':
        write(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]))
    else:
        timings(sys.argv[2], int(sys.argv[3]))
