import { describe, expect, it } from 'vitest';
import { buildPatchIndex, shuffled, splitPatchIndexByLine, type LineExtent } from './patchIndex';

const patch = { samples: 128, traces: 64 };
const stride = { samples: 64, traces: 32 };

function survey(lineCount: number): LineExtent[] {
  return Array.from({ length: lineCount }, (_, i) => ({ line: 1000 + 2 * i, traces: 200, samples: 300 }));
}

describe('buildPatchIndex', () => {
  it('lists every patch start of every line, the last aligned to the line end', () => {
    const index = buildPatchIndex([{ line: 7, traces: 200, samples: 300 }], patch, stride);
    const traceStarts = [...new Set(index.map((entry) => entry.traceStart))];
    const sampleStarts = [...new Set(index.map((entry) => entry.sampleStart))];
    expect(traceStarts).toEqual([0, 32, 64, 96, 128, 136]);
    expect(sampleStarts).toEqual([0, 64, 128, 172]);
    expect(index).toHaveLength(24);
    expect(index.every((entry) => entry.line === 7)).toBe(true);
  });

  it('gives a line smaller than the patch one start at 0 on that axis', () => {
    expect(buildPatchIndex([{ line: 1, traces: 20, samples: 300 }], patch, stride).map((e) => e.traceStart)).toEqual([
      0, 0, 0, 0,
    ]);
  });
});

describe('splitPatchIndexByLine', () => {
  it('splits a single line (a 2D line, one gather) by traces: the last fifth validates', () => {
    const line = { line: 3, traces: 600, samples: 256 };
    const split = splitPatchIndexByLine([line], { traces: 128, samples: 128 }, { traces: 64, samples: 64 }, 0.2, 1);
    expect(split.validation.length).toBeGreaterThan(0);
    expect(split.train.every((entry) => entry.line === 3 && entry.traceStart + 128 <= 480)).toBe(true);
    expect(split.validation.every((entry) => entry.traceStart >= 480)).toBe(true);
    expect(split.validationLines).toEqual([3]);
  });

  it('keeps every line in exactly one set, with all its patches', () => {
    const lines = survey(10);
    const split = splitPatchIndexByLine(lines, patch, stride, 0.2, 42);
    expect(split.validationLines).toHaveLength(2);
    expect([...split.trainLines, ...split.validationLines].sort()).toEqual(lines.map((l) => l.line).sort());
    const trainLines = new Set(split.train.map((entry) => entry.line));
    const validationLines = new Set(split.validation.map((entry) => entry.line));
    expect([...trainLines].filter((line) => validationLines.has(line))).toEqual([]);
    expect(split.train.length + split.validation.length).toBe(buildPatchIndex(lines, patch, stride).length);
    expect(split.validation).toHaveLength(2 * 24);
  });

  it('is reproducible by seed and shuffles', () => {
    const lines = survey(10);
    const a = splitPatchIndexByLine(lines, patch, stride, 0.3, 1);
    expect(splitPatchIndexByLine(lines, patch, stride, 0.3, 1)).toEqual(a);
    expect(splitPatchIndexByLine(lines, patch, stride, 0.3, 2).validationLines).not.toEqual(a.validationLines);
    expect(a.train).not.toEqual(
      buildPatchIndex(
        lines.filter((l) => a.trainLines.includes(l.line)),
        patch,
        stride,
      ),
    );
  });

  it('keeps at least one line on each side, and refuses a line listed twice', () => {
    expect(splitPatchIndexByLine(survey(3), patch, stride, 0.01, 1).validationLines).toHaveLength(1);
    expect(splitPatchIndexByLine(survey(3), patch, stride, 0.99, 1).trainLines).toHaveLength(1);
    expect(splitPatchIndexByLine(survey(3), patch, stride, 0, 1).validation).toEqual([]);
    expect(() => splitPatchIndexByLine([...survey(2), ...survey(1)], patch, stride, 0.5, 1)).toThrow('twice');
  });
});

describe('shuffled', () => {
  it('permutes without losing items and leaves the input alone', () => {
    const items = Array.from({ length: 50 }, (_, i) => i);
    const result = shuffled(items, 3);
    expect(result).not.toEqual(items);
    expect([...result].sort((a, b) => a - b)).toEqual(items);
    expect(items[0]).toBe(0);
  });
});
