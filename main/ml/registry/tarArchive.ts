/**
 * A minimal POSIX ustar writer and reader for model archives (`.pmodel`): a model's files travel as one archive that
 * `tar -xf` also opens. Only regular files in one folder level; the reader refuses anything else (links, absolute or
 * `..` paths, bad checksums, sizes past the end) because archives come from users.
 */
const BLOCK = 512;

export class ArchiveError extends Error {
  readonly apiCode = 'invalid-argument';
}

function writeString(header: Uint8Array, offset: number, length: number, value: string): void {
  const bytes = new TextEncoder().encode(value);
  if (bytes.length > length) throw new ArchiveError(`archive entry name too long: ${value}`);
  header.set(bytes, offset);
}

function writeOctal(header: Uint8Array, offset: number, length: number, value: number): void {
  writeString(header, offset, length, value.toString(8).padStart(length - 1, '0'));
}

function checksum(header: Uint8Array): number {
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 0x20 : header[i]!;
  return sum;
}

export function writeTar(files: ReadonlyMap<string, Uint8Array>, mtime = Date.now()): Uint8Array {
  const parts: Uint8Array[] = [];
  for (const [name, data] of files) {
    const header = new Uint8Array(BLOCK);
    writeString(header, 0, 100, name);
    writeOctal(header, 100, 8, 0o644);
    writeOctal(header, 108, 8, 0);
    writeOctal(header, 116, 8, 0);
    writeOctal(header, 124, 12, data.length);
    writeOctal(header, 136, 12, Math.floor(mtime / 1000));
    header[156] = 0x30; // '0': regular file
    writeString(header, 257, 6, 'ustar');
    writeString(header, 263, 2, '00');
    writeOctal(header, 148, 7, checksum(header));
    header[155] = 0x20;
    parts.push(header, data, new Uint8Array((BLOCK - (data.length % BLOCK)) % BLOCK));
  }
  parts.push(new Uint8Array(2 * BLOCK));
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

function readString(header: Uint8Array, offset: number, length: number): string {
  const field = header.subarray(offset, offset + length);
  const end = field.indexOf(0);
  return new TextDecoder().decode(end < 0 ? field : field.subarray(0, end));
}

function readOctal(header: Uint8Array, offset: number, length: number): number {
  const text = readString(header, offset, length).trim();
  if (!/^[0-7]+$/.test(text)) throw new ArchiveError('not a model archive: a tar header has a malformed number');
  return parseInt(text, 8);
}

export function readTar(archive: Uint8Array, maxFiles = 64): Map<string, Uint8Array> {
  const files = new Map<string, Uint8Array>();
  for (let at = 0; at + BLOCK <= archive.length;) {
    const header = archive.subarray(at, at + BLOCK);
    if (header.every((b) => b === 0)) return files;
    if (readOctal(header, 148, 8) !== checksum(header)) throw new ArchiveError('not a model archive (tar checksum)');
    const name = readString(header, 0, 100);
    const type = header[156];
    const size = readOctal(header, 124, 12);
    if (type !== 0x30 && type !== 0) throw new ArchiveError(`model archive entry ${name} is not a regular file`);
    if (!/^[A-Za-z0-9._-]+$/.test(name) || name === '.' || name === '..') {
      throw new ArchiveError(`model archive entry has a disallowed name: ${JSON.stringify(name)}`);
    }
    if (at + BLOCK + size > archive.length) throw new ArchiveError(`model archive is truncated inside ${name}`);
    files.set(name, archive.slice(at + BLOCK, at + BLOCK + size));
    if (files.size > maxFiles) throw new ArchiveError('model archive has too many files');
    at += BLOCK + Math.ceil(size / BLOCK) * BLOCK;
  }
  throw new ArchiveError('model archive is truncated (no end-of-archive blocks)');
}
