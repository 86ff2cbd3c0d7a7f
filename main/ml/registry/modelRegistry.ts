/**
 * The model registry: bundled models (read-only, shipped in resources/models/<id>/) and the project's trained and
 * imported models (files in <project>/models/<id>/, metadata in SQLite). Import/export as one `.pmodel` archive.
 */
import { randomUUID } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import { mkdir, readFile, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { PromethiumError, type ModelCard, type ModelDetails, type ModelSummary } from '../../../preload/contract';
import type { Project } from '../../project/project';
import { writeFileAtomically } from '../../files/atomicFile';
import { ArchiveError, readTar, writeTar } from './tarArchive';
import { MODEL_FILES, readModelCard, readModelFiles, writeModelFiles } from './modelFiles';
import { parseModelCard } from './modelCardSchema';

const MAX_ARCHIVE_BYTES = 4 * 1024 ** 3;

function summaryOfBundled(id: string, card: ModelCard, sizeBytes: number): ModelSummary {
  return {
    id,
    name: card.name,
    architecture: card.architecture,
    task: card.task,
    bundled: true,
    createdAt: card.createdAt,
    sizeBytes,
    parentId: card.parentId,
    metrics: card.metrics,
  };
}

export class ModelRegistry {
  constructor(
    private readonly project: () => Project,
    private readonly bundledDir: string,
  ) {}

  /** Bundled models are the subfolders of the bundled folder that hold a model card. */
  private bundledIds(): string[] {
    if (!existsSync(this.bundledDir)) return [];
    return readdirSync(this.bundledDir, { withFileTypes: true })
      .filter((d) => d.isDirectory() && existsSync(path.join(this.bundledDir, d.name, MODEL_FILES.card)))
      .map((d) => d.name)
      .sort();
  }

  private isBundled(id: string): boolean {
    return this.bundledIds().includes(id);
  }

  async list(): Promise<ModelSummary[]> {
    const bundled = await Promise.all(this.bundledIds().map((id) => this.bundledSummary(id)));
    const stored = await Promise.all(
      this.project()
        .models.list()
        .map(async (m) => {
          // A damaged model folder must not hide every model: its row is listed as stored.
          const card = await readModelCard(this.folder(m.summary.id)).catch(() => null);
          return card === null ? m.summary : this.withBundledParent(m.summary, card);
        }),
    );
    return [...bundled, ...stored];
  }

  /**
   * The project's table can only reference the project's own models (its parent_id is a foreign key), so a model
   * fine-tuned from a bundled one is stored without a parent; its card names the bundled parent, given here.
   */
  private withBundledParent(summary: ModelSummary, card: ModelCard): ModelSummary {
    const parent = card.parentId;
    return summary.parentId === null && parent !== null && this.isBundled(parent)
      ? { ...summary, parentId: parent }
      : summary;
  }

  async get(id: string): Promise<ModelDetails> {
    if (this.isBundled(id)) {
      const card = await readModelCard(this.folder(id));
      return { summary: await this.bundledSummary(id), card, history: [] };
    }
    const stored = this.stored(id);
    const card = await readModelCard(this.folder(id));
    const history = stored.trainingJobId ? this.project().models.history(stored.trainingJobId) : [];
    return { summary: this.withBundledParent(stored.summary, card), card, history };
  }

  /** The folder holding a model's files (for loading it for inference or fine-tuning). */
  folder(id: string): string {
    if (this.isBundled(id)) return path.join(this.bundledDir, id);
    return path.join(this.project().dir, this.stored(id).path);
  }

  /** Registers a model whose files were just written to a temporary folder (moved into the project). */
  async add(
    files: ReadonlyMap<string, Uint8Array>,
    trainingJobId: string | null = null,
    project: Project = this.project(),
  ): Promise<ModelSummary> {
    const card = parseModelCard(files.get(MODEL_FILES.card));
    const id = randomUUID();
    const relative = path.join('models', id);
    await mkdir(project.modelsDir, { recursive: true });
    const sizeBytes = await writeModelFiles(path.join(project.dir, relative), files);
    project.models.insert({ id, card, path: relative, sizeBytes, trainingJobId });
    return project.models.get(id)!.summary;
  }

  /** Registers a model folder written outside the project (a training run's best/, e.g. `velocity train`): copied in. */
  async addFolder(dir: string): Promise<ModelSummary> {
    return this.add(await readModelFiles(dir));
  }

  async rename(id: string, name: string): Promise<ModelSummary> {
    this.refuseBundled(id, 'renamed');
    const dir = this.folder(id);
    const card = await readModelCard(dir);
    await writeFileAtomically(path.join(dir, MODEL_FILES.card), JSON.stringify({ ...card, name }, null, 2));
    this.project().models.rename(id, name);
    return this.stored(id).summary;
  }

  async remove(id: string): Promise<void> {
    this.refuseBundled(id, 'deleted');
    const dir = this.folder(id);
    this.project().models.remove(id);
    await rm(dir, { recursive: true, force: true });
  }

  async export(id: string, out: string): Promise<{ path: string; sizeBytes: number }> {
    const archive = writeTar(await readModelFiles(this.folder(id)));
    const target = path.resolve(out.endsWith('.pmodel') ? out : `${out}.pmodel`);
    await writeFileAtomically(target, archive);
    return { path: target, sizeBytes: archive.length };
  }

  async import(file: string): Promise<ModelSummary> {
    const size = (await stat(file)).size;
    if (size > MAX_ARCHIVE_BYTES) throw new ArchiveError(`${file} is larger than any model archive (${size} bytes)`);
    const files = readTar(new Uint8Array(await readFile(file)));
    for (const name of Object.values(MODEL_FILES)) {
      if (!files.has(name))
        throw new ArchiveError(`${path.basename(file)} is not a Promethium model: ${name} is missing`);
    }
    try {
      JSON.parse(new TextDecoder().decode(files.get(MODEL_FILES.topology)));
    } catch {
      throw new ArchiveError(`${path.basename(file)}: model.json is not valid JSON`);
    }
    return this.add(files);
  }

  private async bundledSummary(id: string): Promise<ModelSummary> {
    const dir = path.join(this.bundledDir, id);
    const card = await readModelCard(dir);
    const sizes = await Promise.all(
      Object.values(MODEL_FILES).map((f) =>
        stat(path.join(dir, f)).then(
          (s) => s.size,
          () => 0,
        ),
      ),
    );
    return summaryOfBundled(
      id,
      card,
      sizes.reduce((a, b) => a + b, 0),
    );
  }

  private stored(id: string) {
    const stored = this.project().models.get(id);
    if (!stored) throw new PromethiumError('not-found', `no model ${id} in this project or among the bundled models`);
    return stored;
  }

  private refuseBundled(id: string, what: string): void {
    if (this.isBundled(id))
      throw new PromethiumError('invalid-argument', `bundled model ${id} is read-only and cannot be ${what}`);
  }
}
