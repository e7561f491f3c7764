import { describe, expect, it } from 'vitest';
import { mathEqual } from './math-equal.js';
import { normalizeMathAnswer } from './normalize-math-answer.js';
import { numericValue } from './numeric-value.js';

describe('normalizeMathAnswer (Hendrycks strip_string)', () => {
  it.each([
    ['\\left( 1, 2 \\right)', '(1,2)'],
    ['x = \\dfrac12', '\\frac{1}{2}'],
    ['\\tfrac1{2}', '\\frac{1}{2}'],
    ['1/2', '\\frac{1}{2}'],
    ['0.5', '\\frac{1}{2}'],
    ['.5', '\\frac{1}{2}'],
    ['10\\text{ cm}', '10'],
    ['12 \\mbox{ inches}^2', '12'],
    ['\\text{Monday}', 'Monday'],
    ['90^\\circ', '90'],
    ['90^{\\circ}', '90'],
    ['\\$5.00', '5.00'],
    ['$\\sqrt2$', '\\sqrt{2}'],
    ['50\\%', '50'],
    ['\\!1,\\!000', '1,000'],
    ['a\\\\b', 'a\\b'],
    ['\\frac1', '\\frac1'], // too short to fix: unchanged
    ['01/2', '01/2'], // not a canonical integer: no \frac
    ['xyz = 3', 'xyz=3'], // left side longer than 2 characters is kept
    ['', ''],
  ])('%j → %j', (input, expected) => {
    expect(normalizeMathAnswer(input)).toBe(expected);
  });
});

describe('numericValue', () => {
  it.each([
    ['1,000', 1000],
    ['-12,345.5', -12345.5],
    ['1{,}000', 1000],
    ['\\frac{1}{2}', 0.5],
    ['-\\frac{3}{4}', -0.75],
    ['2^{10}', 1024],
    ['2^3^2', 512], // right-associative: 2^(3^2)
    ['-2^2', -4], // -(2^2)
    ['2-3-4', -5], // left-associative
    ['12/4/3', 1],
    ['2\\cdot3+1', 7],
    ['6\\div4', 1.5],
    ['(1+2)(3)', 9],
    ['3\\pi', 3 * Math.PI],
    ['2\\sqrt{2}', 2 * Math.SQRT2],
    ['\\frac{\\sqrt{3}}{2}', Math.sqrt(3) / 2],
  ])('%j = %d', (input, expected) => {
    expect(numericValue(input)).toBe(expected);
  });

  it('evaluates n-th roots', () => {
    expect(numericValue('\\sqrt[3]{27}')).toBeCloseTo(3, 12);
  });

  it.each(['', 'x+1', '(1,2)', '1,2', '[0,1]', '\\frac{1}{0}', '2\\frac{1}{2}', '\\alpha', '\\sqrt{-1}', '1+', '(1', '5 5'])(
    '%j has no value',
    (input) => {
      expect(numericValue(input)).toBeNull();
    },
  );
});

describe('mathEqual', () => {
  it.each([
    ['\\frac{1}{2}', '0.5'], // 0.5 → \frac{1}{2}
    ['\\dfrac{1}{2}', '\\frac12'],
    ['1/2', '\\tfrac{1}{2}'],
    ['.5', '1/2'],
    ['0.50', '\\frac{1}{2}'], // numeric: 0.5 = 0.5
    ['x = 5', '5'],
    ['1,000', '1000'],
    ['1{,}000', '1000'],
    ['90^\\circ', '90'],
    ['\\left( 1, 2 \\right)', '(1,2)'],
    ['10\\text{ cm}', '10'],
    ['\\$5.00', '5'],
    ['\\text{Monday}', 'Monday'],
    ['2\\sqrt{2}', '\\sqrt{8}'], // 2.8284271247461903 vs 2.8284271247461903
    ['\\frac{\\sqrt{3}}{2}', '0.8660254'], // |Δ| = 3.8e-8 ≤ 1e-6 · 0.866
    ['\\frac{1}{3}', '0.3333333'], // |Δ| = 3.3e-8 ≤ 1e-6 · 0.333
    ['3.0000001', '3'], // |Δ| = 1e-7 ≤ 3e-6
    ['50\\%', '50'], // \% is dropped
    ['-\\frac{3}{4}', '-0.75'],
  ])('%j ≡ %j', (a, b) => {
    expect(mathEqual(a, b)).toBe(true);
    expect(mathEqual(b, a)).toBe(true);
  });

  it.each([
    ['\\frac{1}{2}', '\\frac{1}{3}'],
    ['x+1', 'x+2'],
    ['x+1', '1+x'], // string comparison for symbolic answers
    ['(1,2)', '(2,1)'],
    ['1,000', '1'],
    ['1,2', '12'], // "1,2" is not a thousands number
    ['\\sqrt{2}', '1.414'], // |Δ| = 2.1e-4 > 1.4e-6
    ['3.001', '3'],
    ['2\\frac{1}{2}', '1'], // mixed numbers are not evaluated
    ['-1', '1'],
    ['', '0'],
    ['1e-9', '0'],
  ])('%j ≢ %j', (a, b) => {
    expect(mathEqual(a, b)).toBe(false);
    expect(mathEqual(b, a)).toBe(false);
  });

  it('percentages are optional', () => {
    expect(mathEqual('50\\%', '0.5')).toBe(false);
    expect(mathEqual('50\\%', '0.5', { percentage: true })).toBe(true); // 50 = 0.5 · 100
    expect(mathEqual('0.5', '50%', { percentage: true })).toBe(true); // 0.5 = 50 / 100
    expect(mathEqual('50', '0.6', { percentage: true })).toBe(false);
  });

  it('relTol is configurable', () => {
    expect(mathEqual('3.001', '3', { relTol: 1e-3 })).toBe(true); // |Δ| = 1e-3 ≤ 1e-3 · 3.001
    expect(mathEqual('3.01', '3', { relTol: 1e-3 })).toBe(false);
  });
});

describe('mathEqual on large integers', () => {
  it('compares plain integers exactly (no relative tolerance)', () => {
    expect(mathEqual('442402489', '442402488')).toBe(false); // 1 apart: within 1e-6 relative, still wrong
    expect(mathEqual('442402488', '442,402,488')).toBe(true);
    expect(mathEqual('-12', '-12')).toBe(true);
    expect(mathEqual('12345678901234567890', '12345678901234567891')).toBe(false); // beyond float64 precision
    expect(mathEqual('3', '3.0')).toBe(true); // not both plain integers: numeric comparison
    expect(mathEqual('442{,}402{,}489', '442402488')).toBe(false); // LaTeX thousands separator
    expect(mathEqual('442{,}402{,}488', '442402488')).toBe(true);
    expect(mathEqual('442 402 489', '442402488')).toBe(false); // space separators (the normaliser drops spaces)
  });
});
