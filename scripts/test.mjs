// `npm test`: build, type checks, lint, unit + integration tests (vitest), end-to-end tests (Chromium against the browser
// mode; Electron where its binary exists). Every step runs even if an earlier one fails, and the last line is the
// summary over all suites: "N passed, N failed, N skipped" (each check counts as one test).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';

const results = { passed: 0, failed: 0, skipped: 0 };
const failures = [];
mkdirSync('test-results', { recursive: true });

function run(label, command, args) {
  console.log(`\n=== ${label}: ${command} ${args.join(' ')}`);
  const started = performance.now();
  const outcome = spawnSync(command, args, { stdio: 'inherit', env: { ...process.env, FORCE_COLOR: '0' } });
  console.log(
    `=== ${label}: ${outcome.status === 0 ? 'ok' : 'FAILED'} (${((performance.now() - started) / 1000).toFixed(1)} s)`,
  );
  return outcome.status === 0;
}

function check(label, command, args) {
  if (run(label, command, args)) results.passed++;
  else {
    results.failed++;
    failures.push(label);
  }
}

function vitestSuite(project) {
  const report = `test-results/vitest-${project}.json`;
  const ok = run(`${project} tests`, 'npx', [
    'vitest',
    'run',
    '--project',
    project,
    '--reporter=default',
    '--reporter=json',
    `--outputFile.json=${report}`,
  ]);
  if (!existsSync(report)) {
    results.failed++;
    failures.push(`${project} tests (no report: the runner crashed)`);
    return;
  }
  const counts = JSON.parse(readFileSync(report, 'utf8'));
  results.passed += counts.numPassedTests;
  results.failed += counts.numFailedTests;
  results.skipped += counts.numPendingTests + counts.numTodoTests;
  if (counts.numFailedTests > 0 || !ok) failures.push(`${project} tests`);
  if (!ok && counts.numFailedTests === 0) results.failed++; // a failed suite file (import error) has no failed test
}

check('build', 'node', ['scripts/build.mjs']);
check('typecheck (node)', 'npx', ['tsc', '-p', 'tsconfig.node.json', '--noEmit']);
check('typecheck (renderer)', 'npx', ['tsc', '-p', 'tsconfig.dom.json', '--noEmit']);
check('svelte-check', 'npx', [
  'svelte-check',
  '--tsconfig',
  'tsconfig.dom.json',
  '--threshold',
  'error',
  '--output',
  'human',
]);
check('eslint (with layering rules)', 'npx', ['eslint', '.']);
check('prettier', 'npx', ['prettier', '--check', '.']);
check('electronegativity (Electron security checks)', 'node', ['scripts/electronegativity.mjs']);
vitestSuite('unit');
vitestSuite('e2e');

if (failures.length) console.log(`\nFailed: ${failures.join(', ')}`);
console.log(`\n${results.passed} passed, ${results.failed} failed, ${results.skipped} skipped`);
process.exitCode = results.failed > 0 ? 1 : 0;
