/**
 * Recognises common files that are not SEG-Y from their first bytes, so that the error says what the file
 * looks like ("looks like miniSEED") instead of complaining about a sample format code.
 */

interface Signature {
  readonly what: string;
  readonly matches: (head: Uint8Array) => boolean;
}

const startsWith = (head: Uint8Array, magic: readonly number[]): boolean => magic.every((byte, i) => head[i] === byte);
const ascii = (text: string): number[] => [...text].map((c) => c.charCodeAt(0));

/** miniSEED 2: 6-character sequence number (digits, spaces or NULs), a quality code, a space or NUL. */
function looksLikeMiniSeed2(head: Uint8Array): boolean {
  if (head.length < 48) return false;
  for (let i = 0; i < 6; i++) {
    const c = head[i]!;
    if (!(c === 0x20 || c === 0 || (c >= 0x30 && c <= 0x39))) return false;
  }
  return 'DRQM'.includes(String.fromCharCode(head[6]!)) && (head[7] === 0x20 || head[7] === 0);
}

const SIGNATURES: readonly Signature[] = [
  { what: 'a PNG image', matches: (h) => startsWith(h, [0x89, ...ascii('PNG')]) },
  { what: 'a JPEG image', matches: (h) => startsWith(h, [0xff, 0xd8, 0xff]) },
  { what: 'a GIF image', matches: (h) => startsWith(h, ascii('GIF8')) },
  { what: 'a TIFF image', matches: (h) => startsWith(h, ascii('II*\0')) || startsWith(h, ascii('MM\0*')) },
  { what: 'a PDF document', matches: (h) => startsWith(h, ascii('%PDF')) },
  { what: 'a ZIP archive (unzip it first)', matches: (h) => startsWith(h, [0x50, 0x4b, 0x03, 0x04]) },
  { what: 'a gzip-compressed file (decompress it first)', matches: (h) => startsWith(h, [0x1f, 0x8b]) },
  { what: 'a bzip2-compressed file (decompress it first)', matches: (h) => startsWith(h, ascii('BZh')) },
  { what: 'an HDF5/NetCDF-4 file', matches: (h) => startsWith(h, [0x89, ...ascii('HDF')]) },
  { what: 'a NumPy array (.npy)', matches: (h) => startsWith(h, [0x93, ...ascii('NUMPY')]) },
  { what: 'miniSEED 3', matches: (h) => startsWith(h, [...ascii('MS'), 3]) },
  { what: 'miniSEED 2', matches: looksLikeMiniSeed2 },
];

/** What the file looks like when it is clearly not SEG-Y, or null. */
export function recogniseForeignFile(head: Uint8Array): string | null {
  return SIGNATURES.find((signature) => signature.matches(head))?.what ?? null;
}

/** True when the bytes are plain text (printable ASCII/UTF-8 with line breaks), e.g. a CSV or a log. */
export function looksLikePlainText(bytes: Uint8Array): boolean {
  if (bytes.length === 0) return false;
  let printable = 0;
  for (const byte of bytes)
    if ((byte >= 0x20 && byte < 0x7f) || byte === 0x0a || byte === 0x0d || byte === 0x09 || byte >= 0x80) printable++;
  return printable === bytes.length && bytes.includes(0x0a);
}
