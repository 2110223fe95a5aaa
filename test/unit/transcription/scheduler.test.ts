// Scheduling logic against an engine whose recognitions finish when the test
// says so: order, priorities, bounds and the over-capacity signal are the
// scheduler's own behaviour (the real engines run in the integration tests).
import { describe, expect, test } from 'vitest';
import { createLogger } from '#common/logger';
import type { RecognizedSegment, SpeechEngine } from '../../../edge-node/src/transcription/engine.ts';
import {
  RecognitionDropped,
  RecognitionScheduler,
  type CapacityReport,
} from '../../../edge-node/src/transcription/scheduler/RecognitionScheduler.ts';

const logger = createLogger('test', { level: 'silent' });

/** Records what it was asked, in order; each call completes when `finish()` is called. */
class ControlledEngine implements SpeechEngine {
  readonly name = 'controlled';
  readonly calls: string[] = [];
  readonly #pending: (() => void)[] = [];
  constructor(readonly concurrency = 1) {}
  recognize(pcm: Float32Array): Promise<RecognizedSegment[]> {
    const label = String(pcm[0]);
    this.calls.push(label);
    return new Promise((resolve) =>
      this.#pending.push(() => resolve([{ startMs: 0, endMs: 100, text: label, confidence: 1 }])),
    );
  }
  finish(): void {
    this.#pending.shift()?.();
  }
  async close(): Promise<void> {}
}

const job = (streamKey: string, priority: 'final' | 'partial', label: number) => ({
  streamKey,
  priority,
  pcm: Float32Array.of(label),
});
const tick = () => new Promise((r) => setImmediate(r));

describe('RecognitionScheduler', () => {
  test('runs finals before partials and never more at once than the engine can', async () => {
    const engine = new ControlledEngine(1);
    const s = new RecognitionScheduler(engine, logger);
    const done: string[] = [];
    const track = (p: Promise<RecognizedSegment[]>) =>
      p.then(
        (r) => done.push(r[0]!.text),
        () => done.push('dropped'),
      );
    track(s.submit(job('a', 'partial', 1))); // starts at once: the engine is idle
    track(s.submit(job('b', 'partial', 2)));
    track(s.submit(job('c', 'final', 3)));
    expect(engine.calls).toEqual(['1']);
    for (let i = 0; i < 3; i++) {
      engine.finish();
      await tick();
    }
    expect(engine.calls).toEqual(['1', '3', '2']);
    expect(done).toEqual(['1', '3', '2']);
  });

  test('a newer partial of a stream replaces its waiting one', async () => {
    const engine = new ControlledEngine(1);
    const s = new RecognitionScheduler(engine, logger);
    void s.submit(job('x', 'final', 0));
    const old = s.submit(job('a', 'partial', 1));
    void s.submit(job('a', 'partial', 2));
    await expect(old).rejects.toBeInstanceOf(RecognitionDropped);
    engine.finish();
    await tick();
    expect(engine.calls).toEqual(['0', '2']);
  });

  test('a partial that waited too long is dropped, a final never for staleness', async () => {
    let now = 0;
    const engine = new ControlledEngine(1);
    const s = new RecognitionScheduler(engine, logger, { partialMaxWaitMs: 1000 }, () => now);
    void s.submit(job('x', 'final', 0));
    const partial = s.submit(job('a', 'partial', 1)).catch((e: unknown) => e);
    const final = s.submit(job('b', 'final', 2));
    now = 5000;
    engine.finish();
    await tick();
    engine.finish();
    await tick();
    await expect(final).resolves.toHaveLength(1);
    expect(await partial).toMatchObject({ reason: 'stale' });
    expect(engine.calls).toEqual(['0', '2']);
  });

  test('reports over capacity when finals wait too long, and recovery once drained', async () => {
    let now = 0;
    const engine = new ControlledEngine(1);
    const s = new RecognitionScheduler(engine, logger, { overloadWaitMs: 2000 }, () => now);
    const reports: CapacityReport[] = [];
    s.on('capacity', (r) => reports.push(r));
    for (let i = 0; i < 4; i++) void s.submit(job(`s${i}`, 'final', i));
    now = 2500;
    expect(s.tick().overCapacity).toBe(true);
    expect(reports).toHaveLength(1);
    expect(reports[0]).toMatchObject({ overCapacity: true, queuedFinals: 3 });
    for (let i = 0; i < 4; i++) {
      engine.finish();
      await tick();
    }
    expect(s.overCapacity).toBe(false);
    expect(reports.map((r) => r.overCapacity)).toEqual([true, false]);
  });

  test('the queue of finals is bounded: the oldest is dropped and reported', async () => {
    const engine = new ControlledEngine(1);
    const s = new RecognitionScheduler(engine, logger, { maxQueuedFinals: 3 });
    const dropped: string[] = [];
    s.on('dropped', (d) => dropped.push(d.streamKey));
    const results = Array.from({ length: 6 }, (_, i) =>
      s.submit(job(`s${i}`, 'final', i)).catch((e: unknown) => e),
    );
    // s0 runs; s1..s5 wait in a queue of 3: s1 and s2 are dropped.
    expect(dropped).toEqual(['s1', 's2']);
    expect(await results[1]).toMatchObject({ reason: 'overload' });
    expect(await results[2]).toBeInstanceOf(RecognitionDropped);
    expect(s.report().queuedFinals).toBe(3);
    expect(s.stats.droppedFinals).toBe(2);
  });

  test('close rejects what waits', async () => {
    const engine = new ControlledEngine(1);
    const s = new RecognitionScheduler(engine, logger);
    void s.submit(job('a', 'final', 0));
    const waiting = s.submit(job('b', 'final', 1));
    s.close();
    await expect(waiting).rejects.toMatchObject({ reason: 'closed' });
    await expect(s.submit(job('c', 'final', 2))).rejects.toBeInstanceOf(RecognitionDropped);
  });
});

describe('RecognitionScheduler with two workers', () => {
  test('keeps one worker free of partials so a final starts at once', async () => {
    const engine = new ControlledEngine(2);
    const s = new RecognitionScheduler(engine, logger, { partialsBesideFinals: true });
    void s.submit(job('a', 'partial', 1)).catch(() => undefined);
    void s.submit(job('b', 'partial', 2)).catch(() => undefined);
    expect(engine.calls).toEqual(['1']); // the second partial waits: only one partial at a time
    void s.submit(job('c', 'final', 3));
    expect(engine.calls).toEqual(['1', '3']);
    engine.finish();
    await tick();
    expect(engine.calls).toEqual(['1', '3', '2']);
  });

  test('on few cores no partial starts while a final runs: it waits for the final', async () => {
    const engine = new ControlledEngine(2);
    const s = new RecognitionScheduler(engine, logger, { partialsBesideFinals: false });
    void s.submit(job('a', 'partial', 1)).catch(() => undefined);
    void s.submit(job('c', 'final', 3)); // takes the free worker at once
    void s.submit(job('b', 'partial', 2)).catch(() => undefined);
    expect(engine.calls).toEqual(['1', '3']);
    engine.finish(); // partial 1: its worker stays idle while final 3 runs
    await tick();
    expect(engine.calls).toEqual(['1', '3']);
    const d = s.speculate({ streamKey: 'd', pcm: Float32Array.of(4) }); // a final-to-be still starts
    expect(engine.calls).toEqual(['1', '3', '4']);
    engine.finish(); // final 3
    engine.finish(); // speculation 4
    await tick();
    expect(engine.calls).toEqual(['1', '3', '4', '2']);
    d.cancel();
  });
});

describe('RecognitionScheduler: speculative finals', () => {
  const spec = (streamKey: string, label: number) => ({ streamKey, pcm: Float32Array.of(label) });

  test('confirmed finals run first, then speculations, then partials', async () => {
    const engine = new ControlledEngine(1);
    const s = new RecognitionScheduler(engine, logger);
    void s.submit(job('x', 'final', 0));
    void s.submit(job('a', 'partial', 1)).catch(() => undefined);
    const b = s.speculate(spec('b', 2));
    void s.submit(job('c', 'final', 3));
    for (let i = 0; i < 3; i++) {
      engine.finish();
      await tick();
    }
    expect(engine.calls).toEqual(['0', '3', '2', '1']);
    b.confirm();
    await expect(b.result).resolves.toMatchObject([{ text: '2' }]);
    expect(s.stats).toMatchObject({ speculations: 1, speculationsConfirmed: 1, finals: 3, partials: 0 });
  });

  test('withdrawn while waiting, a speculation leaves the queue and costs nothing', async () => {
    const engine = new ControlledEngine(1);
    const s = new RecognitionScheduler(engine, logger);
    void s.submit(job('x', 'final', 0));
    const b = s.speculate(spec('b', 1));
    expect(s.report().queuedSpeculative).toBe(1);
    b.cancel();
    await expect(b.result).rejects.toMatchObject({ reason: 'cancelled' });
    expect(s.report().queuedSpeculative).toBe(0);
    engine.finish();
    await tick();
    expect(engine.calls).toEqual(['0']);
    expect(s.stats).toMatchObject({ speculationsCancelled: 1, speculationsWasted: 0, wastedMs: 0 });
  });

  test('withdrawn while running, it keeps its worker until done and is counted as wasted', async () => {
    let now = 0;
    const engine = new ControlledEngine(1);
    const s = new RecognitionScheduler(engine, logger, {}, () => now);
    const b = s.speculate(spec('b', 1));
    const outcome = b.result.catch((e: unknown) => e);
    expect(engine.calls).toEqual(['1']);
    b.cancel();
    const c = s.submit(job('c', 'final', 2));
    // whisper's full() cannot be stopped: the final waits for the worker.
    expect(engine.calls).toEqual(['1']);
    expect(s.report().running).toBe(1);
    now = 300;
    engine.finish();
    await tick();
    expect(await outcome).toMatchObject({ reason: 'cancelled' });
    expect(engine.calls).toEqual(['1', '2']);
    engine.finish();
    await expect(c).resolves.toHaveLength(1);
    expect(s.stats).toMatchObject({ speculationsWasted: 1, wastedMs: 300, finals: 1 });
  });

  test('confirmed while waiting, it joins the finals by age and counts toward the over-capacity wait', async () => {
    let now = 0;
    const engine = new ControlledEngine(1);
    const s = new RecognitionScheduler(engine, logger, { overloadWaitMs: 2000 }, () => now);
    void s.submit(job('x', 'final', 0));
    const b = s.speculate(spec('b', 1)); // submitted at 0
    now = 100;
    void s.submit(job('c', 'final', 2)); // confirmed final at 100
    now = 400;
    b.confirm(); // its pause is confirmed at 400: it has waited since 0
    expect(s.report()).toMatchObject({ queuedFinals: 2, queuedSpeculative: 0, oldestFinalWaitMs: 400 });
    now = 2100;
    expect(s.tick().overCapacity).toBe(true);
    for (let i = 0; i < 3; i++) {
      engine.finish();
      await tick();
    }
    expect(engine.calls).toEqual(['0', '1', '2']);
    await expect(b.result).resolves.toMatchObject([{ text: '1' }]);
  });

  test('a newer speculation of a stream replaces its waiting one', async () => {
    const engine = new ControlledEngine(1);
    const s = new RecognitionScheduler(engine, logger);
    void s.submit(job('x', 'final', 0));
    const old = s.speculate(spec('b', 1));
    const next = s.speculate(spec('b', 2));
    await expect(old.result).rejects.toMatchObject({ reason: 'superseded' });
    engine.finish();
    await tick();
    expect(engine.calls).toEqual(['0', '2']);
    next.cancel();
  });

  test('with two workers a speculation may take the worker partials leave free; partials still take one at most', async () => {
    const engine = new ControlledEngine(2);
    const s = new RecognitionScheduler(engine, logger, { partialsBesideFinals: true });
    void s.submit(job('a', 'partial', 1)).catch(() => undefined);
    void s.submit(job('b', 'partial', 2)).catch(() => undefined);
    const c = s.speculate(spec('c', 3));
    expect(engine.calls).toEqual(['1', '3']);
    c.confirm();
    engine.finish(); // the partial: the other waiting partial takes its worker, still one at most
    await tick();
    expect(engine.calls).toEqual(['1', '3', '2']);
    const d = s.speculate(spec('d', 4));
    expect(engine.calls).toHaveLength(3); // both workers busy
    engine.finish(); // c
    await tick();
    expect(engine.calls).toEqual(['1', '3', '2', '4']);
    await expect(c.result).resolves.toHaveLength(1);
    d.cancel();
  });
});
