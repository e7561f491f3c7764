import { z } from 'zod';
import { TrainerConfigSchema } from './trainer-config.js';

/** The JSON Schema (draft 2020-12) of a trainer config file, for editors and validators (`arpo config --schema`). */
export function trainerConfigJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(TrainerConfigSchema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
  return { ...schema, title: 'ARPO trainer config' };
}
