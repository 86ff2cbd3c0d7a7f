/**
 * Errors in the contract's shape. Here, in the lowest layer that reports them, because both the compute process (a
 * failed job) and the handler table of main/api (a failed call) send them to the renderer.
 */
import { PromethiumError, type ApiErrorShape } from '../../preload/contract';
import { SegyFormatError, SegyWriteError } from '../segy/errors';
import { asReadOnlyRefusal } from '../project/database';

const NODE_IO_MESSAGES: Record<string, string> = {
  ENOENT: 'no such file or folder',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  ENOSPC: 'the disk is full',
  EISDIR: 'is a folder, not a file',
  ENOTDIR: 'not a folder',
  EROFS: 'the file system is read-only',
  EMFILE: 'too many open files',
};

function isNodeError(error: unknown): error is NodeJS.ErrnoException {
  return error instanceof Error && typeof (error as NodeJS.ErrnoException).code === 'string';
}

/** A domain error declares its API code by carrying an `apiCode` property; the SEG-Y engine's errors map by kind. */
function domainCode(error: Error): ApiErrorShape['code'] | undefined {
  if (error instanceof SegyFormatError) {
    return error.code === 'not-found' ? 'not-found' : error.code === 'io' ? 'io' : 'segy-format';
  }
  if (error instanceof SegyWriteError) return error.code === 'bad-input' ? 'invalid-argument' : 'io';
  const code = (error as { apiCode?: unknown }).apiCode;
  return typeof code === 'string' ? (code as ApiErrorShape['code']) : undefined;
}

/** Converts anything thrown by a handler into the error shape the renderer shows; unexpected ones are logged. */
export function toApiError(thrown: unknown, context: string): ApiErrorShape {
  const error = asReadOnlyRefusal(thrown);
  if (error instanceof PromethiumError) return error.toJSON();
  if (error instanceof Error) {
    const code = domainCode(error);
    if (code) return { code, message: error.message };
    if (isNodeError(error) && error.code && NODE_IO_MESSAGES[error.code]) {
      const where = error.path ? `${error.path}: ` : '';
      return { code: error.code === 'ENOENT' ? 'not-found' : 'io', message: `${where}${NODE_IO_MESSAGES[error.code]}` };
    }
    console.error(`[api] ${context} failed:`, error);
    return { code: 'internal', message: `${context} failed: ${error.message}` };
  }
  console.error(`[api] ${context} failed with a non-error value:`, error);
  return { code: 'internal', message: `${context} failed` };
}
