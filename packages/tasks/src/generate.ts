import { ArpoConfigError, createRng, parseConfig, type Rng } from '@arpo/core';
import type { CorpusDoc } from '@arpo/tools';
import { z } from 'zod';
import { countryDocuments } from './corpus.js';
import { realCountries, type Country } from './data/countries.js';
import { syntheticCountries } from './data/synthetic.js';
import { wordnetDistractors } from './data/wordnet.js';
import { DecoyFactory, DEEP_SEARCH_TEMPLATES, DEEP_SEARCH_TYPES, conditionValue, deepSearchAnswers } from './deep-search.js';
import { DEFAULT_SUITES, SPLITS, SUITES, type Split, type SuiteName, type TaskExample } from './schema.js';
import {
  COMPUTE_TEMPLATES,
  COMPUTE_TYPES,
  KNOWLEDGE_MULTI_HOP,
  KNOWLEDGE_SINGLE_HOP,
  MIXED_TEMPLATES,
  MIXED_TYPES,
  knowledgeQuestion,
  type KnowledgeType,
} from './templates.js';

const count = z.number().int().min(0);

/** Options of {@link generateTasks}; every field has a default. */
export const TaskGenerationConfigSchema = z.strictObject({
  /** Seed of every random choice; the same config gives byte-identical output. */
  seed: z.union([z.number().int().safe(), z.string()]).default(0),
  /** Suites to generate (default: knowledge, compute and mixed; `deep-search` only when named). */
  suites: z.array(z.enum(SUITES)).min(1).default([...DEFAULT_SUITES]),
  /** Examples per split, for each suite. */
  sizes: z
    .strictObject({ train: count.default(1000), validation: count.default(100), test: count.default(200) })
    .prefault({}),
  /** Share of training examples (knowledge, mixed) about invented entities, drawn per example. */
  syntheticShare: z.number().min(0).max(1).default(0.75),
  /** Invented countries in the corpus (each adds two documents). */
  syntheticEntities: z.number().int().min(0).max(15_000).default(1000),
  /** WordNet gloss documents added to the corpus as distractors. */
  distractors: z.number().int().min(0).max(50_000).default(2000),
  /** Share of the real countries held out for validation questions. */
  validationFraction: z.number().min(0).max(0.5).default(0.1),
  /** Share of the real countries held out for test questions. */
  testFraction: z.number().min(0).max(0.5).default(0.2),
  /** Share of knowledge questions that need two searches (capital → country → fact). */
  multiHopShare: z.number().min(0).max(1).default(0.5),
  /**
   * Deep-search: share of target countries whose capital name two invented decoys share (the others have one), so a
   * question takes 2 to 4 searches (list the candidates, then check them one by one).
   */
  twoDecoyShare: z.number().min(0).max(1).default(0.67),
});
export type TaskGenerationConfig = z.output<typeof TaskGenerationConfigSchema>;
export type TaskGenerationConfigInput = z.input<typeof TaskGenerationConfigSchema>;

/** Real countries by split (disjoint) and the invented ones (training only). */
export interface TaskEntities {
  train: Country[];
  validation: Country[];
  test: Country[];
  synthetic: Country[];
}

/** Everything {@link generateTasks} makes. */
export interface TaskSet {
  config: TaskGenerationConfig;
  /** Documents of every real and invented country, then the distractors. */
  corpus: CorpusDoc[];
  entities: TaskEntities;
  /** Examples of each generated suite and split. */
  suites: Partial<Record<SuiteName, Record<Split, TaskExample[]>>>;
}

/**
 * Generates the built-in suites and their corpus, deterministically from `config.seed`.
 *
 * - Real countries (`countries-list`) are shuffled and split: `testFraction` → test, `validationFraction` →
 *   validation, the rest → train. Questions about a country appear only in its split.
 * - Training questions of `knowledge` and `mixed` are about invented countries with probability
 *   `syntheticShare`; validation and test use only held-out real countries.
 * - Every split draws from its own random stream (`<seed>/<suite>/<split>`) in the order test, validation,
 *   train, and no question text occurs twice in a task set; so test questions do not change when the training
 *   size does.
 *
 * @throws ArpoConfigError for invalid options or a size larger than the distinct questions available.
 */
export function generateTasks(input: TaskGenerationConfigInput = {}): TaskSet {
  const config = parseConfig(TaskGenerationConfigSchema, input, 'task generation config');
  const needsWorld = config.suites.some((s) => s !== 'compute');
  const entities = splitEntities(config);
  const usesSynthetic = needsWorld && config.syntheticShare > 0 && config.sizes.train > 0;
  if (usesSynthetic && config.syntheticEntities < 2) {
    throw new ArpoConfigError('task generation config', [
      { field: 'syntheticEntities', value: config.syntheticEntities, expected: `at least 2 when syntheticShare > 0 (it is ${config.syntheticShare})` },
    ]);
  }
  entities.synthetic = usesSynthetic ? syntheticCountries(createRng(`${config.seed}/synthetic`), config.syntheticEntities) : [];

  const corpus: CorpusDoc[] = [];
  if (needsWorld) {
    for (const c of realCountries()) corpus.push(...countryDocuments(c));
    for (const c of entities.synthetic) corpus.push(...countryDocuments(c));
    const names = [...realCountries(), ...entities.synthetic].flatMap((c) => [c.name, c.capital, ...c.aliases]);
    corpus.push(...wordnetDistractors(createRng(`${config.seed}/distractors`), config.distractors, names));
  }

  const used = new Set<string>();
  const suites: TaskSet['suites'] = {};
  const decoys = config.suites.includes('deep-search') ? new DecoyFactory(createRng(`${config.seed}/deep-search/decoys`), entities.synthetic, [...realCountries(), ...entities.synthetic]) : null;
  for (const suite of config.suites) {
    const out = { train: [], validation: [], test: [] } as Record<Split, TaskExample[]>;
    for (const split of ['test', 'validation', 'train'] as const) {
      const rng = createRng(`${config.seed}/${suite}/${split}`);
      out[split] = generateSplit(suite, split, config, entities, rng, used, decoys);
    }
    suites[suite] = out;
  }
  if (decoys) {
    const { capitals, countries } = decoys.documents();
    for (let i = 0; i < corpus.length; i++) corpus[i] = capitals.get(corpus[i]!.id) ?? corpus[i]!;
    corpus.push(...countries);
  }
  return { config, corpus, entities, suites };
}

/** All examples of one split, suite after suite (in `config.suites` order). */
export function splitExamples(set: TaskSet, split: Split): TaskExample[] {
  return set.config.suites.flatMap((suite) => set.suites[suite]?.[split] ?? []);
}

function splitEntities(config: TaskGenerationConfig): TaskEntities {
  const shuffled = createRng(`${config.seed}/entities`).shuffle(realCountries());
  const nTest = Math.round(shuffled.length * config.testFraction);
  const nValidation = Math.round(shuffled.length * config.validationFraction);
  const byKey = (a: Country, b: Country) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);
  return {
    test: shuffled.slice(0, nTest).sort(byKey),
    validation: shuffled.slice(nTest, nTest + nValidation).sort(byKey),
    train: shuffled.slice(nTest + nValidation).sort(byKey),
    synthetic: [],
  };
}

function pick<T>(rng: Rng, items: readonly T[]): T {
  return items[rng.int(items.length)]!;
}

const MAX_REDRAWS = 2000;

function generateSplit(
  suite: SuiteName,
  split: Split,
  config: TaskGenerationConfig,
  entities: TaskEntities,
  rng: Rng,
  used: Set<string>,
  decoys: DecoyFactory | null,
): TaskExample[] {
  const n = config.sizes[split];
  if (n === 0) return [];
  const real = entities[split];
  const syntheticShare = split === 'train' && entities.synthetic.length > 0 ? config.syntheticShare : 0;
  const field = `sizes.${split}`;
  const fail = (expected: string): never => {
    throw new ArpoConfigError(`task generation config (${suite} suite)`, [{ field, value: n, expected }]);
  };

  if (suite !== 'compute' && syntheticShare < 1) {
    const minEntities = suite === 'mixed' ? 2 : 1;
    if (real.length < minEntities) {
      fail(`0, because the ${split} split has ${real.length} real countries (raise ${split === 'train' ? 'the share left for training' : `${split}Fraction`})`);
    }
    if ((suite === 'knowledge' || suite === 'deep-search') && syntheticShare === 0) {
      const types = suite === 'knowledge' ? knowledgeTypes(config.multiHopShare).length : DEEP_SEARCH_TYPES.length;
      const available = real.length * types;
      if (n > available) fail(`at most ${available} (${real.length} ${split} countries × ${types} question types)`);
    }
  }

  const out: TaskExample[] = [];
  for (let i = 0; i < n; i++) {
    let example: Omit<TaskExample, 'id'> | undefined;
    for (let attempt = 0; attempt < MAX_REDRAWS; attempt++) {
      const candidate = drawExample(suite, split, config, entities, rng, syntheticShare, decoys);
      if (!used.has(candidate.question)) {
        example = candidate;
        break;
      }
    }
    if (!example) {
      fail(`fewer distinct questions than asked: only ${i} found (lower it, or raise syntheticEntities for training)`);
      break;
    }
    used.add(example.question);
    out.push({ id: `${suite}-${split}-${String(i).padStart(5, '0')}`, ...example });
  }
  return out;
}

function knowledgeTypes(multiHopShare: number): KnowledgeType[] {
  return [...(multiHopShare < 1 ? KNOWLEDGE_SINGLE_HOP : []), ...(multiHopShare > 0 ? KNOWLEDGE_MULTI_HOP : [])];
}

function drawExample(
  suite: SuiteName,
  split: Split,
  config: TaskGenerationConfig,
  entities: TaskEntities,
  rng: Rng,
  syntheticShare: number,
  decoys: DecoyFactory | null,
): Omit<TaskExample, 'id'> {
  if (suite === 'compute') {
    const type = pick(rng, COMPUTE_TYPES);
    const t = COMPUTE_TEMPLATES[type];
    const numbers = t.draw((lo, hi) => BigInt(lo + rng.int(hi - lo + 1)));
    return {
      question: t.question(numbers),
      answers: [t.value(numbers).toString()],
      ability: 'math',
      tools: ['python'],
      meta: { suite, type, split, hops: 1, synthetic: false },
    };
  }
  const synthetic = syntheticShare > 0 && rng.next() < syntheticShare;
  const pool = synthetic ? entities.synthetic : entities[split];
  if (suite === 'knowledge') {
    const multi = rng.next() < config.multiHopShare;
    const type = pick(rng, multi ? KNOWLEDGE_MULTI_HOP : KNOWLEDGE_SINGLE_HOP);
    const q = knowledgeQuestion(type, pick(rng, pool));
    return {
      question: q.question,
      answers: q.answers,
      ability: 'qa',
      tools: ['search'],
      meta: { suite, type, split, hops: q.hops, synthetic },
    };
  }
  if (suite === 'deep-search') {
    const type = pick(rng, DEEP_SEARCH_TYPES);
    const t = DEEP_SEARCH_TEMPLATES[type];
    const target = pick(rng, decoys!.targetsIn(pool));
    const count = rng.next() < config.twoDecoyShare ? 2 : 1;
    const candidates = 1 + decoys!.decoysOf(target, count).length;
    return {
      question: t.question(target.capital, conditionValue(target, t.condition)),
      answers: deepSearchAnswers(target, t.field),
      ability: 'qa',
      tools: ['search'],
      // hops: searches in the worst case (list the candidates, then check each one)
      meta: { suite, type, split, hops: 1 + candidates, synthetic },
    };
  }
  const type = pick(rng, MIXED_TYPES);
  const t = MIXED_TEMPLATES[type];
  const a = pick(rng, pool);
  if (type === 'calling-code-scaled') {
    const factor = BigInt(1000 + rng.int(99_000));
    return {
      question: t.question(a.name, factor.toString()),
      answers: [(BigInt(a.callingCode) * factor).toString()],
      ability: 'math',
      tools: ['search', 'python'],
      meta: { suite, type, split, hops: 2, synthetic },
    };
  }
  let b = pick(rng, pool);
  while (b === a) b = pick(rng, pool);
  const x = BigInt(a.callingCode);
  const y = BigInt(b.callingCode);
  return {
    question: t.question(a.name, b.name),
    answers: [(t.operator === '+' ? x + y : x * y).toString()],
    ability: 'math',
    tools: ['search', 'python'],
    meta: { suite, type, split, hops: 3, synthetic },
  };
}
