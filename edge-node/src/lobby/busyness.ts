// The branch's busyness score (0 idle … 1 saturated), sent in every heartbeat
// and used by the cloud to route walk-in requests (docs/cloud.md, "Branch
// routing"). Three parts, each 0…1, weighted:
//   lobby — people waiting per free member of staff, against what one person
//           can reasonably have queued (customersPerStaff);
//   wait  — how long the people now waiting have waited, against a target;
//   calls — remote-expert calls in progress against the edge's capacity.
// Staff busy in a call are not free for the lobby, so calls also shrink the
// lobby's capacity. Pure, so it is unit-tested and documented in one place.
import type { BusynessBreakdown, BusynessInputs } from '#protocol/lobby';

export interface BusynessParams {
  /** Waiting customers one free member of staff absorbs before the lobby counts as full. */
  customersPerStaff: number;
  /** A current wait this long (seconds) counts as fully busy. */
  targetWaitS: number;
  weights: { lobby: number; wait: number; calls: number };
}

export const DEFAULT_BUSYNESS: BusynessParams = {
  customersPerStaff: 3,
  targetWaitS: 600,
  weights: { lobby: 0.5, wait: 0.3, calls: 0.2 },
};

export function busynessScore(
  inputs: BusynessInputs,
  params: BusynessParams = DEFAULT_BUSYNESS,
): BusynessBreakdown {
  const { lobbyCount, waitS, activeCalls, maxCalls, staffOnDuty } = inputs;
  // Half a person when nobody is free: a queue with no free staff saturates fast but stays finite.
  const freeStaff = Math.max(0.5, staffOnDuty - activeCalls);
  const lobby = clamp01(lobbyCount / (freeStaff * params.customersPerStaff));
  const wait = clamp01(waitS / params.targetWaitS);
  const calls = clamp01(activeCalls / maxCalls);
  const w = params.weights;
  const total = w.lobby + w.wait + w.calls;
  const score = clamp01((w.lobby * lobby + w.wait * wait + w.calls * calls) / total);
  return { score: round3(score), lobby: round3(lobby), wait: round3(wait), calls: round3(calls), inputs };
}

function clamp01(v: number): number {
  return Number.isFinite(v) ? Math.min(1, Math.max(0, v)) : 1;
}

function round3(v: number): number {
  return Math.round(v * 1000) / 1000;
}
