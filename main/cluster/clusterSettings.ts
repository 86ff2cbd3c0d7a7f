/**
 * The project's cluster settings: where and how its jobs run on the user's Slurm cluster. Stored in the project's
 * settings table, so everyone who opens the project submits to the same place.
 */
import { PromethiumError, clusterSettingsSchema, type ClusterSettings } from '../../preload/contract';
import type { Project } from '../project/project';

const SETTINGS_KEY = 'cluster';

export function readClusterSettings(project: Project): ClusterSettings {
  return clusterSettingsSchema.parse(project.settings.get<unknown>(SETTINGS_KEY) ?? {});
}

/** Merges a change into the stored settings; a value Slurm would not take is refused with the field's name. */
export function updateClusterSettings(project: Project, change: Partial<ClusterSettings>): ClusterSettings {
  const result = clusterSettingsSchema.safeParse({ ...readClusterSettings(project), ...change });
  if (!result.success) {
    const issue = result.error.issues[0]!;
    throw new PromethiumError('invalid-argument', `cluster setting ${issue.path.join('.')}: ${issue.message}`);
  }
  project.settings.set(SETTINGS_KEY, result.data);
  return result.data;
}
