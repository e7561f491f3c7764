import { describe, expect, it } from 'vitest';
import { evaluationPrediction } from './evaluation-prediction.js';

describe('evaluationPrediction (spec §7.4)', () => {
  it('takes the last <answer>, then its last \\boxed{}', () => {
    expect(evaluationPrediction('<answer>\\boxed{1}</answer> retry <answer>It is \\boxed{\\frac{1}{2}}.</answer>')).toBe('\\frac{1}{2}');
  });
  it('uses the trimmed answer text when there is no box', () => {
    expect(evaluationPrediction('<answer>\n Paris \n</answer>')).toBe('Paris');
  });
  it('falls back to the last 5 lines without an answer', () => {
    // "\n\n" → "\n" first: l1 l2 l3 l4 l5 l6 → last 5 are l2 … l6
    expect(evaluationPrediction('l1\nl2\n\nl3\nl4\nl5\nl6\n')).toBe('l2\nl3\nl4\nl5\nl6');
    expect(evaluationPrediction('just one line')).toBe('just one line');
    expect(evaluationPrediction('a\n<answer> </answer>')).toBe('a\n<answer> </answer>');
  });
});
