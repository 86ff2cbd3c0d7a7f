import type { EpochMetrics, ModelCard, ModelSummary } from '../../preload/contract';
import type { SqliteDatabase } from './database';

interface ModelRow {
  id: string;
  name: string;
  architecture: string;
  task: string;
  config: string;
  parent_id: string | null;
  path: string;
  size_bytes: number;
  metrics: string | null;
  created_at: string;
  training_job_id: string | null;
}

export interface StoredModel {
  summary: ModelSummary;
  /** Folder of the model's files, relative to the project. */
  path: string;
  trainingJobId: string | null;
}

function fromRow(row: ModelRow): StoredModel {
  return {
    path: row.path,
    trainingJobId: row.training_job_id,
    summary: {
      id: row.id,
      name: row.name,
      architecture: row.architecture,
      task: row.task as ModelSummary['task'],
      bundled: false,
      createdAt: row.created_at,
      sizeBytes: row.size_bytes,
      parentId: row.parent_id,
      metrics: row.metrics ? (JSON.parse(row.metrics) as Record<string, number>) : {},
    },
  };
}

/** Trained and imported models of a project (their files live in the project's models/ folder). */
export class ModelsRepository {
  constructor(private readonly db: SqliteDatabase) {}

  insert(model: { id: string; card: ModelCard; path: string; sizeBytes: number; trainingJobId: string | null }): void {
    const { card } = model;
    this.db
      .prepare(
        `INSERT INTO models (id, name, architecture, task, config, parent_id, path, size_bytes, metrics, created_at,
           training_job_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        model.id,
        card.name,
        card.architecture,
        card.task,
        JSON.stringify(card.config),
        // A parent that is not in this project (a bundled model, another project's) is kept in the card only.
        card.parentId && this.get(card.parentId) ? card.parentId : null,
        model.path,
        model.sizeBytes,
        JSON.stringify(card.metrics),
        card.createdAt,
        model.trainingJobId,
      );
  }

  get(id: string): StoredModel | undefined {
    const row = this.db.prepare('SELECT * FROM models WHERE id = ?').get(id) as ModelRow | undefined;
    return row ? fromRow(row) : undefined;
  }

  list(): StoredModel[] {
    return (this.db.prepare('SELECT * FROM models ORDER BY created_at DESC').all() as ModelRow[]).map(fromRow);
  }

  rename(id: string, name: string): void {
    this.db.prepare('UPDATE models SET name = ? WHERE id = ?').run(name, id);
  }

  remove(id: string): void {
    this.db.prepare('DELETE FROM models WHERE id = ?').run(id);
  }

  recordEpoch(jobId: string, metrics: EpochMetrics): void {
    this.db
      .prepare(
        `INSERT OR REPLACE INTO training_metrics
           (job_id, epoch, train_loss, discriminator_loss, val_loss, val_snr_db, learning_rate, seconds)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        jobId,
        metrics.epoch,
        metrics.trainLoss,
        metrics.discriminatorLoss ?? null,
        metrics.valLoss,
        metrics.valSnrDb,
        metrics.learningRate,
        metrics.seconds,
      );
  }

  history(jobId: string): EpochMetrics[] {
    const rows = this.db.prepare('SELECT * FROM training_metrics WHERE job_id = ? ORDER BY epoch').all(jobId) as {
      epoch: number;
      train_loss: number;
      discriminator_loss: number | null;
      val_loss: number;
      val_snr_db: number;
      learning_rate: number;
      seconds: number;
    }[];
    return rows.map((r) => ({
      epoch: r.epoch,
      trainLoss: r.train_loss,
      ...(r.discriminator_loss === null ? {} : { discriminatorLoss: r.discriminator_loss }),
      valLoss: r.val_loss,
      valSnrDb: r.val_snr_db,
      learningRate: r.learning_rate,
      seconds: r.seconds,
    }));
  }
}
