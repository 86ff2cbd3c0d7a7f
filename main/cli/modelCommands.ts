/** `promethium models list|import|add|export`: the model registry on the command line. */
import type { Command } from 'commander';
import { cliServices } from './segyCommands';

async function withRegistry<T>(
  project: string,
  work: (services: ReturnType<typeof cliServices>) => Promise<T>,
): Promise<T> {
  const services = cliServices(project);
  try {
    return await work(services);
  } finally {
    services.close();
  }
}

export function registerModelCommands(program: Command, defaultProject: () => string): void {
  const models = program.command('models').description('bundled, trained and imported models');
  models
    .command('list')
    .description('list the models (bundled ones first)')
    .option('--project <dir>', 'project folder (default: the default project)')
    .option('--json', 'print JSON')
    .action(async (options: { project?: string; json?: boolean }) =>
      withRegistry(options.project ?? defaultProject(), async (services) => {
        const list = await services.models.list();
        if (options.json) return console.log(JSON.stringify(list, null, 2));
        if (list.length === 0) return console.log('no models');
        for (const m of list) {
          const size = `${(m.sizeBytes / 1e6).toFixed(1)} MB`;
          console.log(
            `${m.id}\t${m.name}\t${m.architecture}\t${m.task}\t${m.bundled ? 'bundled' : 'project'}\t${size}`,
          );
        }
      }),
    );
  models
    .command('export')
    .description('write a model and its card as one archive (.pmodel)')
    .argument('<id>', 'model id (see models list)')
    .argument('<out>', 'archive to write')
    .option('--project <dir>', 'project folder (default: the default project)')
    .action(async (id: string, out: string, options: { project?: string }) =>
      withRegistry(options.project ?? defaultProject(), async (services) => {
        const written = await services.models.export(id, out);
        console.log(`wrote ${written.path} (${(written.sizeBytes / 1e6).toFixed(1)} MB)`);
      }),
    );
  models
    .command('import')
    .description('add a model archive (.pmodel) to the project')
    .argument('<archive>', 'archive to read')
    .option('--project <dir>', 'project folder (default: the default project)')
    .action(async (archive: string, options: { project?: string }) =>
      withRegistry(options.project ?? defaultProject(), async (services) => {
        const model = await services.models.import(archive);
        console.log(`imported ${model.name} as ${model.id}`);
      }),
    );
  models
    .command('add')
    .description(
      "add a trained model folder (model.json, weights.bin, card.json: a training run's best/) to the project",
    )
    .argument('<folder>', 'model folder')
    .option('--project <dir>', 'project folder (default: the default project)')
    .action(async (folder: string, options: { project?: string }) =>
      withRegistry(options.project ?? defaultProject(), async (services) => {
        const model = await services.models.addFolder(folder);
        console.log(`added ${model.name} (${model.task}) as ${model.id}`);
      }),
    );
}
