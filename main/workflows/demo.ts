import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { SurveySummary } from '../../preload/contract';
import type { AppServices } from './services';
import { demoSurvey } from '../synth/demoSurvey';

const DEMO_SETTING = 'demo.surveyId';

/**
 * First run: writes the synthetic demo survey into the user-data folder and imports it into the open project, so a
 * new user has something to browse at once. Done once per project (remembered in its settings).
 */
export async function ensureDemoSurvey(services: AppServices): Promise<SurveySummary | null> {
  const project = services.project;
  const known = project.settings.get<string>(DEMO_SETTING);
  if (known && project.surveys.get(known)) return services.surveys.get(known);
  const dir = path.join(services.options.userDataDir, 'demo');
  await mkdir(dir, { recursive: true });
  const file = await demoSurvey(dir);
  const { survey } = services.surveys.startImport({ path: file, name: 'Demo survey (synthetic)' });
  project.settings.set(DEMO_SETTING, survey.id);
  return survey;
}
