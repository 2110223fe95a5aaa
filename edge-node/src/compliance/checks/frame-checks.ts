// Checks decided from analysed video frames: `document-visible` (a document
// title read by OCR) and `faces-present` (a face for each role in enough
// sampled instants). Both are `not-applicable` for a call without frames.
import type { z } from 'zod';
import { CallRole } from '#protocol/roles';
import type { DocumentVisibleCheck, FacesPresentCheck, RulePack } from '../pack/schema.ts';
import { Normalizer } from '../text/normalize.ts';
import { PhraseSet } from '../text/phrase-matcher.ts';
import { compact, substringDistance } from '../text/fuzzy.ts';
import { clock, type FrameObservation } from '../engine/call-state.ts';
import { outcome, span, type CompileContext, type Evaluate } from '../engine/types.ts';

/** Frames of several cameras within this bucket count as one sampled instant. */
export const FRAME_BUCKET_MS = 2000;

/** OCR reads letters well but drops spaces: titles are also found letters-only, one edit per 8 letters allowed. */
export function titleMatcher(
  titles: string[],
  ctx: Pick<CompileContext, 'normalizer' | 'minScore'>,
): (text: string) => string | undefined {
  const set = new PhraseSet(ctx.normalizer, titles, ctx.minScore);
  const compacted = titles.map((t) => ({ title: t, letters: compact(t) }));
  return (text) => {
    const m = set.match(ctx.normalizer.tokens(text));
    if (m) return m.phrase;
    const letters = compact(text);
    return compacted.find((t) => substringDistance(letters, t.letters) <= Math.floor(t.letters.length / 8))
      ?.title;
  };
}

/** True once OCR text shows any document title the pack looks for (no need to read more frames). */
export function documentTitleSeen(pack: RulePack): (text: string) => boolean {
  const titles = pack.checks.flatMap((c) => (c.kind === 'document-visible' ? c.titles : []));
  if (titles.length === 0) return () => true;
  const find = titleMatcher(titles, { normalizer: new Normalizer(pack.synonyms), minScore: pack.minScore });
  return (text) => find(text) !== undefined;
}

export function compileDocumentVisible(
  def: z.infer<typeof DocumentVisibleCheck>,
  ctx: CompileContext,
): Evaluate {
  const findTitle = titleMatcher(def.titles, {
    normalizer: ctx.normalizer,
    minScore: def.minScore ?? ctx.minScore,
  });
  return (state, _done, final) => {
    const read = state.frames.filter((f) => f.text !== undefined);
    for (const f of read) {
      const title = findTitle(f.text!);
      if (title) {
        return outcome(
          'pass',
          `"${title}" read by OCR on camera ${f.camera} at ${clock(f.atMs)}.`,
          [
            {
              role: 'frame',
              startMs: f.atMs,
              endMs: f.atMs,
              text: `camera ${f.camera}: ${f.text!.slice(0, 200)}`,
            },
          ],
          { passedAtMs: f.atMs },
        );
      }
    }
    if (!final) return outcome('pending', `No document title seen yet (${read.length} frames read).`);
    if (state.frames.length === 0) return outcome('not-applicable', 'The call has no video frames.');
    if (read.length === 0) return outcome('not-applicable', 'No frame was read by OCR.');
    const from = Math.min(...read.map((f) => f.atMs));
    const to = Math.max(...read.map((f) => f.atMs));
    return outcome(
      'fail',
      `None of ${read.length} frames read by OCR shows a document title (${def.titles.join(', ')}).`,
      [
        span(
          from,
          to,
          `${read.length} frames between ${clock(from)} and ${clock(to)} without a document title`,
        ),
      ],
    );
  };
}

/**
 * Whether every role has a face at one instant: its own camera shows one, shared
 * cameras cover the rest. A camera named after another role (the remote
 * expert's) is nobody's shared camera: the faces on it are not at the counter.
 */
export function rolesCovered(frames: FrameObservation[], roles: string[]): boolean {
  let needed = 0;
  for (const role of roles) {
    const own = frames.filter((f) => f.camera === role);
    if (own.length === 0) needed += 1;
    else if (!own.some((f) => (f.faces ?? 0) > 0)) return false;
  }
  const otherRole = (camera: string) =>
    !roles.includes(camera) && (CallRole.options as readonly string[]).includes(camera);
  const extra = frames.reduce(
    (n, f) =>
      n +
      (roles.includes(f.camera) ? Math.max(0, (f.faces ?? 0) - 1) : otherRole(f.camera) ? 0 : (f.faces ?? 0)),
    0,
  );
  return extra >= needed;
}

export function compileFacesPresent(def: z.infer<typeof FacesPresentCheck>): Evaluate {
  return (state, _done, final) => {
    const seen = state.frames.filter((f) => f.faces !== undefined);
    if (!final) return outcome('pending', `${seen.length} frames checked for faces so far.`);
    if (seen.length === 0)
      return outcome(
        'not-applicable',
        state.frames.length === 0 ? 'The call has no video frames.' : 'No frame was checked for faces.',
      );
    // Frames by 2 s instant, with the cameras the edge was too busy to sample in it.
    const buckets = new Map<number, { frames: FrameObservation[]; unsampled: string[] }>();
    for (const f of state.frames) {
      if (f.faces === undefined && !f.unsampled) continue;
      const b = Math.floor(f.atMs / FRAME_BUCKET_MS);
      let bucket = buckets.get(b);
      if (!bucket) buckets.set(b, (bucket = { frames: [], unsampled: [] }));
      if (f.unsampled) bucket.unsampled.push(f.camera);
      else bucket.frames.push(f);
    }
    // An instant where a role's own camera could not be sampled is not a sampled instant for
    // that role: "at least 90 % of sampled frames" leaves it out.
    const unknown = ({ frames, unsampled }: { frames: FrameObservation[]; unsampled: string[] }) =>
      def.roles.some((role) => unsampled.includes(role) && !frames.some((f) => f.camera === role));
    const instants = [...buckets.entries()]
      .filter(([, bucket]) => bucket.frames.length > 0 && !unknown(bucket))
      .sort((a, b) => a[0] - b[0])
      .map(([b, bucket]) => [b, bucket.frames] as const);
    if (instants.length === 0)
      return outcome('not-applicable', 'No instant had every camera sampled (the edge was too busy).');
    const missing = instants.filter(([, fs]) => !rolesCovered(fs, def.roles));
    const fraction = (instants.length - missing.length) / instants.length;
    const pct = `${Math.round(fraction * 1000) / 10}%`;
    const summary = `${def.roles.join(' and ')} visible in ${instants.length - missing.length} of ${instants.length} sampled instants (${pct}; at least ${Math.round(def.minFraction * 100)}% needed)`;
    const evidence = missing.slice(0, 5).map(([b, fs]) => ({
      role: 'frame' as const,
      startMs: b * FRAME_BUCKET_MS,
      endMs: b * FRAME_BUCKET_MS,
      text: `faces missing: ${fs.map((f) => `${f.camera} ${f.faces} face(s)`).join(', ')}`,
    }));
    if (fraction >= def.minFraction) {
      const first = seen[0]!;
      const last = seen.at(-1)!;
      return outcome('pass', `${summary}.`, [span(first.atMs, last.atMs, summary), ...evidence]);
    }
    return outcome('fail', `${summary}.`, evidence);
  };
}
