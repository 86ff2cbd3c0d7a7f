// `npm test`: build, type checks, lint, unit + integration tests (vitest), end-to-end tests (Chromium against the browser
// mode; Electron where its binary exists). Every step runs even if an earlier one fails, and the last line is the
// summary over all suites: "N passed, N failed, N skipped" (each check counts as one test).
// First it brings the system tools the suites need (Debian's chromium, python3-segyio and python3-scipy, and as root
// the Slurm of the cluster tests): installed with apt-get when it runs as root, otherwise named in one line before any test runs; either
// way a missing tool fails the suites that need it (PROMETHIUM_TEST_TOOLS=required, test/testTools.ts) rather than
// letting them skip.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';

const results = { passed: 0, failed: 0, skipped: 0 };
const failures = [];
const failedTests = []; // "file > test: first line of the error", repeated after the summary where a CI log's tail shows it
mkdirSync('test-results', { recursive: true });

const asRoot = process.getuid?.() === 0;
// The real single-host Slurm of the cluster tests runs its daemons as root: elsewhere that suite skips, saying so.
const TEST_TOOLS = [
  { pkgs: ['chromium'], present: () => existsSync(process.env.PROMETHIUM_CHROMIUM ?? '/usr/bin/chromium') },
  {
    pkgs: ['python3-segyio'],
    present: () => spawnSync('/usr/bin/python3', ['-c', 'import segyio, numpy'], { stdio: 'ignore' }).status === 0,
  },
  {
    pkgs: ['python3-scipy'],
    present: () => spawnSync('/usr/bin/python3', ['-c', 'import scipy.signal'], { stdio: 'ignore' }).status === 0,
  },
  {
    pkgs: ['slurmctld', 'slurmd', 'slurm-client', 'munge'],
    present: () => !asRoot || ['/usr/sbin/slurmctld', '/usr/sbin/slurmd', '/usr/sbin/munged'].every(existsSync),
  },
];

/** The Debian packages the suites need: installed where this runs as root; the names of those still missing. */
function bringTestTools() {
  const missing = () => TEST_TOOLS.filter((tool) => !tool.present()).flatMap((tool) => tool.pkgs);
  if (missing().length > 0 && asRoot && existsSync('/usr/bin/apt-get')) {
    console.log(`=== installing ${missing().join(' ')} with apt-get (what the test suites need)`);
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    spawnSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
    spawnSync('apt-get', ['install', '-y', '-qq', ...missing()], { stdio: 'inherit', env });
  }
  return missing();
}

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

/** Each failed test of a vitest JSON report as one line: its file, its name and the first line of its error. */
function failedTestNames(report) {
  return report.testResults.flatMap((file) => {
    const name = file.name.replace(`${process.cwd()}/`, '');
    const tests = file.assertionResults.filter((test) => test.status === 'failed');
    if (tests.length === 0 && file.status === 'failed') return [`${name}: ${firstLine(file.message)}`];
    return tests.map((test) => `${name} > ${test.fullName}: ${firstLine(test.failureMessages?.[0])}`);
  });
}

function firstLine(text) {
  return (text ?? '').split('\n')[0].slice(0, 300);
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
  failedTests.push(...failedTestNames(counts));
  if (!ok && counts.numFailedTests === 0) results.failed++; // a failed suite file (import error) has no failed test
}

const missingTools = bringTestTools();
if (missingTools.length > 0) {
  console.log(
    `npm test needs Debian's ${missingTools.join(' and ')}: run \`sudo apt-get install ${missingTools.join(' ')}\` (as root npm test installs them itself); until then the suites that need them FAIL.`,
  );
}
process.env.PROMETHIUM_TEST_TOOLS = 'required';

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
for (const test of failedTests) console.log(`  failed: ${test}`);
console.log(`\n${results.passed} passed, ${results.failed} failed, ${results.skipped} skipped`);
process.exitCode = results.failed > 0 ? 1 : 0;
