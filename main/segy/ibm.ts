/**
 * IBM System/360 single precision floats (SEG-Y sample format 1) <-> IEEE 754 float32, on 32-bit words.
 *
 * Both directions use the table-driven integer arithmetic of Seismic Unix's conversion routines, which segyio
 * also uses, so that decoded samples are bit-for-bit equal to segyio's, unnormalised IBM words included (real
 * files have them). Normalised values in float range convert exactly; magnitudes below the float range become +0
 * and above it the NaN pattern 0x7fffffff with the IBM sign, as in segyio.
 */

const IEEE_MAX = 0x7fffffff;
/** Largest IBM magnitude that fits a float32, and smallest one that is not flushed to zero. */
const IBM_MAX_IN_FLOAT = 0x611fffff;
const IBM_MIN_IN_FLOAT = 0x21200000;

/** Indexed by the top 3 bits of the IBM fraction: the exponent bias to remove and the shift (as a factor). */
const IBM_EXPONENT_BIAS = Int32Array.of(
  0x21800000,
  0x21400000,
  0x21000000,
  0x21000000,
  0x20c00000,
  0x20c00000,
  0x20c00000,
  0x20c00000,
);
const IBM_FRACTION_SHIFT = Int32Array.of(8, 4, 2, 2, 1, 1, 1, 1);

/** IBM word (as an unsigned 32-bit integer, already in host order) -> IEEE float32 bit pattern. */
export function ibmToIeeeBits(ibm: number): number {
  const magnitude = ibm & 0x7fffffff;
  if (magnitude < IBM_MIN_IN_FLOAT) return 0;
  if (magnitude > IBM_MAX_IN_FLOAT) return (IEEE_MAX | (ibm & 0x80000000)) >>> 0;
  const fraction = ibm & 0x00ffffff;
  const index = fraction >>> 21;
  const exponent = ((ibm & 0x7f000000) - IBM_EXPONENT_BIAS[index]!) << 1;
  return ((fraction * IBM_FRACTION_SHIFT[index]! + exponent) | (ibm & 0x80000000)) >>> 0;
}

/** Indexed by the 2 low bits of the IEEE exponent: the IBM exponent offset and the fraction shift (as a factor). */
const IEEE_EXPONENT_OFFSET = Int32Array.of(0x21200000, 0x21400000, 0x21800000, 0x22100000);
const IEEE_FRACTION_SHIFT = Int32Array.of(2, 4, 8, 1);
const IBM_LARGEST = 0x7fffffff;

/**
 * IEEE float32 bit pattern -> IBM word (unsigned 32-bit integer, host order). IBM floats have no NaN or
 * infinity: those become the largest IBM magnitude (NaN positive), so that a written file never holds garbage.
 */
export function ieeeToIbmBits(ieee: number): number {
  const magnitude = ieee & 0x7fffffff;
  if (magnitude === 0) return 0;
  if (magnitude >= 0x7f800000) return magnitude > 0x7f800000 ? IBM_LARGEST : (IBM_LARGEST | (ieee & 0x80000000)) >>> 0;
  const index = (ieee & 0x01800000) >>> 23;
  const exponent = ((ieee & 0x7e000000) >>> 1) + IEEE_EXPONENT_OFFSET[index]!;
  const fraction = (IEEE_FRACTION_SHIFT[index]! * (ieee & 0x007fffff)) >>> 3;
  return ((fraction + exponent) | (ieee & 0x80000000)) >>> 0;
}
