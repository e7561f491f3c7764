/** What a reward function sees for one trajectory. */
export interface RewardInput {
  /** The decoded response (special tokens skipped), tool results included, as the reference scores it. */
  response: string;
  /** Gold answer(s). */
  groundTruth: string | readonly string[];
  /** Task family, e.g. `qa` or `math`, when the dataset gives one. */
  ability?: string;
}

/** A reward and how it was reached. */
export interface RewardOutput {
  /** The scalar reward r. */
  reward: number;
  /** Named parts (e.g. `{ f1: 0.5, multiToolBonus: 0.1 }`) for metrics. */
  components?: Record<string, number>;
  /** The format rule that failed, when the format penalty applied. */
  formatError?: string;
}

/** Scores a finished trajectory (the `RewardFunction` contract, version 1). */
export interface RewardFunction {
  readonly specificationVersion: 'v1';
  /** Recorded in metrics. */
  readonly name: string;
  score(input: RewardInput): RewardOutput | Promise<RewardOutput>;
}
