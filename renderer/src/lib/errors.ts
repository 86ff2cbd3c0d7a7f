import type { ApiErrorShape } from '../../../preload/contract';

/** What the UI shows for a failure: the API's own code and message, or a readable stand-in for anything else. */
export interface DisplayedError {
  code: ApiErrorShape['code'] | 'client';
  message: string;
}

function hasCodeAndMessage(value: unknown): value is { code: unknown; message: unknown } {
  return typeof value === 'object' && value !== null && 'code' in value && 'message' in value;
}

/** Every API call rejects with a PromethiumError-like `{ code, message }`; anything else is a client-side fault. */
export function describeError(error: unknown): DisplayedError {
  if (hasCodeAndMessage(error) && typeof error.code === 'string' && typeof error.message === 'string') {
    return { code: error.code as ApiErrorShape['code'], message: error.message };
  }
  if (error instanceof Error) return { code: 'client', message: error.message || error.name };
  return { code: 'client', message: String(error) };
}

export function errorCode(error: unknown): string | null {
  return hasCodeAndMessage(error) && typeof error.code === 'string' ? error.code : null;
}
