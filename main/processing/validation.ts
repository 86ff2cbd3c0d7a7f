/**
 * Input checks shared by the classical methods. Every failure is a `ProcessingInputError`, which the API layer reports
 * as an invalid argument with its message (main/compute/apiErrors.ts reads `apiCode`).
 */
import type { SectionShape } from '../signal/metrics';
import type { TraceMask } from '../signal/corruption';

/** A section, mask or option a classical method cannot work with; the message names the option and the bad value. */
export class ProcessingInputError extends Error {
  readonly apiCode = 'invalid-argument';
  override readonly name = 'ProcessingInputError';
}

export function checkSection(section: Float32Array, shape: SectionShape): void {
  const { traces, samples } = shape;
  if (!Number.isInteger(traces) || !Number.isInteger(samples) || traces < 0 || samples < 0) {
    throw new ProcessingInputError(
      `section shape must be whole numbers of traces and samples, got ${traces} x ${samples}`,
    );
  }
  if (section.length !== traces * samples) {
    throw new ProcessingInputError(
      `section of ${section.length} samples does not match ${traces} traces x ${samples} samples`,
    );
  }
}

export function checkMask(mask: TraceMask, shape: SectionShape): void {
  if (mask.length !== shape.traces) {
    throw new ProcessingInputError(`trace mask of ${mask.length} traces for a section of ${shape.traces} traces`);
  }
}

/** A finite number > 0. */
export function checkPositive(name: string, value: number): number {
  if (!(Number.isFinite(value) && value > 0))
    throw new ProcessingInputError(`${name} must be a positive number, got ${value}`);
  return value;
}

/** A finite number. */
export function checkFinite(name: string, value: number): number {
  if (!Number.isFinite(value)) throw new ProcessingInputError(`${name} must be a finite number, got ${value}`);
  return value;
}

/** A finite number >= 0. */
export function checkNonNegative(name: string, value: number): number {
  if (!(Number.isFinite(value) && value >= 0)) {
    throw new ProcessingInputError(`${name} must be a number >= 0, got ${value}`);
  }
  return value;
}

/** A finite number in [min, max]. */
export function checkInRange(name: string, value: number, min: number, max: number): number {
  if (!(Number.isFinite(value) && value >= min && value <= max)) {
    throw new ProcessingInputError(`${name} must be between ${min} and ${max}, got ${value}`);
  }
  return value;
}

/** A whole number >= min. */
export function checkInteger(name: string, value: number, min: number): number {
  if (!(Number.isInteger(value) && value >= min)) {
    throw new ProcessingInputError(`${name} must be a whole number of at least ${min}, got ${value}`);
  }
  return value;
}

/** A whole odd number >= 1 (a window centred on the output sample). */
export function checkOddWindow(name: string, value: number): number {
  if (!(Number.isInteger(value) && value >= 1 && value % 2 === 1)) {
    throw new ProcessingInputError(`${name} must be an odd whole number (the window is centred), got ${value}`);
  }
  return value;
}

/** One of the allowed string values. */
export function checkChoice<T extends string>(name: string, value: T, allowed: readonly T[]): T {
  if (!allowed.includes(value)) {
    throw new ProcessingInputError(`${name} must be one of ${allowed.join(', ')}, got ${String(value)}`);
  }
  return value;
}
