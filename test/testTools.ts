/**
 * The tools some suites need from the system: Debian's chromium (the end-to-end browser) and python3-segyio (the SEG-Y
 * oracle). Run alone, a suite skips visibly without them; under `npm test` (which installs them as root, and otherwise
 * says what to install before any test runs) PROMETHIUM_TEST_TOOLS=required makes a missing tool fail the suites that
 * need it, so a machine without them can never pass while testing less.
 */
export function toolAvailable(available: boolean, missing: string): boolean {
  if (!available && process.env.PROMETHIUM_TEST_TOOLS === 'required') {
    throw new Error(`${missing}: this suite needs it (npm test says how to install it)`);
  }
  return available;
}
