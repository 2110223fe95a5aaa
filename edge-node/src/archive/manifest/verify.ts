// Checks a stored call against its manifest without decrypting anything:
// the chain (each entry's hash and its link to the previous one), the signed
// head (Ed25519; against a trusted key when given), the cloud's copy of the head
// when given (catches a manifest rewritten and re-signed, or cut short), and
// every listed file's SHA-256. Names the first problem in manifest order.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { ManifestEntry, ManifestHead } from '#protocol/archive';
import { sha256File } from '#common/archive/blob';
import { verifySignature } from '#common/archive/EdgeSigner';
import { resolveInCall } from '#common/archive/paths';
import { ZERO_HASH, entryHash, headSigningBytes } from '#common/archive/canonical';

export type ProblemKind =
  | 'manifest-unreadable' // a line is not JSON or not a manifest entry
  | 'manifest-edited' // an entry's content no longer matches its hash
  | 'manifest-reordered' // entries out of sequence, or a link to the previous entry broken
  | 'manifest-truncated' // the head (or the cloud's head) covers entries that are gone
  | 'head-missing'
  | 'signature-invalid'
  | 'untrusted-key' // signed, but not by the key the caller trusts
  | 'head-mismatch' // the cloud's head disagrees with this manifest
  | 'file-missing' // a listed segment/artifact is gone
  | 'file-altered' // its bytes changed
  | 'file-reordered' // it holds another listed file's bytes (swapped/renamed)
  | 'file-relisted' // two entries name the same file: the later write replaced the earlier bytes
  | 'file-unlisted'; // a file in the call's directory no manifest entry mentions

export interface VerifyProblem {
  kind: ProblemKind;
  /** Manifest entry concerned (for file problems, the entry listing the file). */
  seq?: number;
  file?: string;
  message: string;
}

export interface VerifyResult {
  ok: boolean;
  callId?: string;
  entries: number;
  /** Entries covered by the signed head. */
  signedThrough?: number;
  segments: number;
  filesChecked: number;
  /** The call was crypto-shredded: its files may be gone, the manifest still proves what existed. */
  shredded: boolean;
  problems: VerifyProblem[];
  /** The first problem in manifest order, if any. */
  first?: VerifyProblem;
}

export interface VerifyOptions {
  /** The edge's public key (SPKI DER base64) obtained out of band; otherwise the manifest's own key is used (weaker). */
  trustedPublicKey?: string;
  /** The head the cloud stored. */
  cloudHead?: ManifestHead;
  /** Check file hashes (default true). */
  checkFiles?: boolean;
}

export async function verifyCall(callDir: string, options: VerifyOptions = {}): Promise<VerifyResult> {
  const problems: VerifyProblem[] = [];
  const manifestFile = path.join(callDir, 'manifest.jsonl');
  const result: VerifyResult = {
    ok: false,
    entries: 0,
    segments: 0,
    filesChecked: 0,
    shredded: false,
    problems,
  };
  if (!existsSync(manifestFile)) {
    problems.push({ kind: 'manifest-unreadable', message: `no manifest at ${manifestFile}` });
    return finish(result);
  }

  // 1. the chain
  const entries: ManifestEntry[] = [];
  const lines = readFileSync(manifestFile, 'utf8')
    .split('\n')
    .filter((l) => l.trim());
  let prevHash = ZERO_HASH;
  lines.forEach((line, i) => {
    let raw: unknown;
    try {
      raw = JSON.parse(line);
    } catch {
      problems.push({ kind: 'manifest-unreadable', seq: i, message: `line ${i + 1} is not JSON` });
      return;
    }
    const parsed = ManifestEntry.safeParse(raw);
    if (!parsed.success) {
      problems.push({
        kind: 'manifest-unreadable',
        seq: i,
        message: `line ${i + 1} is not a manifest entry: ${parsed.error.issues[0]?.message}`,
      });
      return;
    }
    const entry = parsed.data;
    if (entryHash(raw as Record<string, unknown>) !== entry.hash) {
      problems.push({
        kind: 'manifest-edited',
        seq: entry.seq,
        ...fileOf(entry),
        message: `entry ${entry.seq} (${entry.type}) was changed after it was written`,
      });
    } else if (entry.seq !== i || entry.prev !== prevHash) {
      problems.push({
        kind: 'manifest-reordered',
        seq: entry.seq,
        ...fileOf(entry),
        message: `entry at line ${i + 1} (seq ${entry.seq}) does not follow the previous entry: entries were removed, inserted or reordered`,
      });
    }
    prevHash = entry.hash;
    entries.push(entry);
  });
  result.entries = entries.length;
  const first = entries[0];
  if (first?.type === 'call') result.callId = first.callId;
  result.shredded = entries.some((e) => e.type === 'shred');

  // 2. the signed head
  const headFile = path.join(callDir, 'manifest.head.json');
  const head = existsSync(headFile)
    ? ManifestHead.safeParse(JSON.parse(readFileSync(headFile, 'utf8')))
    : undefined;
  if (!head?.success) {
    problems.push({ kind: 'head-missing', message: 'no valid signed manifest head' });
  } else {
    checkHead(head.data, entries, first, options, problems, 'local head');
    result.signedThrough = head.data.seq;
  }
  if (options.cloudHead) {
    checkHead(options.cloudHead, entries, first, options, problems, "cloud's head");
    if (head?.success && options.cloudHead.seq > head.data.seq) result.signedThrough = options.cloudHead.seq;
  }

  // 3. the files
  const listed = new Map<string, { seq: number; sha256: string }>();
  const byHash = new Map<string, { seq: number; file: string }>();
  for (const e of entries) {
    if (e.type === 'segment' || e.type === 'artifact') {
      const earlier = listed.get(e.file);
      if (earlier) {
        // Reported at the earlier entry: its recorded bytes are what was lost.
        problems.push({
          kind: 'file-relisted',
          seq: earlier.seq,
          file: e.file,
          message: `${e.file} is listed by entries ${earlier.seq} and ${e.seq}: the bytes of entry ${earlier.seq} were overwritten`,
        });
      }
      listed.set(e.file, { seq: e.seq, sha256: e.sha256 });
      byHash.set(e.sha256, { seq: e.seq, file: e.file });
    }
  }
  result.segments = entries.filter((e) => e.type === 'segment').length;
  if (options.checkFiles !== false) {
    for (const [file, { seq, sha256 }] of listed) {
      let full: string;
      try {
        full = resolveInCall(callDir, file);
      } catch {
        problems.push({
          kind: 'manifest-edited',
          seq,
          file,
          message: `entry ${seq} points outside the call directory`,
        });
        continue;
      }
      if (!existsSync(full)) {
        if (!result.shredded)
          problems.push({ kind: 'file-missing', seq, file, message: `${file} (entry ${seq}) is missing` });
        continue;
      }
      const actual = await sha256File(full);
      result.filesChecked++;
      if (actual === sha256) continue;
      const other = byHash.get(actual);
      problems.push(
        other
          ? {
              kind: 'file-reordered',
              seq,
              file,
              message: `${file} (entry ${seq}) holds the bytes of ${other.file} (entry ${other.seq}): segments swapped or reordered`,
            }
          : {
              kind: 'file-altered',
              seq,
              file,
              message: `${file} (entry ${seq}) was altered: SHA-256 ${actual.slice(0, 16)}… ≠ ${sha256.slice(0, 16)}…`,
            },
      );
    }
    for (const file of listFiles(callDir)) {
      if (!listed.has(file))
        problems.push({ kind: 'file-unlisted', file, message: `${file} is not in the manifest` });
    }
  }
  return finish(result);
}

function checkHead(
  head: ManifestHead,
  entries: ManifestEntry[],
  first: ManifestEntry | undefined,
  options: VerifyOptions,
  problems: VerifyProblem[],
  which: string,
): void {
  const key = options.trustedPublicKey ?? (first?.type === 'call' ? first.publicKey : head.publicKey);
  if (options.trustedPublicKey && head.publicKey !== options.trustedPublicKey) {
    problems.push({
      kind: 'untrusted-key',
      message: `${which} is signed by a key other than the trusted one`,
    });
  }
  if (!verifySignature(key, headSigningBytes(head), head.signature)) {
    problems.push({
      kind: 'signature-invalid',
      seq: head.seq,
      message: `${which}: Ed25519 signature does not verify`,
    });
    return;
  }
  if (first?.type === 'call' && head.callId !== first.callId) {
    problems.push({
      kind: 'head-mismatch',
      message: `${which} is for call ${head.callId}, the manifest for ${first.callId}`,
    });
  }
  const covered = entries[head.seq];
  if (!covered) {
    problems.push({
      kind: 'manifest-truncated',
      seq: head.seq,
      message: `${which} covers entry ${head.seq} but the manifest has ${entries.length} entries: entries were removed`,
    });
  } else if (covered.hash !== head.hash) {
    problems.push({
      kind: 'head-mismatch',
      seq: head.seq,
      ...fileOf(covered),
      message: `${which} signed a different entry ${head.seq}: the manifest was rewritten`,
    });
  }
}

function fileOf(entry: ManifestEntry): { file?: string } {
  return entry.type === 'segment' || entry.type === 'artifact' ? { file: entry.file } : {};
}

/** Data files under tracks/ and artifacts/, relative to the call directory. */
function listFiles(callDir: string): string[] {
  const out: string[] = [];
  const walk = (rel: string) => {
    const dir = path.join(callDir, rel);
    if (!existsSync(dir)) return;
    for (const d of readdirSync(dir, { withFileTypes: true })) {
      const child = path.posix.join(rel, d.name);
      if (d.isDirectory()) walk(child);
      else if (!d.name.endsWith('.part')) out.push(child);
    }
  };
  walk('tracks');
  walk('artifacts');
  return out;
}

function finish(result: VerifyResult): VerifyResult {
  result.problems.sort((a, b) => (a.seq ?? Number.MAX_SAFE_INTEGER) - (b.seq ?? Number.MAX_SAFE_INTEGER));
  result.first = result.problems[0];
  result.ok = result.problems.length === 0;
  return result;
}
