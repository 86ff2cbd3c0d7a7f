// Electronegativity (Doyensec's checker of Electron security anti-patterns) over the Electron surface: main/app (the
// main process) and preload/ (the bridge). It fails on any finding not in scripts/electronegativity-accepted.json, the
// documented false positives, each with the reason and the test that covers it; an accepted finding that is no longer
// reported fails too, so the list cannot go stale. The checker reads one folder, so the two are copied into one.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const VERSION = '1.10.3';
const ELECTRON = JSON.parse(readFileSync('package.json', 'utf8')).optionalDependencies.electron;
const SCANNED = ['main/app', 'preload'];
// Asks GitHub for Electron's release notes: not reachable from CI, and the Electron version is pinned on purpose.
const SKIPPED_CHECKS = ['AvailableSecurityFixesGlobalCheck'];
const accepted = JSON.parse(readFileSync('scripts/electronegativity-accepted.json', 'utf8')).accepted;

/** The records of a CSV file: fields split at commas outside double quotes, quotes removed ("" is a quote). */
function csvRecords(text) {
  const records = [];
  let fields = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') field += text[++i];
      else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      fields.push(field);
      field = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      fields.push(field);
      if (fields.some((f) => f !== '')) records.push(fields);
      fields = [];
      field = '';
    } else field += c;
  }
  fields.push(field);
  if (fields.some((f) => f !== '')) records.push(fields);
  return records;
}

const scratch = mkdtempSync(path.join(os.tmpdir(), 'electronegativity-'));
try {
  for (const dir of SCANNED) {
    cpSync(dir, path.join(scratch, 'src', dir), { recursive: true, filter: (file) => !file.endsWith('.test.ts') });
  }
  const report = path.join(scratch, 'findings.csv');
  const run = spawnSync(
    'npx',
    [
      '--yes',
      `@doyensec/electronegativity@${VERSION}`,
      ...['--input', path.join(scratch, 'src'), '--relative', '--electron-version', ELECTRON],
      ...['--exclude-checks', SKIPPED_CHECKS.join(','), '--output', report],
    ],
    { encoding: 'utf8' },
  );
  if (run.status !== 0) {
    console.log(run.stdout, run.stderr);
    throw new Error(`electronegativity exited with ${run.status}`);
  }
  const csv = readFileSync(report, 'utf8');
  const findings = csvRecords(csv)
    .slice(1)
    .map((fields) => {
      const [check, severity, , file, location, sample] = fields;
      if (sample === undefined) throw new Error(`electronegativity wrote a row this script cannot read:\n${csv}`);
      return { check, file, severity, location, sample };
    });
  const isAccepted = (finding) => accepted.some((a) => a.check === finding.check && a.file === finding.file);
  const unexpected = findings.filter((finding) => !isAccepted(finding));
  const stale = accepted.filter((a) => !findings.some((f) => a.check === f.check && a.file === f.file));
  for (const f of findings) {
    console.log(
      `${isAccepted(f) ? 'accepted' : 'FINDING '} ${f.check} ${f.severity} ${f.file} ${f.location} ${f.sample}`,
    );
  }
  for (const a of stale) console.log(`STALE    ${a.check} ${a.file}: accepted but no longer reported; remove it`);
  console.log(
    `electronegativity ${VERSION} on ${SCANNED.join(', ')} (Electron ${ELECTRON}): ${findings.length} findings, ${unexpected.length} not accepted, ${stale.length} stale`,
  );
  process.exitCode = unexpected.length + stale.length > 0 ? 1 : 0;
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
