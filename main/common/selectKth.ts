/**
 * Quickselect (Hoare partition): rearranges `values[0..count)` in place so that values[k] is the k-th smallest, all
 * before it are <= and all after it >=, in O(count) on average — medians and percentiles without sorting.
 */
export function selectKth(values: Float32Array | Float64Array, k: number, count = values.length): number {
  let low = 0;
  let high = count - 1;
  while (low < high) {
    const pivot = values[(low + high) >>> 1]!;
    let i = low;
    let j = high;
    while (i <= j) {
      while (values[i]! < pivot) i++;
      while (values[j]! > pivot) j--;
      if (i <= j) {
        const swap = values[i]!;
        values[i++] = values[j]!;
        values[j--] = swap;
      }
    }
    if (k <= j) high = j;
    else if (k >= i) low = i;
    else break;
  }
  return values[k]!;
}

/**
 * The same value as selectKth(values, k, count) for k near the top (a high percentile), without reordering `values`:
 * a min-heap holds the count - k largest values seen, so most values cost one comparison with its root instead of a
 * share of quickselect's partitions. O(count log(count - k)).
 */
export function selectKthNearTop(values: Float32Array | Float64Array, k: number, count = values.length): number {
  const size = count - k;
  const heap = new Float64Array(size);
  heap.set(values.subarray(0, size));
  for (let i = (size >> 1) - 1; i >= 0; i--) siftDown(heap, i);
  for (let i = size; i < count; i++) {
    const value = values[i]!;
    if (value <= heap[0]!) continue;
    heap[0] = value;
    siftDown(heap, 0);
  }
  return heap[0]!;
}

/** Moves heap[i] down a binary min-heap until neither child is smaller. */
function siftDown(heap: Float64Array, i: number): void {
  const value = heap[i]!;
  for (;;) {
    let child = 2 * i + 1;
    if (child >= heap.length) break;
    if (child + 1 < heap.length && heap[child + 1]! < heap[child]!) child++;
    if (heap[child]! >= value) break;
    heap[i] = heap[child]!;
    i = child;
  }
  heap[i] = value;
}
