import type { Country } from './data/countries.js';

// ---------------------------------------------------------------------------------------------------------
// knowledge: one or two searches

export const KNOWLEDGE_SINGLE_HOP = ['capital', 'country-of-capital', 'currency', 'continent', 'calling-code'] as const;
export const KNOWLEDGE_MULTI_HOP = ['currency-by-capital', 'calling-code-by-capital'] as const;
export const KNOWLEDGE_TYPES = [...KNOWLEDGE_SINGLE_HOP, ...KNOWLEDGE_MULTI_HOP] as const;
export type KnowledgeType = (typeof KNOWLEDGE_TYPES)[number];

/** A country fact a question can ask for. */
export type CountryField = 'capital' | 'country' | 'currency' | 'continent' | 'calling-code';

interface KnowledgeTemplate {
  /** The entity the question names: the country name or the capital. */
  subject: 'country' | 'capital';
  /** The fact asked for. */
  field: CountryField;
  question(subject: string): string;
  /** Parses the subject back out of the question. */
  pattern: RegExp;
}

export const KNOWLEDGE_TEMPLATES: Readonly<Record<KnowledgeType, KnowledgeTemplate>> = {
  capital: { subject: 'country', field: 'capital', question: (s) => `What is the capital of ${s}?`, pattern: /^What is the capital of (.+)\?$/ },
  'country-of-capital': {
    subject: 'capital',
    field: 'country',
    question: (s) => `Which country has ${s} as its capital?`,
    pattern: /^Which country has (.+) as its capital\?$/,
  },
  currency: {
    subject: 'country',
    field: 'currency',
    question: (s) => `What is the currency code of ${s}?`,
    pattern: /^What is the currency code of (.+)\?$/,
  },
  continent: { subject: 'country', field: 'continent', question: (s) => `On which continent is ${s}?`, pattern: /^On which continent is (.+)\?$/ },
  'calling-code': {
    subject: 'country',
    field: 'calling-code',
    question: (s) => `What is the international calling code of ${s}?`,
    pattern: /^What is the international calling code of (.+)\?$/,
  },
  'currency-by-capital': {
    subject: 'capital',
    field: 'currency',
    question: (s) => `What is the currency code of the country whose capital is ${s}?`,
    pattern: /^What is the currency code of the country whose capital is (.+)\?$/,
  },
  'calling-code-by-capital': {
    subject: 'capital',
    field: 'calling-code',
    question: (s) => `What is the international calling code of the country whose capital is ${s}?`,
    pattern: /^What is the international calling code of the country whose capital is (.+)\?$/,
  },
};

/** Gold answers of a country fact: the value written in the documents first, then accepted variants. */
export function fieldAnswers(country: Country, field: CountryField): string[] {
  switch (field) {
    case 'capital':
      return [country.capital];
    case 'country':
      return [country.name, ...country.aliases];
    case 'currency':
      return [country.currencyCode, country.currencyName];
    case 'continent':
      return [country.continent];
    case 'calling-code':
      return [String(country.callingCode)];
  }
}

export function knowledgeQuestion(type: KnowledgeType, country: Country): { question: string; answers: string[]; hops: number } {
  const t = KNOWLEDGE_TEMPLATES[type];
  const subject = t.subject === 'country' ? country.name : country.capital;
  const hops = t.subject === 'capital' && t.field !== 'country' ? 2 : 1;
  return { question: t.question(subject), answers: fieldAnswers(country, t.field), hops };
}

// ---------------------------------------------------------------------------------------------------------
// mixed: look up calling codes, then compute

export const MIXED_TYPES = ['calling-code-sum', 'calling-code-product', 'calling-code-scaled'] as const;
export type MixedType = (typeof MIXED_TYPES)[number];

const CODE_OF = 'the international calling code of';

export const MIXED_TEMPLATES: Readonly<
  Record<MixedType, { operator: '+' | '*'; pattern: RegExp; question(a: string, b: string): string }>
> = {
  'calling-code-sum': {
    operator: '+',
    question: (a, b) => `What is ${CODE_OF} ${a} plus ${CODE_OF} ${b}?`,
    pattern: /^What is the international calling code of (.+) plus the international calling code of (.+)\?$/,
  },
  'calling-code-product': {
    operator: '*',
    question: (a, b) => `What is ${CODE_OF} ${a} times ${CODE_OF} ${b}?`,
    pattern: /^What is the international calling code of (.+) times the international calling code of (.+)\?$/,
  },
  'calling-code-scaled': {
    operator: '*',
    question: (a, n) => `What is ${CODE_OF} ${a} multiplied by ${n}?`,
    pattern: /^What is the international calling code of (.+) multiplied by (\d+)\?$/,
  },
};

// ---------------------------------------------------------------------------------------------------------
// compute: Python only; numbers are drawn so that a model cannot guess the exact answer

export const COMPUTE_TYPES = ['multiply', 'multiply-add', 'power-mod', 'sum-squares', 'warehouse', 'packs', 'division'] as const;
export type ComputeType = (typeof COMPUTE_TYPES)[number];

interface ComputeTemplate {
  /** Draws the operands (as integers in the order they appear in the question). */
  draw(int: (lo: number, hi: number) => bigint): bigint[];
  question(n: readonly bigint[]): string;
  /** The exact answer (BigInt arithmetic). */
  value(n: readonly bigint[]): bigint;
  /** The Python program the scripted solver writes; it prints `answer: <value>`. */
  code(n: readonly bigint[]): string;
}

const at = (n: readonly bigint[], i: number): bigint => {
  const v = n[i];
  if (v === undefined) throw new RangeError(`compute template: operand ${i} is missing`);
  return v;
};

export const COMPUTE_TEMPLATES: Readonly<Record<ComputeType, ComputeTemplate>> = {
  multiply: {
    draw: (int) => [int(1000, 999_999), int(1000, 999_999)],
    question: (n) => `What is ${at(n, 0)} multiplied by ${at(n, 1)}?`,
    value: (n) => at(n, 0) * at(n, 1),
    code: (n) => `print("answer:", ${at(n, 0)} * ${at(n, 1)})`,
  },
  'multiply-add': {
    draw: (int) => [int(100, 99_999), int(100, 99_999), int(1000, 999_999)],
    question: (n) => `What is ${at(n, 0)} times ${at(n, 1)} plus ${at(n, 2)}?`,
    value: (n) => at(n, 0) * at(n, 1) + at(n, 2),
    code: (n) => `print("answer:", ${at(n, 0)} * ${at(n, 1)} + ${at(n, 2)})`,
  },
  'power-mod': {
    draw: (int) => [int(2, 999), int(20, 99), int(1000, 99_999)],
    question: (n) => `What is the remainder when ${at(n, 0)} to the power of ${at(n, 1)} is divided by ${at(n, 2)}?`,
    value: (n) => modPow(at(n, 0), at(n, 1), at(n, 2)),
    code: (n) => `print("answer:", pow(${at(n, 0)}, ${at(n, 1)}, ${at(n, 2)}))`,
  },
  'sum-squares': {
    draw: (int) => [1n, int(1000, 99_999)],
    question: (n) => `What is the sum of the squares of all integers from ${at(n, 0)} to ${at(n, 1)}?`,
    value: (n) => sumSquares(at(n, 1)) - sumSquares(at(n, 0) - 1n),
    code: (n) => `print("answer:", sum(i * i for i in range(${at(n, 0)}, ${at(n, 1)} + 1)))`,
  },
  warehouse: {
    draw: (int) => {
      const a = int(100, 9999);
      const b = int(100, 9999);
      return [a, b, int(1, Number(a * b) - 1)];
    },
    question: (n) =>
      `A warehouse has ${at(n, 0)} shelves with ${at(n, 1)} boxes on each shelf. Then ${at(n, 2)} boxes are shipped out. How many boxes are left?`,
    value: (n) => at(n, 0) * at(n, 1) - at(n, 2),
    code: (n) =>
      `shelves = ${at(n, 0)}\nboxes_per_shelf = ${at(n, 1)}\nshipped = ${at(n, 2)}\nprint("answer:", shelves * boxes_per_shelf - shipped)`,
  },
  packs: {
    draw: (int) => [int(1000, 99_999), int(10, 999), int(7, 997)],
    question: (n) =>
      `A factory makes ${at(n, 0)} parts per day for ${at(n, 1)} days and packs them in boxes of ${at(n, 2)}. How many full boxes does it fill?`,
    value: (n) => (at(n, 0) * at(n, 1)) / at(n, 2),
    code: (n) => `parts = ${at(n, 0)} * ${at(n, 1)}\nprint("answer:", parts // ${at(n, 2)})`,
  },
  division: {
    draw: (int) => {
      const b = int(100, 9999);
      return [b * int(1000, 999_999), b];
    },
    question: (n) => `What is ${at(n, 0)} divided by ${at(n, 1)}?`,
    value: (n) => at(n, 0) / at(n, 1),
    code: (n) => `print("answer:", ${at(n, 0)} // ${at(n, 1)})`,
  },
};

function modPow(base: bigint, exp: bigint, mod: bigint): bigint {
  let result = 1n % mod;
  let b = base % mod;
  let e = exp;
  while (e > 0n) {
    if (e & 1n) result = (result * b) % mod;
    b = (b * b) % mod;
    e >>= 1n;
  }
  return result;
}

function sumSquares(n: bigint): bigint {
  return n <= 0n ? 0n : (n * (n + 1n) * (2n * n + 1n)) / 6n;
}

/** The integers of a question, in order (the operands of a compute template). */
export function questionNumbers(question: string): bigint[] {
  return [...question.matchAll(/\d+/g)].map((m) => BigInt(m[0]));
}

/** Rounds to two significant digits (the scripted solver's mental estimate when it has no Python). */
export function roughly(n: bigint): bigint {
  const neg = n < 0n;
  const s = (neg ? -n : n).toString();
  if (s.length <= 2) return n;
  const head = BigInt(s.slice(0, 2)) + (Number(s[2]) >= 5 ? 1n : 0n);
  const v = head * 10n ** BigInt(s.length - 2);
  return neg ? -v : v;
}
