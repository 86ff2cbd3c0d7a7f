/**
 * Typed errors of the survey cache. `apiCode` is what main/compute/apiErrors.ts reads to turn them into the error shape the
 * renderer shows, so a damaged cache or a bad request reaches the user as a sentence, not a stack trace.
 */

export type SurveyCacheErrorCode = 'io' | 'not-found' | 'invalid-argument';

export class SurveyCacheError extends Error {
  override readonly name = 'SurveyCacheError';
  constructor(
    readonly apiCode: SurveyCacheErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** A cache file that is missing pieces, has foreign metadata or was cut short: the fix is to rebuild the cache. */
export function damagedCache(dir: string, detail: string, cause?: unknown): SurveyCacheError {
  return new SurveyCacheError('io', `survey cache ${dir} is damaged (${detail}); re-import the survey to rebuild it`, {
    cause,
  });
}

export function invalidCacheArgument(message: string): SurveyCacheError {
  return new SurveyCacheError('invalid-argument', message);
}
