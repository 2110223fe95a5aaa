// Dwell-time distribution: a fixed-bucket histogram plus a bounded sample of
// recent visits for percentiles. Buckets follow what a branch manager asks
// ("how many waited more than 10 minutes?"), see DWELL_BUCKETS_S.
import { DWELL_BUCKETS_S, type DwellHistogram } from '#protocol/lobby';

const MAX_SAMPLES = 1000;

export interface DwellState {
  counts: number[];
  visits: number;
  sumS: number;
  recent: number[];
  next: number;
}

export class Dwell {
  readonly counts: number[];
  #visits = 0;
  #sumS = 0;
  /** Ring of the latest visit durations, for p50/p90 without keeping every visit forever. */
  readonly #recent: number[] = [];
  #next = 0;

  constructor(readonly boundsS: readonly number[] = DWELL_BUCKETS_S) {
    this.counts = new Array<number>(boundsS.length + 1).fill(0);
  }

  add(seconds: number): void {
    const s = Math.max(0, seconds);
    let bucket = this.boundsS.findIndex((b) => s < b);
    if (bucket < 0) bucket = this.boundsS.length;
    this.counts[bucket]!++;
    this.#visits++;
    this.#sumS += s;
    if (this.#recent.length < MAX_SAMPLES) this.#recent.push(s);
    else this.#recent[this.#next] = s;
    this.#next = (this.#next + 1) % MAX_SAMPLES;
  }

  /** Everything this histogram knows, for the day's state file (see dayState.ts). */
  toState(): DwellState {
    return {
      counts: [...this.counts],
      visits: this.#visits,
      sumS: this.#sumS,
      recent: [...this.#recent],
      next: this.#next,
    };
  }

  /** A histogram with the same bounds carrying on from `state`. */
  static fromState(boundsS: readonly number[], state: DwellState): Dwell {
    const d = new Dwell(boundsS);
    if (state.counts.length !== d.counts.length) throw new Error('dwell buckets changed');
    d.counts.splice(0, d.counts.length, ...state.counts);
    d.#visits = state.visits;
    d.#sumS = state.sumS;
    d.#recent.push(...state.recent.slice(0, MAX_SAMPLES));
    d.#next = state.next % MAX_SAMPLES;
    return d;
  }

  toJSON(): DwellHistogram {
    const sorted = [...this.#recent].sort((a, b) => a - b);
    return {
      boundsS: [...this.boundsS],
      counts: [...this.counts],
      visits: this.#visits,
      meanS: this.#visits ? round1(this.#sumS / this.#visits) : null,
      p50S: percentile(sorted, 0.5),
      p90S: percentile(sorted, 0.9),
    };
  }
}

/** Nearest-rank percentile of sorted values, or null when there are none. */
export function percentile(sorted: readonly number[], q: number): number | null {
  if (sorted.length === 0) return null;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return round1(sorted[rank]!);
}

export function round1(v: number): number {
  return Math.round(v * 10) / 10;
}
