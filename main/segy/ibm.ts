/**
 * IBM System/360 single precision floats (SEG-Y sample format 1) <-> IEEE 754 float32, on 32-bit words.
 *
 * Both directions are integer bit manipulations ported from segyio's `ibm2ieee` / `ieee2ibm` (themselves from
 * the public-domain code by Jan Thorbecke / Seismic Unix), so that decoded samples are bit-for-bit equal to segyio's:
 * normalized IBM values convert exactly (at most 24 significant bits), underflow gives a denormal or a signed zero
 * (truncated, not rounded, like segyio), overflow gives infinity; in the other direction NaN and infinity map to the
 * largest IBM value, because IBM floats have neither.
 */

/** IBM word (as an unsigned 32-bit integer, already in host order) -> IEEE float32 bit pattern. */
export function ibmToIeeeBits(ibm: number): number {
  const sign = ibm & 0x80000000;
  let fraction = (ibm << 8) >>> 0;
  if (fraction === 0) return sign >>> 0;
  // base-16 exponent with bias 64 and radix point before the first digit -> base-2 exponent with bias 127.
  let exponent = (((ibm >>> 24) & 0x7f) << 2) - 130;
  const leadingZeros = Math.clz32(fraction);
  fraction = (fraction << leadingZeros) >>> 0;
  exponent -= leadingZeros;
  if (exponent <= 0) {
    fraction = exponent < -24 ? 0 : fraction >>> -exponent;
    exponent = 0;
  } else if (exponent >= 255) {
    fraction = 0;
    exponent = 255;
  } else {
    fraction = (fraction << 1) >>> 0; // drop the implicit leading 1
  }
  return ((fraction >>> 9) | (exponent << 23) | sign) >>> 0;
}

/** IEEE float32 bit pattern -> IBM word (unsigned 32-bit integer, host order). */
export function ieeeToIbmBits(ieee: number): number {
  const sign = ieee & 0x80000000;
  let exponent = (ieee >>> 23) & 0xff;
  let fraction = (ieee << 9) >>> 0;
  if (exponent === 255) return (0x7fffffff | sign) >>> 0;
  if (exponent > 0) fraction = ((fraction >>> 1) | 0x80000000) >>> 0;
  else if (fraction === 0) return sign >>> 0;
  exponent += 130;
  fraction >>>= -exponent & 3;
  exponent = (exponent + 3) >> 2;
  // Denormal IEEE inputs need renormalising to a leading non-zero hex digit.
  while (fraction < 0x10000000 && fraction !== 0) {
    exponent -= 1;
    fraction = (fraction << 4) >>> 0;
  }
  return ((fraction >>> 8) | (exponent << 24) | sign) >>> 0;
}
