/**
 * Configs of the velocity networks, as data like the section models' (`{ architecture, params }`, optionally under
 * `model:`), in resources/configs/velocity/. Validated here because they come from files and users.
 */
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { parseVelocityConfigText } from './velocityNetworkConfig';

const positiveInt = z.number().int().positive();

export const INVERSION_NET_CONFIG_SCHEMA = z
  .object({
    architecture: z.literal('inversionnet'),
    params: z
      .object({
        /** Time samples per trace, receivers per shot and shots per sample of the input. */
        samples: positiveInt.default(1000),
        receivers: positiveInt.default(70),
        shots: positiveInt.default(5),
        /** Cells per side of the square velocity map. */
        output_size: positiveInt.default(70),
        /** Channels of the first encoder conv; the encoder widens to 16 x base. */
        base: positiveInt.default(32),
        /** Velocities that the output's -1 and 1 stand for, m/s. */
        min_velocity: z.number().positive().default(1500),
        max_velocity: z.number().positive().default(4500),
      })
      .strict()
      .refine((p) => p.max_velocity > p.min_velocity, 'max_velocity must exceed min_velocity'),
  })
  .strict();

export type InversionNetConfig = z.infer<typeof INVERSION_NET_CONFIG_SCHEMA>;
export type InversionNetParams = InversionNetConfig['params'];

export function parseInversionNetConfigText(text: string, source: string): InversionNetConfig {
  return parseVelocityConfigText(INVERSION_NET_CONFIG_SCHEMA, text, source);
}

export async function readInversionNetConfig(filePath: string): Promise<InversionNetConfig> {
  return parseInversionNetConfigText(await readFile(filePath, 'utf8'), filePath);
}
