import { ArpoConfigError, ArpoError } from '@arpo/core';

/**
 * One check of a conformance suite: run it inside your test runner, e.g.
 * `for (const c of policyConformance(() => myPolicy)) it(c.name, c.run)`. It rejects with a
 * {@link ConformanceError} that says what the contract expects and what the implementation did.
 */
export interface ConformanceCheck {
  name: string;
  run(): Promise<void>;
}

/** A contract the implementation under test does not meet. */
export class ConformanceError extends ArpoError {
  override name = 'ConformanceError';
}

/** Throws a {@link ConformanceError} (`subject: message`) unless `ok`. */
export function expectThat(ok: boolean, subject: string, message: string): asserts ok {
  if (!ok) throw new ConformanceError(`${subject}: ${message}`);
}

/** Runs `f` and turns whatever it throws into a {@link ConformanceError} naming `subject`. */
export async function mustNotThrow<T>(subject: string, f: () => T | Promise<T>): Promise<T> {
  try {
    return await f();
  } catch (error) {
    throw new ConformanceError(`${subject}: threw ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`);
  }
}

/** Runs a core boundary check and turns its `ArpoConfigError` into a {@link ConformanceError} with the same message. */
export function asConformance(check: () => void): void {
  try {
    check();
  } catch (error) {
    if (error instanceof ArpoConfigError) throw new ConformanceError(error.message);
    throw error;
  }
}
