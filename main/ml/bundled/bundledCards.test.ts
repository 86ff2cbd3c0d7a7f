/** The bundled models' cards speak to the interpreter: what the model does, where it is good and where not, measured. */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ModelCard } from '../../../preload/contract';

const MODELS_DIR = path.resolve('resources/models');
const bundled = readdirSync(MODELS_DIR, { withFileTypes: true }).filter((entry) => entry.isDirectory());

describe.each(bundled.map((entry) => entry.name))('the card of %s', (id) => {
  const card = JSON.parse(readFileSync(path.join(MODELS_DIR, id, 'card.json'), 'utf8')) as ModelCard;
  const userText = [card.notes, card.training.data, card.training.command ?? ''].join('\n');

  it('says where the model is good and where not, with measured figures', () => {
    expect(card.notes).toMatch(/Good on:/);
    expect(card.notes).toMatch(/Not good on:/);
    // Reconstruction is measured in dB of SNR, velocity maps in MAPE (%).
    expect(card.notes).toMatch(card.task === 'velocity' ? /MAPE \d+\.\d %/ : /\d+\.\d dB/);
  });

  it('holds no source paths, developer commands or project talk', () => {
    expect(userText).not.toMatch(/npm run|\.ts\b|main\/|test\/bench|the issue|commit [0-9a-f]{7}/i);
  });
});
