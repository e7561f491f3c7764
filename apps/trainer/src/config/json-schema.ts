import {
  AdvantageConfigSchema,
  ArpoConfigSchema,
  LossConfigSchema,
  OptimizerConfigSchema,
  RewardConfigSchema,
  RolloutConfigSchema,
} from '@arpo/core';
import { z } from 'zod';
import { FIELD_DOCS } from './field-docs.generated.js';
import {
  DataSectionSchema,
  EvalSectionSchema,
  ModelSectionSchema,
  SftSectionSchema,
  ToolsSectionSchema,
  TrainerConfigSchema,
  TrainSectionSchema,
} from './trainer-config.js';

/** The schemas whose fields carry JSDoc (collected into FIELD_DOCS by tools/gen-config-docs.mjs). */
const DOCUMENTED: Record<string, z.ZodType> = {
  RolloutConfigSchema,
  AdvantageConfigSchema,
  LossConfigSchema,
  OptimizerConfigSchema,
  RewardConfigSchema,
  ArpoConfigSchema,
  ModelSectionSchema,
  DataSectionSchema,
  ToolsSectionSchema,
  SftSectionSchema,
  TrainSectionSchema,
  EvalSectionSchema,
  TrainerConfigSchema,
};

/** The field map of an object schema, also behind a pipe (`.transform`) or a default / prefault wrapper. */
function objectShape(schema: z.ZodType | undefined): Record<string, z.ZodType> | undefined {
  const s = schema as { shape?: Record<string, z.ZodType>; _zod?: { def: { type: string; in?: z.ZodType; innerType?: z.ZodType } } } | undefined;
  if (!s) return undefined;
  if (s.shape) return s.shape;
  const def = s._zod?.def;
  if (def?.type === 'pipe') return objectShape(def.in);
  if (def?.innerType) return objectShape(def.innerType);
  return undefined;
}

let described = false;
/** Registers each field's JSDoc as its JSON Schema description (once; fields already described are left alone). */
function describeFields(): void {
  if (described) return;
  described = true;
  for (const [name, fields] of Object.entries(FIELD_DOCS)) {
    const shape = objectShape(DOCUMENTED[name]);
    if (!shape) continue;
    for (const [field, description] of Object.entries(fields)) {
      const f = shape[field];
      if (f && !z.globalRegistry.has(f)) z.globalRegistry.add(f, { description });
    }
  }
}

/**
 * The JSON Schema (draft 2020-12) of a trainer config file, for editors and validators (`arpo config --schema`):
 * every field with its type, default and the description written beside it in the source.
 */
export function trainerConfigJsonSchema(): Record<string, unknown> {
  describeFields();
  const schema = z.toJSONSchema(TrainerConfigSchema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
  return { ...schema, title: 'ARPO trainer config' };
}
