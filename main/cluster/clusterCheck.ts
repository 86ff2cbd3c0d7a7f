/**
 * `promethium cluster check`: what is missing before work can go to the cluster. The Slurm commands here, the
 * partition, and (through one short job on a node) that the node sees the project and runs the same Promethium.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Project } from '../project/project';
import type { ClusterCheck, ClusterSettings } from '../../preload/contract';
import { runSlurm, sbatch } from './slurm';
import { shellQuote } from './clusterApply';

type CheckItem = ClusterCheck['items'][number];

async function item(what: string, probe: () => Promise<string>): Promise<CheckItem> {
  try {
    return { what, ok: true, detail: await probe() };
  } catch (error) {
    return { what, ok: false, detail: error instanceof Error ? error.message : String(error) };
  }
}

/** One short job that reports, from a node, whether it sees the project and which Promethium version it runs. */
async function probeFromNode(project: Project, settings: ClusterSettings, command: string): Promise<string> {
  const dir = await mkdtemp(path.join(project.dir, '.cluster-check-'));
  try {
    const script = path.join(dir, 'check.sbatch');
    const report = path.join(dir, 'report.txt');
    await writeFile(
      script,
      `#!/bin/bash
test -r ${shellQuote(path.join(project.dir, 'project.sqlite'))} && echo project-visible > ${shellQuote(report)}
${command} --version >> ${shellQuote(report)} 2>&1
`,
      { mode: 0o755 },
    );
    const options = ['--wait', '--job-name=promethium-check', `--output=${path.join(dir, 'out.log')}`, '--time=5'];
    if (settings.partition) options.push(`--partition=${settings.partition}`);
    if (settings.account) options.push(`--account=${settings.account}`);
    await sbatch(options, script);
    return await readFile(report, 'utf8').catch(() => '');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** `version`: this installation's, which the nodes must run too. */
export async function checkCluster(
  project: Project,
  settings: ClusterSettings,
  command: string,
  version: string,
): Promise<ClusterCheck> {
  const items: CheckItem[] = [];
  for (const tool of ['sbatch', 'squeue', 'scancel']) {
    items.push(await item(`${tool} on the PATH`, async () => (await runSlurm(tool, ['--version'])).trim()));
  }
  items.push(
    await item('sacct (task history)', async () => {
      await runSlurm('sacct', ['--noheader', '--starttime=now', '--format=JobID']);
      return 'accounting answers';
    }).then((check) =>
      check.ok ? check : { ...check, ok: true, detail: `off (${check.detail}); squeue and scontrol will do` },
    ),
  );
  items.push(
    await item(`partition ${settings.partition || '(default)'}`, async () => {
      const args = ['--noheader', '--format=%P %a %D nodes'];
      const out = (
        await runSlurm('sinfo', settings.partition ? [...args, `--partition=${settings.partition}`] : args)
      ).trim();
      if (!out) throw new Error('sinfo lists no such partition');
      return out.split('\n').join('; ');
    }),
  );
  if (items.every((check) => check.ok)) {
    const seen = await item('a node runs a job', () => probeFromNode(project, settings, command));
    items.push(seen);
    if (seen.ok) {
      items.push({
        what: 'the project on a file system the nodes see',
        ok: seen.detail.includes('project-visible'),
        detail: seen.detail.includes('project-visible') ? project.dir : `a node cannot read ${project.dir}`,
      });
      const nodeVersion = /\d+\.\d+\.\d+\S*/.exec(seen.detail.replace('project-visible', ''))?.[0];
      items.push({
        what: 'the same Promethium version on the nodes',
        ok: nodeVersion === version,
        detail: nodeVersion
          ? `${nodeVersion} there, ${version} here (command: ${command})`
          : `"${command} --version" failed there`,
      });
    }
  }
  return { ok: items.every((check) => check.ok), items };
}
