import { describe, expect, it } from 'vitest';
import { formatDuration, Reporter } from './reporter.js';

function sink(isTTY = false) {
  const chunks: string[] = [];
  return { chunks, stream: { isTTY, write: (s: string) => chunks.push(s) } };
}

describe('progress reporter', () => {
  it('formats durations', () => {
    expect(formatDuration(0)).toBe('0:00');
    expect(formatDuration(61_400)).toBe('1:01');
    expect(formatDuration(3_723_000)).toBe('1:02:03');
    expect(formatDuration(NaN)).toBe('?');
  });

  it('plain mode prints rate and ETA at most every interval, and a final line', () => {
    let t = 0;
    const err = sink();
    const r = new Reporter({ mode: 'plain', stream: err.stream, out: sink().stream, now: () => t, plainIntervalMs: 1000 });
    const p = r.phase('sft', 10, 'step');
    t = 500;
    p.tick(1); // within the interval: not printed
    t = 2000;
    p.tick(3, 'loss 1.500'); // 4 steps in 2 s → 2 step/s, 6 left → 3 s
    t = 5000;
    p.finish();
    expect(err.chunks).toEqual([
      'sft        40%  4/10 step  2.00 step/s  ETA 0:03  loss 1.500\n',
      'sft        40%  4/10 step  0.80 step/s  in 0:05  loss 1.500\n',
    ]);
  });

  it('bar mode redraws one line', () => {
    let t = 0;
    const err = sink(true);
    const r = new Reporter({ mode: 'bar', stream: err.stream, now: () => t });
    const p = r.phase('eval', 4, 'q');
    t = 1000;
    p.tick(2);
    expect(err.chunks[1]).toBe(`\r\x1b[2Keval      ${'█'.repeat(12)}${'░'.repeat(12)}  50%  2/4 q  2.00 q/s  ETA 0:01`);
  });

  it('json mode writes events to out and nothing to the terminal; quiet writes nothing but warnings', () => {
    let t = 0;
    const err = sink();
    const out = sink();
    const r = new Reporter({ mode: 'json', stream: err.stream, out: out.stream, now: () => t, plainIntervalMs: 1000 });
    const p = r.phase('rollout', 2, 'step');
    t = 1000;
    p.tick(2);
    p.finish('ok');
    r.info('hello');
    r.record('train', { step: 1, rewardMean: 0.5 });
    expect(err.chunks).toEqual([]);
    const events = out.chunks.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(events.map((e) => e['event'])).toEqual(['progress', 'progress', 'phase-end', 'log', 'train']);
    expect(events[1]).toMatchObject({ phase: 'rollout', done: 2, total: 2, rate: 2, etaMs: 0 });
    expect(events[4]).toEqual({ event: 'train', step: 1, rewardMean: 0.5 });
    const quiet = sink();
    const q = new Reporter({ mode: 'quiet', stream: quiet.stream, out: sink().stream });
    q.phase('x', 1).tick();
    q.info('not shown');
    q.warn('shown');
    expect(quiet.chunks).toEqual(['warning: shown\n']);
  });
});
