/**
 * The project's cluster settings: where and how its jobs run on the user's Slurm cluster. Stored in the project's
 * settings table, so everyone who opens the project submits to the same place.
 */
import { z } from 'zod';
import type { Project } from '../project/project';

const SETTINGS_KEY = 'cluster';
/** A Slurm name (partition, account): letters, digits and . _ - only, so it can never break out of a batch script. */
const slurmName = z.string().regex(/^[\w.-]*$/, 'letters, digits, ".", "_" and "-" only');

export const clusterSettingsSchema = z.object({
  /** Empty: the cluster's default partition. */
  partition: slurmName.default(''),
  account: slurmName.default(''),
  /** Slurm's time format (minutes, MM:SS, HH:MM:SS, D-HH:MM:SS); empty: the partition's default. */
  timeLimit: z
    .string()
    .regex(/^(\d+-)?\d+(:\d+){0,2}$|^$/, 'a Slurm time such as 90, 02:00:00 or 1-00:00:00')
    .default(''),
  gpusPerTask: z.number().int().min(0).max(16).default(0),
  cpusPerTask: z.number().int().min(1).max(512).default(1),
  /** How many array tasks an apply is split into (fewer when the survey has fewer inlines). */
  tasks: z.number().int().min(1).max(10_000).default(8),
  /**
   * The command that starts Promethium on the nodes (e.g. "/opt/promethium/bin/promethium" or a module load line
   * ending in it); empty: this installation's own, which works where the nodes see the same file system.
   */
  command: z.string().max(4096).default(''),
});
export type ClusterSettings = z.infer<typeof clusterSettingsSchema>;

export function readClusterSettings(project: Project): ClusterSettings {
  return clusterSettingsSchema.parse(project.settings.get<unknown>(SETTINGS_KEY) ?? {});
}

/** Merges a change into the stored settings; a value Slurm would not take is refused with the field's name. */
export function updateClusterSettings(project: Project, change: Partial<ClusterSettings>): ClusterSettings {
  const result = clusterSettingsSchema.safeParse({ ...readClusterSettings(project), ...change });
  if (!result.success) {
    const issue = result.error.issues[0]!;
    throw new Error(`cluster setting ${issue.path.join('.')}: ${issue.message}`);
  }
  project.settings.set(SETTINGS_KEY, result.data);
  return result.data;
}
