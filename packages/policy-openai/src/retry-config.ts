import { z } from 'zod';

/** Retries of a completion request (429, 5xx, connection errors, timeouts), each on the least-busy other server. */
export const RetryConfigSchema = z.strictObject({
  /** Attempts in all, the first included. */
  maxAttempts: z.number().int().min(1).default(5),
  /** Delay before the first retry, ms. */
  initialDelayMs: z.number().min(0).default(200),
  /** Cap on any delay, ms. */
  maxDelayMs: z.number().min(0).default(10_000),
  /** Growth of the delay per retry. */
  factor: z.number().min(1).default(2),
  /** `full`: a uniform draw in [0, delay] from a seeded RNG (spreads retries of many clients); `none`: exactly `delay`. */
  jitter: z.enum(['full', 'none']).default('full'),
  /** Seed of the jitter RNG. */
  seed: z.number().int().default(0),
});

/** Validated retry settings. */
export type RetryConfig = z.infer<typeof RetryConfigSchema>;
/** Retry settings as written by users (defaults filled in by the schema). */
export type RetryConfigInput = z.input<typeof RetryConfigSchema>;
