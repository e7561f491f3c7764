import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { generateTasks, loadDataset, writeTaskSet, type TaskExample, type TaskSet } from '@arpo/tasks';
import type { TrainerConfig } from '../config/trainer-config.js';
import type { Reporter } from '../progress/reporter.js';

/** The examples of a run, by suite, and the search index they are answered from. */
export interface TaskData {
  /** Training questions (all suites, interleaved in the generator's order). */
  train: TaskExample[];
  /** Held-out questions by suite (`eval.split`). */
  heldOut: Record<string, TaskExample[]>;
  /** The SQLite FTS5 index of the corpus. */
  indexPath: string;
  /** The generated task set (null when both splits come from files and no corpus was generated). */
  set: TaskSet | null;
}

/**
 * Generates the built-in tasks from the config (or loads `data.trainFile` / `data.testFile`) and builds the search
 * index in `<dataDir>`: the `data` and `index` phases.
 */
export async function prepareTaskData(config: TrainerConfig, dataDir: string, reporter: Reporter): Promise<TaskData> {
  mkdirSync(dataDir, { recursive: true });
  const d = config.data;
  const phase = reporter.phase('data', 2, 'step');
  const set = generateTasks({
    seed: d.seed,
    suites: d.suites,
    sizes: d.sizes,
    syntheticShare: d.syntheticShare,
    syntheticEntities: d.syntheticEntities,
    distractors: d.distractors,
    multiHopShare: d.multiHopShare,
    twoDecoyShare: d.twoDecoyShare,
  });
  phase.tick(1, `${set.corpus.length} documents`);
  const index = reporter.phase('index', set.corpus.length, 'doc');
  const written = await writeTaskSet(set, dataDir, { index: true });
  index.tick(set.corpus.length);
  index.finish(`${written.index}`);
  const wanted = (e: TaskExample): boolean => d.types.length === 0 || d.types.includes(e.meta?.type ?? '');
  let train = d.suites.flatMap((s) => set.suites[s]?.train ?? []).filter(wanted);
  const heldOut: Record<string, TaskExample[]> = {};
  for (const s of d.suites) heldOut[s] = (set.suites[s]?.[config.eval.split] ?? []).filter(wanted);
  if (d.trainFile) train = loadDataset(d.trainFile, { skipInvalid: d.skipInvalid }).examples;
  if (d.testFile) {
    const loaded = loadDataset(d.testFile, { skipInvalid: d.skipInvalid });
    if (loaded.counts.skipped > 0) reporter.warn(`${d.testFile}: skipped ${loaded.counts.skipped} invalid rows`);
    heldOut['custom'] = loaded.examples;
  }
  phase.tick(1);
  phase.finish(`${train.length} train, ${Object.values(heldOut).reduce((a, e) => a + e.length, 0)} held-out questions`);
  return { train, heldOut, indexPath: join(dataDir, 'corpus.sqlite'), set };
}
