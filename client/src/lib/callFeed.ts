// What the edge streams about a running call, folded into view state: the
// transcript (partials replaced by later partials and the final of the same
// utterance), compliance alerts (deduplicated) and the checklist.
import type { ChecklistItem, ComplianceAlert, TranscriptSegment } from '#protocol/events';

export interface CallFeed {
  transcript: TranscriptSegment[];
  alerts: ComplianceAlert[];
  checklist: ChecklistItem[];
}

export const EMPTY_FEED: CallFeed = { transcript: [], alerts: [], checklist: [] };
const MAX_LINES = 300;

export type FeedEvent =
  | { type: 'transcript'; segment: TranscriptSegment }
  | { type: 'alert'; alert: ComplianceAlert }
  | { type: 'checklist'; items: ChecklistItem[] };

export function feedReducer(state: CallFeed, ev: FeedEvent): CallFeed {
  switch (ev.type) {
    case 'transcript': {
      const rest = state.transcript.filter((s) => s.utteranceId !== ev.segment.utteranceId);
      const transcript = [...rest, ev.segment].sort((a, b) => a.startMs - b.startMs).slice(-MAX_LINES);
      return { ...state, transcript };
    }
    case 'alert': {
      const key = (a: ComplianceAlert) => `${a.checkId}@${a.atMs}`;
      if (state.alerts.some((a) => key(a) === key(ev.alert))) return state;
      return { ...state, alerts: [...state.alerts, ev.alert] };
    }
    case 'checklist':
      return { ...state, checklist: ev.items };
  }
}

/** Checklist progress: passed / applicable (not-applicable items do not count). */
export function checklistProgress(items: ChecklistItem[]): { done: number; total: number; failed: number } {
  const applicable = items.filter((i) => i.status !== 'not-applicable');
  return {
    done: applicable.filter((i) => i.status === 'pass').length,
    total: applicable.length,
    failed: applicable.filter((i) => i.status === 'fail').length,
  };
}

/** `mm:ss` from call time 0. */
export function clock(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  return `${String(Math.floor(s / 60)).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}`;
}
