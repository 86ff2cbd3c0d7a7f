/**
 * Typed errors of the SEG-Y engine. Every failure a user can cause (a damaged or foreign file, a full disk) ends up
 * as one of these, with a message that names the trace, the byte position or the header field involved.
 */

export type SegyErrorCode =
  | 'not-found'
  | 'io'
  | 'empty-file'
  | 'not-segy'
  | 'too-small'
  | 'unsupported-format'
  | 'bad-header'
  | 'truncated'
  | 'trace-out-of-range'
  | 'inconsistent-layout'
  | 'closed';

export class SegyFormatError extends Error {
  override readonly name = 'SegyFormatError';
  constructor(
    readonly code: SegyErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export type SegyWriteErrorCode = 'no-space' | 'io' | 'bad-input' | 'aborted';

export class SegyWriteError extends Error {
  override readonly name = 'SegyWriteError';
  constructor(
    readonly code: SegyWriteErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
