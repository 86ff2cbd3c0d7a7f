/** `promethium recordings import|list`: folders of miniSEED files as recording sets of a project. */
import path from 'node:path';
import type { Command } from 'commander';
import type { RecordingSetSummary } from '../../preload/contract';
import { formatProblem } from '../passive/mseed';
import { EXIT } from './exitCodes';
import { ProgressBar } from './progressBar';
import { cliServices, waitForJob } from './segyCommands';

export function registerRecordingCommands(program: Command): void {
  const recordings = program
    .command('recordings')
    .description('passive recordings in a project: folders of miniSEED files imported as recording sets');
  recordings
    .command('import')
    .description(
      'import a folder of miniSEED files (and the folders below it) as one recording set: every file decoded once ' +
        'into the project cache; damaged records are listed and the rest loads',
    )
    .argument('<folder>', 'folder of miniSEED files (or one file)')
    .requiredOption('--project <dir>', 'project folder (created if new)')
    .option('--name <name>', 'name of the set (default: the folder name)')
    .option('--json', 'print the recording set as JSON')
    .action(async (folder: string, options: ImportOptions) => importRecordings(folder, options));
  recordings
    .command('list')
    .description("the project's recording sets: channels, time spans (UTC), rates, gaps, damaged records")
    .requiredOption('--project <dir>', 'project folder')
    .option('--json', 'print JSON')
    .action(async (options: { project: string; json?: boolean }) => listRecordings(options));
}

interface ImportOptions {
  project: string;
  name?: string;
  json?: boolean;
}

async function importRecordings(folder: string, options: ImportOptions): Promise<void> {
  const services = cliServices(options.project);
  try {
    const { recordingSet, job } = services.recordings.startImport({ dir: folder, name: options.name });
    const finished = await waitForJob(services, job, new ProgressBar(`importing ${path.basename(folder)}`));
    if (finished.state !== 'done') {
      const exitCode = finished.error?.code === 'not-found' ? EXIT.io : EXIT.badInput;
      throw Object.assign(new Error(`import failed: ${finished.error?.message ?? finished.state}`), { exitCode });
    }
    const imported = services.recordings.get(recordingSet.id);
    if (options.json) console.log(JSON.stringify(imported, null, 2));
    else console.log(`imported ${describeSet(imported)}\ninto ${services.project.dir}`);
  } finally {
    services.close();
  }
}

async function listRecordings(options: { project: string; json?: boolean }): Promise<void> {
  const services = cliServices(options.project);
  try {
    const sets = services.recordings.list();
    if (options.json) console.log(JSON.stringify(sets, null, 2));
    else console.log(sets.length === 0 ? 'no recording sets in this project' : sets.map(describeSet).join('\n\n'));
  } finally {
    services.close();
  }
}

function describeSet(set: RecordingSetSummary): string {
  const mseedFiles = set.files.filter((file) => file.isMseed).length;
  const skipped = set.files.length - mseedFiles;
  const lines = [
    `${set.name} (${set.id}, ${set.state}): ${set.sourceDir}`,
    `  ${mseedFiles} miniSEED file${mseedFiles === 1 ? '' : 's'}${skipped > 0 ? `, ${skipped} other skipped` : ''}`,
    ...set.channels.map(
      (c) =>
        `  ${c.name.padEnd(16)} ${`${c.sampleRate} Hz`.padStart(9)}  ${c.startUtc} to ${c.endUtc}` +
        `  ${c.sampleCount} samples${c.gaps.length > 0 ? `, ${c.gaps.length} gap${c.gaps.length === 1 ? '' : 's'}` : ''}`,
    ),
  ];
  const problems = set.files.flatMap((file) => file.problems);
  if (problems.length > 0) lines.push(`  damaged or doubtful records (${problems.length}):`);
  for (const problem of problems) {
    lines.push(`    ${problem.file}: ${formatProblem(problem)}`);
  }
  return lines.join('\n');
}
