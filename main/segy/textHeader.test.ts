import { describe, expect, it } from 'vitest';
import {
  decodeTextHeader,
  detectTextEncoding,
  encodeCard,
  encodeTextHeader,
  isEndTextStanza,
  withHistoryLine,
} from './textHeader';

const cards = (...lines: string[]): string[] => lines;

describe('textual header', () => {
  it('detects and decodes EBCDIC and ASCII headers', () => {
    for (const encoding of ['ebcdic', 'ascii'] as const) {
      const header = decodeTextHeader(encodeTextHeader(cards('C 1 CLIENT: DGB', 'C 2 AREA: F3 NETHERLANDS'), encoding));
      expect(header.encoding).toBe(encoding);
      expect(header.mixed).toBe(false);
      expect(header.lines.slice(0, 3)).toEqual(['C 1 CLIENT: DGB', 'C 2 AREA: F3 NETHERLANDS', '']);
      expect(header.lines).toHaveLength(40);
    }
  });

  it('treats NUL padding as blanks', () => {
    const raw = new Uint8Array(3200);
    raw.set(Buffer.from('C 1 GEOMETRICS SEISMODULE'), 0);
    const header = decodeTextHeader(raw);
    expect(header.encoding).toBe('ascii');
    expect(header.lines[0]).toBe('C 1 GEOMETRICS SEISMODULE');
    expect(header.lines[1]).toBe('');
  });

  it('decodes a header mixing EBCDIC and ASCII cards card by card', () => {
    const raw = encodeTextHeader(cards('C 1 THIS CARD IS EBCDIC TEXT', 'C 2 THIS ONE TOO'), 'ebcdic');
    raw.set(encodeCard('C 3 BUT THIS CARD WAS WRITTEN IN ASCII', 'ascii'), 160);
    const header = decodeTextHeader(raw);
    expect([header.encoding, header.mixed]).toEqual(['ebcdic', true]);
    expect(header.lines[2]).toBe('C 3 BUT THIS CARD WAS WRITTEN IN ASCII');
  });

  it('writes the history line into the last blank card, in the header encoding, keeping the card number', () => {
    const lines = Array.from({ length: 40 }, (_, i) => `C${String(i + 1).padStart(2)}`);
    lines[0] = 'C 1 SURVEY F3';
    lines[39] = 'C40 END TEXTUAL HEADER';
    const header = decodeTextHeader(encodeTextHeader(lines, 'ebcdic'));
    const updated = decodeTextHeader(withHistoryLine(header, 'Promethium: denoised'));
    expect(updated.encoding).toBe('ebcdic');
    expect(updated.lines[38]).toBe('C39 Promethium: denoised');
    expect(updated.lines[39]).toBe('C40 END TEXTUAL HEADER');
    expect(updated.lines.filter((line, i) => line !== header.lines[i])).toHaveLength(1);
    expect(header.lines[38]).toBe('C39'); // the original is untouched
  });

  it('overwrites the card before the END card when no card is blank', () => {
    const lines = Array.from({ length: 40 }, (_, i) => `C${String(i + 1).padStart(2)} FULL CARD ${i + 1}`);
    lines[39] = 'C40 END EBCDIC';
    const updated = decodeTextHeader(withHistoryLine(decodeTextHeader(encodeTextHeader(lines, 'ascii')), 'history'));
    expect([updated.lines[38], updated.lines[39]]).toEqual(['C39 history', 'C40 END EBCDIC']);
  });

  it('recognises the ((SEG: EndText)) stanza and detects encodings from letters, not punctuation', () => {
    expect(isEndTextStanza(decodeTextHeader(encodeTextHeader(['((SEG: EndText))'], 'ebcdic')))).toBe(true);
    expect(isEndTextStanza(decodeTextHeader(encodeTextHeader(['((SEG: Foo))'], 'ascii')))).toBe(false);
    expect(detectTextEncoding(Buffer.from('hello world'))).toBe('ascii');
    expect(detectTextEncoding(encodeCard('HELLO WORLD', 'ebcdic'))).toBe('ebcdic');
  });
});
