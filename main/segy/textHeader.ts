/**
 * The 3200-byte textual file header and the extended textual headers: EBCDIC or ASCII detected card by card
 * (some writers mix them, some pad with NUL instead of spaces), decoded to 40 lines of text, and re-encoded
 * in the original's encoding when the writer adds a processing history line.
 */

export type TextEncoding = 'ebcdic' | 'ascii';

export interface TextHeader {
  /** The encoding of most cards; `mixed` is true when some cards use the other one. */
  readonly encoding: TextEncoding;
  readonly mixed: boolean;
  /** 40 cards of 80 characters, control characters shown as spaces, trailing blanks removed. */
  readonly lines: readonly string[];
  /** The lines joined with newlines. */
  readonly text: string;
  /** The 3200 bytes as found in the file. */
  readonly raw: Uint8Array;
}

export const TEXT_HEADER_BYTES = 3200;
export const CARD_BYTES = 80;

/** EBCDIC code page 037 (the one SEG-Y writers use) to Latin-1 code points. */
const EBCDIC_TO_LATIN1 = new Uint8Array([
  0x00, 0x01, 0x02, 0x03, 0x9c, 0x09, 0x86, 0x7f, 0x97, 0x8d, 0x8e, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f, 0x10, 0x11, 0x12,
  0x13, 0x9d, 0x85, 0x08, 0x87, 0x18, 0x19, 0x92, 0x8f, 0x1c, 0x1d, 0x1e, 0x1f, 0x80, 0x81, 0x82, 0x83, 0x84, 0x0a,
  0x17, 0x1b, 0x88, 0x89, 0x8a, 0x8b, 0x8c, 0x05, 0x06, 0x07, 0x90, 0x91, 0x16, 0x93, 0x94, 0x95, 0x96, 0x04, 0x98,
  0x99, 0x9a, 0x9b, 0x14, 0x15, 0x9e, 0x1a, 0x20, 0xa0, 0xe2, 0xe4, 0xe0, 0xe1, 0xe3, 0xe5, 0xe7, 0xf1, 0xa2, 0x2e,
  0x3c, 0x28, 0x2b, 0x7c, 0x26, 0xe9, 0xea, 0xeb, 0xe8, 0xed, 0xee, 0xef, 0xec, 0xdf, 0x21, 0x24, 0x2a, 0x29, 0x3b,
  0xac, 0x2d, 0x2f, 0xc2, 0xc4, 0xc0, 0xc1, 0xc3, 0xc5, 0xc7, 0xd1, 0xa6, 0x2c, 0x25, 0x5f, 0x3e, 0x3f, 0xf8, 0xc9,
  0xca, 0xcb, 0xc8, 0xcd, 0xce, 0xcf, 0xcc, 0x60, 0x3a, 0x23, 0x40, 0x27, 0x3d, 0x22, 0xd8, 0x61, 0x62, 0x63, 0x64,
  0x65, 0x66, 0x67, 0x68, 0x69, 0xab, 0xbb, 0xf0, 0xfd, 0xfe, 0xb1, 0xb0, 0x6a, 0x6b, 0x6c, 0x6d, 0x6e, 0x6f, 0x70,
  0x71, 0x72, 0xaa, 0xba, 0xe6, 0xb8, 0xc6, 0xa4, 0xb5, 0x7e, 0x73, 0x74, 0x75, 0x76, 0x77, 0x78, 0x79, 0x7a, 0xa1,
  0xbf, 0xd0, 0xdd, 0xde, 0xae, 0x5e, 0xa3, 0xa5, 0xb7, 0xa9, 0xa7, 0xb6, 0xbc, 0xbd, 0xbe, 0x5b, 0x5d, 0xaf, 0xa8,
  0xb4, 0xd7, 0x7b, 0x41, 0x42, 0x43, 0x44, 0x45, 0x46, 0x47, 0x48, 0x49, 0xad, 0xf4, 0xf6, 0xf2, 0xf3, 0xf5, 0x7d,
  0x4a, 0x4b, 0x4c, 0x4d, 0x4e, 0x4f, 0x50, 0x51, 0x52, 0xb9, 0xfb, 0xfc, 0xf9, 0xfa, 0xff, 0x5c, 0xf7, 0x53, 0x54,
  0x55, 0x56, 0x57, 0x58, 0x59, 0x5a, 0xb2, 0xd4, 0xd6, 0xd2, 0xd3, 0xd5, 0x30, 0x31, 0x32, 0x33, 0x34, 0x35, 0x36,
  0x37, 0x38, 0x39, 0xb3, 0xdb, 0xdc, 0xd9, 0xda, 0x9f,
]);

const LATIN1_TO_EBCDIC = (() => {
  const table = new Uint8Array(256).fill(0x40);
  EBCDIC_TO_LATIN1.forEach((latin1, ebcdic) => (table[latin1] = ebcdic));
  return table;
})();

function isAlphanumericOrSpace(code: number): boolean {
  return (
    code === 0x20 || (code >= 0x30 && code <= 0x39) || (code >= 0x41 && code <= 0x5a) || (code >= 0x61 && code <= 0x7a)
  );
}

/** Which encoding makes more of these bytes letters, digits and spaces. Ties (e.g. all NUL) go to ASCII. */
export function detectTextEncoding(bytes: Uint8Array): TextEncoding {
  let asciiScore = 0;
  let ebcdicScore = 0;
  for (const byte of bytes) {
    if (isAlphanumericOrSpace(byte)) asciiScore++;
    if (isAlphanumericOrSpace(EBCDIC_TO_LATIN1[byte]!)) ebcdicScore++;
  }
  return ebcdicScore > asciiScore ? 'ebcdic' : 'ascii';
}

function decodeCard(bytes: Uint8Array, encoding: TextEncoding): string {
  let line = '';
  for (const byte of bytes) {
    const code = encoding === 'ebcdic' ? EBCDIC_TO_LATIN1[byte]! : byte;
    line += code < 0x20 || (code >= 0x7f && code < 0xa0) ? ' ' : String.fromCharCode(code);
  }
  return line.trimEnd();
}

/** Decodes a 3200-byte textual header (or extended textual header record). */
export function decodeTextHeader(raw: Uint8Array): TextHeader {
  const cards: Uint8Array[] = [];
  for (let offset = 0; offset + CARD_BYTES <= raw.length; offset += CARD_BYTES)
    cards.push(raw.subarray(offset, offset + CARD_BYTES));
  const overall = detectTextEncoding(raw);
  let mixed = false;
  const lines = cards.map((card) => {
    const encoding = cardEncoding(card, overall);
    if (encoding !== overall) mixed = true;
    return decodeCard(card, encoding);
  });
  // A private copy: callers' buffers (Node Buffer views) must not be able to change the header behind our back.
  return { encoding: overall, mixed, lines, text: lines.join('\n'), raw: Uint8Array.from(raw) };
}

/** A card too blank to judge on its own (fewer than 8 letters/digits in both readings) keeps the header's encoding. */
function cardEncoding(card: Uint8Array, overall: TextEncoding): TextEncoding {
  let ascii = 0;
  let ebcdic = 0;
  for (const byte of card) {
    if (isAlphanumericOrSpace(byte) && byte !== 0x20) ascii++;
    if (isAlphanumericOrSpace(EBCDIC_TO_LATIN1[byte]!) && byte !== 0x40) ebcdic++;
  }
  if (Math.max(ascii, ebcdic) < 8) return overall;
  return ebcdic > ascii ? 'ebcdic' : 'ascii';
}

/** One 80-byte card holding `line` (cut or padded with spaces) in `encoding`; characters outside Latin-1 become '?'. */
export function encodeCard(line: string, encoding: TextEncoding): Uint8Array {
  const card = new Uint8Array(CARD_BYTES);
  for (let i = 0; i < CARD_BYTES; i++) {
    let code = i < line.length ? line.charCodeAt(i) : 0x20;
    if (code > 0xff || code < 0x20) code = 0x3f;
    card[i] = encoding === 'ebcdic' ? LATIN1_TO_EBCDIC[code]! : code;
  }
  return card;
}

/** Encodes whole text (40 lines at most) as a 3200-byte header, each line prefixed by nothing: callers write 'C 1 ...'. */
export function encodeTextHeader(lines: readonly string[], encoding: TextEncoding = 'ebcdic'): Uint8Array {
  const raw = new Uint8Array(TEXT_HEADER_BYTES);
  for (let card = 0; card < TEXT_HEADER_BYTES / CARD_BYTES; card++)
    raw.set(encodeCard(lines[card] ?? '', encoding), card * CARD_BYTES);
  return raw;
}

const CARD_NUMBER = /^C ?(\d{1,2})/;
const END_MARKER = /\bEND (TEXTUAL|EBCDIC)\b/i;
const LAST_CARD = TEXT_HEADER_BYTES / CARD_BYTES - 1;
/** History lines go into blank cards from card 39 back to card 31 before overwriting anything. */
const FIRST_HISTORY_CARD = 30;

/**
 * Returns a copy of the textual header with `history` written into the last blank card (keeping the card's
 * "C39" prefix and the card's encoding); if no card near the end is blank, the last card that is not the
 * "END TEXTUAL HEADER" card is overwritten.
 */
export function withHistoryLine(header: TextHeader, history: string): Uint8Array {
  const raw = Uint8Array.from(header.raw);
  const card = historyCard(header.lines);
  const prefix = CARD_NUMBER.test(header.lines[card] ?? '') ? `C${String(card + 1).padStart(2)} ` : '';
  const encoding = detectTextEncoding(header.raw.subarray(card * CARD_BYTES, (card + 1) * CARD_BYTES));
  const cardEncodingToUse = isBlankCard(header.lines[card] ?? '') ? header.encoding : encoding;
  raw.set(encodeCard(prefix + history, cardEncodingToUse), card * CARD_BYTES);
  return raw;
}

function isBlankCard(line: string): boolean {
  return line.replace(CARD_NUMBER, '').trim() === '';
}

function historyCard(lines: readonly string[]): number {
  for (let card = LAST_CARD; card >= FIRST_HISTORY_CARD; card--) {
    const line = lines[card] ?? '';
    if (isBlankCard(line) && !END_MARKER.test(line)) return card;
  }
  return END_MARKER.test(lines[LAST_CARD] ?? '') ? LAST_CARD - 1 : LAST_CARD;
}

/** The stanza that ends a variable number of extended textual headers (binary header bytes 3505-3506 = -1). */
export function isEndTextStanza(header: TextHeader): boolean {
  return /\(\(\s*SEG:\s*ENDTEXT\s*\)\)/i.test(header.text.replace(/\n/g, ''));
}
