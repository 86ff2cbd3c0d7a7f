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
