/** `1,000` / `-12,345.5`: commas as thousands separators only when every group after the first has 3 digits. */
const THOUSANDS = /^[+-]?\d{1,3}(?:,\d{3})+(?:\.\d+)?$/;
const TOKEN = /\d+(?:\.\d*)?|\.\d+|\\[a-zA-Z]+|[-+*/^{}()[\]]/y;
const OPERATORS: ReadonlySet<string> = new Set(['\\cdot', '\\times', '\\div', '*', '/']);
const KNOWN_COMMANDS: ReadonlySet<string> = new Set(['\\frac', '\\sqrt', '\\pi', '\\cdot', '\\times', '\\div']);

/**
 * The value of a plain number or a simple LaTeX expression, or null when it is anything else (variables,
 * tuples, intervals, unknown commands, mixed numbers like `2\frac{1}{2}`, division by zero).
 * Understands `+ - * / ^`, `\cdot`, `\times`, `\div`, `\frac{a}{b}`, `\sqrt{x}`, `\sqrt[n]{x}`, `\pi`,
 * `( )` and `{ }` grouping, implicit products (`2\sqrt{3}`, `3\pi`) and thousands separators (`1,000`,
 * `1{,}000`). Spaces are not allowed: call it on `normalizeMathAnswer` output.
 */
export function numericValue(expression: string): number | null {
  let s = expression.replaceAll('{,}', ',');
  if (THOUSANDS.test(s)) s = s.replaceAll(',', '');
  const tokens = tokenize(s);
  if (tokens === null || tokens.length === 0) return null;
  const parser = new Parser(tokens);
  const value = parser.expression();
  return value !== null && parser.done() && Number.isFinite(value) ? value : null;
}

function tokenize(s: string): string[] | null {
  const tokens: string[] = [];
  TOKEN.lastIndex = 0;
  while (TOKEN.lastIndex < s.length) {
    const m = TOKEN.exec(s);
    if (m === null) return null;
    const token = m[0];
    if (token.startsWith('\\') && !KNOWN_COMMANDS.has(token)) return null;
    tokens.push(token);
  }
  return tokens;
}

function isNumber(token: string | undefined): boolean {
  return token !== undefined && /^[\d.]/.test(token);
}

/** Recursive descent; every method returns null on a syntax error. */
class Parser {
  private pos = 0;
  constructor(private readonly tokens: readonly string[]) {}

  done(): boolean {
    return this.pos === this.tokens.length;
  }

  /** expression := term (('+' | '-') term)* */
  expression(): number | null {
    let value = this.term();
    while (value !== null && (this.peek() === '+' || this.peek() === '-')) {
      const op = this.next();
      const right = this.term();
      if (right === null) return null;
      value = op === '+' ? value + right : value - right;
    }
    return value;
  }

  /** term := factor ((operator | implicit) factor)*; a number directly before `\frac` (a mixed number) is rejected. */
  private term(): number | null {
    let value = this.factor();
    while (value !== null) {
      const token = this.peek();
      if (token !== undefined && OPERATORS.has(token)) {
        this.next();
        const right = this.factor();
        if (right === null) return null;
        value = token === '/' || token === '\\div' ? value / right : value * right;
      } else if (this.startsAtom(token)) {
        if (token === '\\frac' && isNumber(this.tokens[this.pos - 1])) return null;
        const right = this.factor();
        if (right === null) return null;
        value *= right;
      } else break;
    }
    return value;
  }

  /** factor := ('+' | '-') factor | atom ('^' factor)? */
  private factor(): number | null {
    const token = this.peek();
    if (token === '-' || token === '+') {
      this.next();
      const inner = this.factor();
      return inner === null ? null : token === '-' ? -inner : inner;
    }
    const base = this.atom();
    if (base === null || this.peek() !== '^') return base;
    this.next();
    const exponent = this.factor();
    return exponent === null ? null : base ** exponent;
  }

  /** atom := number | '(' expression ')' | '{' expression '}' | \frac atom atom | \sqrt ('[' expression ']')? atom | \pi */
  private atom(): number | null {
    const token = this.next();
    if (token === undefined) return null;
    if (isNumber(token)) return Number(token);
    if (token === '(') return this.closedBy(')');
    if (token === '{') return this.closedBy('}');
    if (token === '\\pi') return Math.PI;
    if (token === '\\frac') {
      const num = this.atom();
      const den = num === null ? null : this.atom();
      return num === null || den === null ? null : num / den;
    }
    if (token === '\\sqrt') {
      let degree = 2;
      if (this.peek() === '[') {
        this.next();
        const d = this.closedBy(']');
        if (d === null) return null;
        degree = d;
      }
      const radicand = this.atom();
      if (radicand === null) return null;
      return degree === 2 ? Math.sqrt(radicand) : radicand ** (1 / degree);
    }
    return null;
  }

  private closedBy(close: string): number | null {
    const value = this.expression();
    return value !== null && this.next() === close ? value : null;
  }

  private startsAtom(token: string | undefined): boolean {
    return isNumber(token) || token === '(' || token === '{' || token === '\\frac' || token === '\\sqrt' || token === '\\pi';
  }

  private peek(): string | undefined {
    return this.tokens[this.pos];
  }

  private next(): string | undefined {
    const token = this.tokens[this.pos];
    this.pos += 1;
    return token;
  }
}
