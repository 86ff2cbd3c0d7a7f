import { z } from 'zod';
import type { ModelCard } from '../../../preload/contract';
import { ArchiveError } from './tarArchive';

const nullableNumber = z.number().nullable();
const nullableString = z.string().nullable();

/** Model cards come from archives users share: validated before anything is registered. */
const MODEL_CARD_SCHEMA = z.object({
  name: z.string().min(1).max(200),
  architecture: z.string().min(1).max(64),
  task: z.enum(['denoise', 'interpolate', 'velocity']),
  config: z.unknown(),
  training: z.object({
    data: z.string(),
    seed: nullableNumber,
    epochs: nullableNumber,
    command: nullableString,
    durationSeconds: nullableNumber,
    hardware: nullableString,
    backend: nullableString,
  }),
  metrics: z.record(z.string(), z.number()),
  parentId: nullableString,
  createdAt: z.string(),
  notes: z.string(),
});

export function parseModelCard(bytes: Uint8Array | undefined): ModelCard {
  if (!bytes) throw new ArchiveError('the model has no card.json');
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    throw new ArchiveError('card.json is not valid JSON');
  }
  const parsed = MODEL_CARD_SCHEMA.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new ArchiveError(`card.json: ${issue.path.join('.') || 'card'}: ${issue.message}`);
  }
  return parsed.data as ModelCard;
}
