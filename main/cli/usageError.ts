/** A command used wrongly (bad arguments, files that do not go together): exit code 2, message without a stack. */
export class UsageError extends Error {
  readonly apiCode = 'invalid-argument';
}
