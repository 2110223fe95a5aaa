// What the edge tells screens about a call while it runs: transcript segments
// and compliance alerts/checklist. Shared by the edge, the cloud relay and the client.
import { z } from 'zod';
import { CallRole } from './roles.ts';

export const TranscriptSegment = z.object({
  callId: z.string(),
  role: CallRole,
  participantId: z.string(),
  /** Milliseconds from the call's time 0 (when the room was created). */
  startMs: z.number().nonnegative(),
  endMs: z.number().nonnegative(),
  text: z.string(),
  /** Partials are replaced by later partials and by the final of the same utterance. */
  final: z.boolean(),
  confidence: z.number().min(0).max(1),
  /** Stable id of the utterance, shared by its partials and its final. */
  utteranceId: z.string(),
  engine: z.string(),
});
export type TranscriptSegment = z.infer<typeof TranscriptSegment>;

export const CheckStatus = z.enum(['pass', 'fail', 'not-applicable', 'pending']);
export type CheckStatus = z.infer<typeof CheckStatus>;

export const Severity = z.enum(['critical', 'major', 'minor']);
export type Severity = z.infer<typeof Severity>;

export const ComplianceAlert = z.object({
  callId: z.string(),
  atMs: z.number().nonnegative(),
  checkId: z.string(),
  severity: Severity,
  message: z.string(),
});
export type ComplianceAlert = z.infer<typeof ComplianceAlert>;

export const ChecklistItem = z.object({
  id: z.string(),
  title: z.string(),
  severity: Severity,
  status: CheckStatus,
});
export type ChecklistItem = z.infer<typeof ChecklistItem>;
export const Checklist = z.object({
  callId: z.string(),
  pack: z.object({ id: z.string(), version: z.string() }),
  items: z.array(ChecklistItem),
});
export type Checklist = z.infer<typeof Checklist>;

/**
 * One entry of a call's event log: what participants sent on the data channels
 * (the expert's annotations, chat, the customer's recorded consent), stamped
 * with call time. Kept with the recording.
 */
export const CallEvent = z.object({
  callId: z.string(),
  atMs: z.number().nonnegative(),
  peerId: z.string(),
  role: CallRole,
  channel: z.enum(['annotations', 'chat']),
  /** The message as sent (JSON), or the raw text when it was not JSON. */
  payload: z.unknown(),
});
export type CallEvent = z.infer<typeof CallEvent>;
