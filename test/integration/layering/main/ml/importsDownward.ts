// The allowed direction, for test/integration/layering.test.ts: main/ml/ imports main/signal/ below it.
import { signalToNoiseDb } from '../signal/metrics';

export const downward = signalToNoiseDb;
