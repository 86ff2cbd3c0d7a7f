// A deliberate violation for test/integration/layering.test.ts: main/signal/ is the bottom layer, main/ml/ sits above it.
import { maskChannel } from '../ml/corruption';

export const upward = maskChannel;
