import {
  ArpoConfigError,
  createRng,
  executionFailedText,
  formatToolResult,
  type ResultFormat,
  type Rng,
  type ToolCallRecord,
  type ToolExecutor, ArpoError } from '@arpo/core';
import { hierarchicalReward } from '@arpo/reward';
import { realCountries, type Country } from './data/countries.js';
import { promptFormat, type PromptFormat, type PromptFormatName } from './prompts.js';
import { DEEP_SEARCH_TEMPLATES, type DeepSearchField, type DeepSearchType } from './deep-search.js';
import type { TaskExample } from './schema.js';
import {
  COMPUTE_TEMPLATES,
  KNOWLEDGE_TEMPLATES,
  MIXED_TEMPLATES,
  questionNumbers,
  roughly,
  type ComputeType,
  type CountryField,
  type KnowledgeType,
  type MixedType,
} from './templates.js';

/** How a demonstration deviates from the ideal one. */
export type Imperfection = 'none' | ImperfectKind;

/**
 * A way a demonstration can be imperfect: a misspelt query, no tool call (answer from memory, a guess), or
 * (deep-search only; elsewhere the demonstration stays ideal) `no-verify`: answer from the first candidate listed
 * without checking the question's condition.
 */
export type ImperfectKind = 'wrong-query' | 'missing-call' | 'no-verify';

/** The {@link ImperfectKind}s `imperfectKinds` defaults to, in order. */
export const IMPERFECT_KINDS: readonly ImperfectKind[] = ['wrong-query', 'missing-call'];
/** Every {@link ImperfectKind}. */
export const ALL_IMPERFECT_KINDS: readonly ImperfectKind[] = ['wrong-query', 'missing-call', 'no-verify'];

/** Options of the scripted solver. */
export interface SolverOptions {
  /** Prompt and answer format (default `reference`). */
  format?: PromptFormatName | PromptFormat;
  /** How results are written into the response (default `training`: `" <result>\n…\n</result>"`, as rollouts do). */
  resultFormat?: ResultFormat;
  /** Share of imperfect demonstrations (a wrong query or a missing tool call), chosen per example. Default 0. */
  imperfectShare?: number;
  /** Which imperfections `imperfectShare` draws from, uniformly (default both: `wrong-query`, `missing-call`). */
  imperfectKinds?: readonly ImperfectKind[];
  /** Seed of the imperfection choices (with the example id). Default 0. */
  seed?: number | string;
  /**
   * Write `\boxed{ answer}` with a space before the answer (default true), so that the answer tokenizes as in the
   * result text, where every value follows a space.
   */
  boxedLeadingSpace?: boolean;
}

/** A piece of a demonstration: text the model writes, or a tool result the environment inserts (loss-masked). */
export interface DemonstrationSegment {
  role: 'model' | 'tool';
  text: string;
}

/** One SFT demonstration: the prompt, the response (model text + real tool results) and its score. */
export interface Demonstration {
  id: string;
  /** The rendered prompt (see `renderPrompt`). */
  prompt: string;
  /** The full response: every segment's text concatenated. */
  response: string;
  segments: DemonstrationSegment[];
  /** The tool calls made, as the executor returned them. */
  toolCalls: ToolCallRecord[];
  /** The text in `\boxed{}` (trimmed). */
  prediction: string;
  imperfection: Imperfection;
  /** `hierarchicalReward(response, answers)`: 1 for a correct answer, 1.1 with both tools. */
  reward: number;
}

/**
 * Builds the demonstration of one example the way the model should answer it: short `<think>` steps, real tool
 * calls through `tools` (so the `<result>` text is what the tool returned), and `<answer> … \boxed{…} </answer>`.
 * The solver reads every value it needs out of the results (it does not look at the gold answer); when a result
 * does not contain it (a tool failed or is disabled) it falls back to a guess: the most common real value for
 * knowledge facts, a two-significant-digit estimate for computations.
 *
 * @throws ArpoConfigError when the example has no `meta` of a built-in suite or its question does not match its type.
 */
export async function solveExample(example: TaskExample, tools: ToolExecutor, options: SolverOptions = {}): Promise<Demonstration> {
  const format = promptFormat(options.format);
  const share = options.imperfectShare ?? 0;
  if (!(share >= 0 && share <= 1)) {
    throw new ArpoConfigError('solver options', [{ field: 'imperfectShare', value: share, expected: 'a number in [0, 1]' }]);
  }
  const kinds = options.imperfectKinds ?? IMPERFECT_KINDS;
  if (kinds.length === 0 || kinds.some((k) => !ALL_IMPERFECT_KINDS.includes(k))) {
    throw new ArpoConfigError('solver options', [{ field: 'imperfectKinds', value: kinds, expected: `a non-empty list of ${ALL_IMPERFECT_KINDS.join(', ')}` }]);
  }
  const rng = createRng(`${options.seed ?? 0}/solver/${example.id}`);
  const imperfection: Imperfection = rng.next() < share ? kinds[Math.floor(rng.next() * kinds.length)]! : 'none';
  const writer = new ResponseWriter(tools, options.resultFormat ?? 'training', example.id);
  const space = options.boxedLeadingSpace ?? true ? ' ' : '';

  const suite = example.meta?.suite;
  const type = example.meta?.type ?? '';
  let answer: string;
  if (suite === 'knowledge' && type in KNOWLEDGE_TEMPLATES) {
    answer = await solveKnowledge(example, type as KnowledgeType, writer, imperfection, rng);
  } else if (suite === 'compute' && type in COMPUTE_TEMPLATES) {
    answer = await solveCompute(example, type as ComputeType, writer, imperfection, rng);
  } else if (suite === 'mixed' && type in MIXED_TEMPLATES) {
    answer = await solveMixed(example, type as MixedType, writer, imperfection, rng);
  } else if (suite === 'deep-search' && type in DEEP_SEARCH_TEMPLATES) {
    answer = await solveDeepSearch(example, type as DeepSearchType, writer, imperfection, rng);
  } else {
    throw new ArpoConfigError(`example ${example.id}`, [
      { field: 'meta', value: example.meta, expected: 'the meta of a built-in suite (knowledge, compute, mixed or deep-search) with a known type' },
    ]);
  }
  writer.model(`\n${format.answer(space + answer)}`);
  const response = writer.response();
  return {
    id: example.id,
    prompt: format.render(example.question),
    response,
    segments: writer.segments,
    toolCalls: writer.calls,
    prediction: answer,
    imperfection,
    reward: hierarchicalReward(response, example.answers).reward,
  };
}

/** Solves many examples concurrently (the executor bounds the tool calls in flight); results in input order. */
export function solveAll(examples: readonly TaskExample[], tools: ToolExecutor, options: SolverOptions = {}): Promise<Demonstration[]> {
  return Promise.all(examples.map((e) => solveExample(e, tools, options)));
}

/**
 * A {@link ToolExecutor} whose tools are all disabled: `search` answers `No search results found.` and every
 * other tool an execution error. With it the scripted solver shows what each suite scores without tools.
 */
export function createDisabledToolExecutor(toolNames: readonly string[] = ['search', 'python']): ToolExecutor {
  return {
    toolNames,
    async executeAll(calls) {
      return calls.map((call) => {
        const search = call.tool === 'search';
        return {
          tool: call.tool,
          input: call.input,
          output: search ? 'No search results found.' : executionFailedText(call.tool, 'the tool is disabled'),
          status: search ? ('ok' as const) : ('error' as const),
          durationMs: 0,
          attempts: 1,
          cached: false,
        };
      });
    },
  };
}

class ResponseWriter {
  readonly segments: DemonstrationSegment[] = [];
  readonly calls: ToolCallRecord[] = [];
  private pending = '';

  constructor(
    private readonly tools: ToolExecutor,
    private readonly resultFormat: ResultFormat,
    private readonly trajectoryId: string,
  ) {}

  model(text: string): void {
    this.pending += text;
  }

  think(text: string): void {
    this.model(`${this.pending === '' && this.segments.length === 0 ? '' : '\n'}<think> ${text} </think>`);
  }

  async call(tool: 'search' | 'python', input: string): Promise<string> {
    this.model(tool === 'python' ? `\n<python>\n${input}\n</python>` : `\n<${tool}> ${input} </${tool}>`);
    this.segments.push({ role: 'model', text: this.pending });
    this.pending = '';
    const [record] = await this.tools.executeAll([{ tool, input, trajectoryId: this.trajectoryId }]);
    if (!record) throw new ArpoError(`tool executor returned no record for the ${tool} call`);
    this.calls.push(record);
    this.segments.push({ role: 'tool', text: formatToolResult(record.output, this.resultFormat) });
    return record.output;
  }

  response(): string {
    if (this.pending !== '') {
      this.segments.push({ role: 'model', text: this.pending });
      this.pending = '';
    }
    return this.segments.map((s) => s.text).join('');
  }
}

// ---------------------------------------------------------------------------------------------------------
// reading results

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** The capital of `country` from a result (`Page n: X is the capital city of Country.`). */
function readCapital(result: string, country: string): string | undefined {
  return new RegExp(`^Page \\d+: (.+) is the capital city of ${escapeRegExp(country)}\\.$`, 'm').exec(result)?.[1];
}

/** The country whose capital is `capital` from a result. */
function readCountryOfCapital(result: string, capital: string): string | undefined {
  return new RegExp(`^Page \\d+: ${escapeRegExp(capital)} is the capital city of (.+)\\.$`, 'm').exec(result)?.[1];
}

const COUNTRY_FIELDS = {
  continent: / is a country in (.+?)\. Its currency/,
  currency: / code ([A-Z]{3})\. /,
  'calling-code': / calling code is (\d+)\. /,
  language: / main language is (.+?)\.$/,
} as const;

/** Every country named in `capital`'s capital-city sentences of a result (`X is the capital city of C.`), in order. */
function readCountriesOfCapital(result: string, capital: string): string[] {
  const re = new RegExp(`(?:^Page \\d+: |\\. )${escapeRegExp(capital)} is the capital city of (.+?)(?=\\.(?: |$))`, 'gm');
  return [...result.matchAll(re)].map((m) => m[1]!);
}

/** A field of `country`'s document in a result. */
function readCountryField(result: string, country: string, field: keyof typeof COUNTRY_FIELDS): string | undefined {
  const line = new RegExp(`^Page \\d+: ${escapeRegExp(country)} is a country in .*$`, 'm').exec(result)?.[0];
  return line === undefined ? undefined : COUNTRY_FIELDS[field].exec(line)?.[1];
}

/** The number printed as `answer: N` by a solver program. */
function readPrinted(result: string): bigint | undefined {
  const m = /^answer: (-?\d+)$/m.exec(result);
  return m?.[1] === undefined ? undefined : BigInt(m[1]);
}

// ---------------------------------------------------------------------------------------------------------
// guesses without tools

let guesses: Record<CountryField | 'language', string> | undefined;

/** The most common value of each field over the real countries (ties: alphabetically first). */
function guess(field: CountryField | 'language'): string {
  if (!guesses) {
    const mode = (values: string[]): string => {
      const counts = new Map<string, number>();
      for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
      return [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))[0]?.[0] ?? 'unknown';
    };
    const all: readonly Country[] = realCountries();
    guesses = {
      capital: mode(all.map((c) => c.capital)),
      country: mode(all.map((c) => c.name)),
      currency: mode(all.map((c) => c.currencyCode)),
      continent: mode(all.map((c) => c.continent)),
      'calling-code': mode(all.map((c) => String(c.callingCode))),
      language: mode(all.map((c) => c.language)),
    };
  }
  return guesses[field];
}

/** A typo in a query: one letter of `name` (not the first) replaced by another. */
function misspell(name: string, rng: Rng): string {
  const positions = [...name].map((ch, i) => (i > 0 && /\p{L}/u.test(ch) ? i : -1)).filter((i) => i >= 0);
  if (positions.length === 0) return `${name}x`;
  const chars = [...name];
  const i = positions[rng.int(positions.length)]!;
  const current = chars[i]!.toLowerCase();
  let replacement = current;
  while (replacement === current) replacement = String.fromCharCode(97 + rng.int(26));
  chars[i] = replacement;
  return chars.join('');
}

function parseQuestion(example: TaskExample, pattern: RegExp): string[] {
  const m = pattern.exec(example.question);
  if (!m) {
    throw new ArpoConfigError(`example ${example.id}`, [
      { field: 'question', value: example.question, expected: `a question matching ${String(pattern)} (its meta.type is ${example.meta?.type})` },
    ]);
  }
  return m.slice(1).map((s) => s ?? '');
}

const FIELD_WORDS: Record<Exclude<CountryField, 'capital' | 'country'>, { query: string; noun: string }> = {
  currency: { query: 'currency of', noun: 'currency code' },
  continent: { query: 'continent of', noun: 'continent' },
  'calling-code': { query: 'calling code of', noun: 'calling code' },
};

// ---------------------------------------------------------------------------------------------------------
// suites

async function solveKnowledge(example: TaskExample, type: KnowledgeType, w: ResponseWriter, imperfection: Imperfection, rng: Rng): Promise<string> {
  const t = KNOWLEDGE_TEMPLATES[type];
  const [subject = ''] = parseQuestion(example, t.pattern);
  const noun = t.field === 'capital' ? 'capital' : t.field === 'country' ? 'country' : FIELD_WORDS[t.field].noun;
  const q = (name: string) => (imperfection === 'wrong-query' ? misspell(name, rng) : name);

  if (imperfection === 'missing-call') {
    const g = guess(t.field);
    w.think(`I think the ${noun} is ${g}.`);
    return g;
  }
  const fail = (): string => {
    const g = guess(t.field);
    w.think(`The result does not give the ${noun}. My best guess is ${g}.`);
    return g;
  };

  if (t.field === 'capital') {
    w.think(`I need the capital of ${subject}. I will search for it.`);
    const name = q(subject);
    const found = readCapital(await w.call('search', `capital of ${name}`), name);
    if (found === undefined) return fail();
    w.think(`The capital of ${subject} is ${found}.`);
    return found;
  }
  if (t.field === 'country') {
    w.think(`I need the country whose capital is ${subject}. I will search for it.`);
    const name = q(subject);
    const found = readCountryOfCapital(await w.call('search', `capital city ${name}`), name);
    if (found === undefined) return fail();
    w.think(`${subject} is the capital city of ${found}.`);
    return found;
  }

  // The solver reads the result for the name it searched (a misspelled query finds nothing to read).
  const words = FIELD_WORDS[t.field];
  let country = q(subject);
  if (t.subject === 'capital') {
    w.think(`I need the country whose capital is ${subject}, then its ${words.noun}.`);
    const capital = country;
    const found = readCountryOfCapital(await w.call('search', `capital city ${capital}`), capital);
    if (found === undefined) return fail();
    country = found;
    w.think(`The country is ${country}. Now I need the ${words.noun} of ${country}.`);
  } else {
    w.think(`I need the ${words.noun} of ${subject}. I will search for it.`);
  }
  const value = readCountryField(await w.call('search', `${words.query} ${country}`), country, t.field);
  if (value === undefined) return fail();
  w.think(`The ${words.noun} of ${country} is ${value}.`);
  return value;
}

async function solveCompute(example: TaskExample, type: ComputeType, w: ResponseWriter, imperfection: Imperfection, rng: Rng): Promise<string> {
  const t = COMPUTE_TEMPLATES[type];
  const numbers = questionNumbers(example.question);
  const estimate = () => t.value(numbers.map(roughly)).toString();
  if (imperfection === 'missing-call') {
    const e = estimate();
    w.think(`I will estimate the result. It is about ${e}.`);
    return e;
  }
  let used = numbers;
  if (imperfection === 'wrong-query') {
    // a typo in the program: one digit of the largest operand changed
    const i = numbers.reduce((best, n, j) => (n > numbers[best]! ? j : best), 0);
    const digits = [...numbers[i]!.toString()];
    const k = digits.length > 1 ? 1 + rng.int(digits.length - 1) : 0;
    digits[k] = String((Number(digits[k]) + 1 + rng.int(9)) % 10);
    used = numbers.map((n, j) => (j === i ? BigInt(digits.join('')) : n));
  }
  w.think('I will compute this with Python.');
  const value = readPrinted(await w.call('python', t.code(used)));
  if (value === undefined) {
    const e = estimate();
    w.think(`The program gave no result. I estimate about ${e}.`);
    return e;
  }
  w.think(`The result is ${value}.`);
  return value.toString();
}

async function solveMixed(example: TaskExample, type: MixedType, w: ResponseWriter, imperfection: Imperfection, rng: Rng): Promise<string> {
  const t = MIXED_TEMPLATES[type];
  const [first = '', second = ''] = parseQuestion(example, t.pattern);
  const scaled = type === 'calling-code-scaled';
  const names = scaled ? [first] : [first, second];
  const op = t.operator === '+' ? '+' : '*';
  const fallback = BigInt(guess('calling-code'));

  if (imperfection === 'missing-call') {
    const codes = names.map(() => fallback);
    const value = scaled ? fallback * BigInt(second) : op === '+' ? codes[0]! + codes[1]! : codes[0]! * codes[1]!;
    w.think(`I think the answer is ${value}.`);
    return value.toString();
  }

  w.think(scaled ? `I need the calling code of ${first}.` : `I need the calling codes of ${first} and ${second}.`);
  const codes: bigint[] = [];
  for (const [i, name] of names.entries()) {
    const queried = imperfection === 'wrong-query' && i === 0 ? misspell(name, rng) : name;
    const read = readCountryField(await w.call('search', `calling code of ${queried}`), queried, 'calling-code');
    const code = read === undefined ? fallback : BigInt(read);
    codes.push(code);
    const next =
      i + 1 < names.length
        ? ` Now I need the calling code of ${names[i + 1]}.`
        : scaled
          ? ` Now I multiply it by ${second} with Python.`
          : ` Now I ${op === '+' ? 'add' : 'multiply'} them with Python.`;
    w.think(
      read === undefined
        ? `The result does not give the calling code of ${name}. I will assume ${code}.${next}`
        : `The calling code of ${name} is ${code}.${next}`,
    );
  }
  const operands = scaled ? [codes[0]!, BigInt(second)] : codes;
  const expected = op === '+' ? operands[0]! + operands[1]! : operands[0]! * operands[1]!;
  const value = readPrinted(await w.call('python', `print("answer:", ${operands[0]} ${op} ${operands[1]})`));
  if (value === undefined) {
    const e = roughly(expected).toString();
    w.think(`The program gave no result. I estimate about ${e}.`);
    return e;
  }
  w.think(`The result is ${value}.`);
  return value.toString();
}

const DEEP_NOUNS: Record<DeepSearchField, string> = {
  'calling-code': 'calling code',
  currency: 'currency code',
  language: 'main language',
  continent: 'continent',
  country: 'country',
};

/**
 * Deep-search: one search lists the countries whose capital has the asked name; each candidate, in the order listed,
 * gets a search of its own name, which shows its continent and language; the first that meets the question's
 * condition gives the answer. A candidate that does not meet it is a misleading lead: the next one is searched.
 */
async function solveDeepSearch(example: TaskExample, type: DeepSearchType, w: ResponseWriter, imperfection: Imperfection, rng: Rng): Promise<string> {
  const t = DEEP_SEARCH_TEMPLATES[type];
  const [value = '', capital = ''] = parseQuestion(example, t.pattern);
  const noun = DEEP_NOUNS[t.field];
  const fallbackField = t.field === 'country' ? 'country' : t.field;
  const fail = (why: string): string => {
    const g = guess(fallbackField);
    w.think(`${why} My best guess is ${g}.`);
    return g;
  };
  if (imperfection === 'missing-call') {
    const g = guess(fallbackField);
    w.think(`I think the ${noun} is ${g}.`);
    return g;
  }
  const q = (name: string) => (imperfection === 'wrong-query' ? misspell(name, rng) : name);
  w.think(`I search the capital ${capital}.`);
  const searched = q(capital);
  const candidates = readCountriesOfCapital(await w.call('search', `capital city ${searched}`), searched);
  if (candidates.length === 0) return fail(`No country has the capital ${capital}.`);
  w.think(`I check ${candidates[0]}.`);
  for (const [i, country] of candidates.entries()) {
    const result = await w.call('search', `country ${country}`);
    const actual = readCountryField(result, country, t.condition);
    const answer = t.field === 'country' ? country : readCountryField(result, country, t.field);
    if (actual === undefined || answer === undefined) return fail(`No page on ${country}.`);
    if (actual === value || imperfection === 'no-verify') {
      w.think(t.field === 'country' ? `${country} fits.` : `The ${noun} is ${answer}.`);
      return answer;
    }
    const next = candidates[i + 1];
    if (next === undefined) return fail(`${actual}, not ${value}. None fits.`);
    w.think(`${actual}, not ${value}. I check ${next}.`);
  }
  return fail('No candidate fits.');
}
