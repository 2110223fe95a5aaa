// The dispatcher's judgement, as pure functions: queue order, which expert
// gets an offer, and the ETA a manager sees. Atomicity lives elsewhere
// (dispatch-store.ts); this file only ranks.
import type { Urgency } from '#protocol/api';

/** How far ahead of its arrival time a request of each urgency is queued (ms). */
export const URGENCY_HEAD_START_MS: Record<Urgency, number> = {
  low: -60_000,
  normal: 0,
  high: 5 * 60_000,
  critical: 30 * 60_000,
};

/** Queue score: lower is served first. Urgent requests jump ahead by a head start, so a low one still ages forward. */
export function queueScore(createdAt: number, urgency: Urgency): number {
  return createdAt - URGENCY_HEAD_START_MS[urgency];
}

export interface ExpertCandidate {
  id: string;
  skills: string[];
  languages: string[];
  load: number;
  maxLoad: number;
  /** When the expert last became available (ms), or undefined. */
  availableSince: number | undefined;
  /** When the expert was last assigned a request (ms), or undefined (never). */
  lastAssignedAt: number | undefined;
}

export interface RequestNeeds {
  skill: string;
  language?: string | undefined;
}

/** Skill is required; everything else is preference. */
export function canServe(e: ExpertCandidate, r: RequestNeeds): boolean {
  return e.skills.includes(r.skill.toLowerCase()) && e.load < e.maxLoad;
}

/**
 * Score (higher is better):
 *  - speaking the requested language dominates (100 000),
 *  - then spare capacity (each call in progress −10 000),
 *  - then fairness: idle time since the later of last assignment and becoming
 *    available, 1 point per second, capped at an hour — the longest-waiting expert goes first.
 * Ties break on id so every instance ranks the same way.
 */
export function expertScore(e: ExpertCandidate, r: RequestNeeds, now: number): number {
  const language = r.language && e.languages.includes(r.language.toLowerCase()) ? 100_000 : 0;
  const idleSince = Math.max(e.lastAssignedAt ?? 0, e.availableSince ?? 0);
  const idleS = idleSince === 0 ? 3600 : Math.min(3600, Math.max(0, (now - idleSince) / 1000));
  return language - 10_000 * e.load + idleS;
}

export function rankExperts(r: RequestNeeds, experts: ExpertCandidate[], now: number): ExpertCandidate[] {
  return experts
    .filter((e) => canServe(e, r))
    .map((e) => ({ e, s: expertScore(e, r, now) }))
    .sort((a, b) => b.s - a.s || a.e.id.localeCompare(b.e.id))
    .map(({ e }) => e);
}

/**
 * ETA (s) for the request at 1-based queue `position` among requests for the same skill:
 * the first `freeNow` are served at once; the rest wait for experts to finish, `skilledOnline`
 * at a time, each round taking `avgHandleS`. Null when no one with the skill is online.
 */
export function estimateEtaS(
  position: number,
  freeNow: number,
  skilledOnline: number,
  avgHandleS: number,
): number | null {
  if (skilledOnline <= 0) return null;
  if (position <= freeNow) return 0;
  return Math.ceil((position - freeNow) / skilledOnline) * Math.round(avgHandleS);
}
