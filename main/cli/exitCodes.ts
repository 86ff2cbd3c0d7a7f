import { PromethiumError } from '../../preload/contract';
import { SegyFormatError, SegyWriteError } from '../segy';
import { UsageError } from './usageError';

/** The CLI's exit codes, so scripts can tell a bad file from a full disk from a bug. */
export const EXIT = {
  ok: 0,
  internal: 1,
  usage: 2,
  badInput: 3,
  io: 4,
  cancelled: 130,
} as const;

/** Errors of the services (a survey or volume id that is not in the project, a volume not ready...). */
const SERVICE_EXIT_CODES: Partial<Record<PromethiumError['code'], number>> = {
  'invalid-argument': EXIT.usage,
  'not-found': EXIT.usage,
  'segy-format': EXIT.badInput,
  'damaged-file': EXIT.badInput,
  'read-only': EXIT.io,
  unavailable: EXIT.io,
  io: EXIT.io,
  cancelled: EXIT.cancelled,
};

export function exitCodeFor(error: unknown): number {
  if (error instanceof UsageError) return EXIT.usage;
  const declared = (error as { exitCode?: unknown } | undefined)?.exitCode;
  if (typeof declared === 'number') return declared;
  if (error instanceof SegyFormatError)
    return error.code === 'not-found' || error.code === 'io' ? EXIT.io : EXIT.badInput;
  if (error instanceof SegyWriteError) return EXIT.io;
  if (error instanceof PromethiumError) return SERVICE_EXIT_CODES[error.code] ?? EXIT.internal;
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (typeof code === 'string' && /^E[A-Z]+$/.test(code)) return EXIT.io;
  return EXIT.internal;
}
