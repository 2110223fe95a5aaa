// The edge's call archive — the one API the rest of the edge uses to keep a
// call and send what matters of it to the cloud:
//
//   recording (RecordingService) → openCall, addTrack, addTiming, addSegment, addGap, alert
//   compliance / transcription   → storeReport(callId, report, html), storeTranscript(callId, segments),
//                                  flagEvidence(callId, atMs, reason)   (a ±10 s clip goes to the cloud)
//   the edge (call ended)        → finishCall(callId, reason)          (manifest sealed, signed, head sent)
//   the cloud (commands)         → hold / release / requestFull / rotateKek, read (playback ranges)
//   retention sweeper            → shred
//
// Raw media stays here, encrypted; the cloud gets manifest heads, reports,
// transcripts, clips, alerts and audit entries through the durable outbox.
import path from 'node:path';
import type { Logger } from '#common/logger';
import { redactString } from '#common/redact';
import type { ManifestHead, OutboxKind, TrackTiming } from '#protocol/archive';
import { AppError, validate } from '#protocol/errors';
import { CallEvent, TranscriptSegment } from '#protocol/events';
import { Report } from '#protocol/report';
import { SafeEmitter } from '#sfu/SafeEmitter';
import type { RecordingAlert, RecordingSink } from '../recording/RecordingSink.ts';
import { ArchiveStore, type CallRecord, type StoredFile } from './ArchiveStore.ts';
import { AuditLog, type EdgeAuditEntry, type EdgeAuditInput } from './AuditLog.ts';
import type { ArchiveConfig } from './config.ts';
import { DataKeyStore } from './crypto/DataKeys.ts';
import { EdgeSigner } from '#common/archive/EdgeSigner';
import { EnvKekStore, FileKekStore, type KekStore } from './crypto/KekStore.ts';
import { Outbox, type OutboxItemInput } from './outbox/Outbox.ts';

/** Renders media from a call's segments (the ffmpeg implementation lives in recording/Renderer.ts). */
export interface MediaRenderer {
  /** The whole call side by side with a burned-in call id and time, stored as an artifact. */
  composite(record: CallRecord): Promise<StoredFile | undefined>;
  /** The window [fromMs, toMs) of call time, same layout. */
  clip(record: CallRecord, fromMs: number, toMs: number, relative: string): Promise<StoredFile | undefined>;
}

type ArchiveEvents = {
  alert: [alert: RecordingAlert];
  /** A new signed head (after a seal, an artifact, a shred). */
  head: [head: ManifestHead];
  /** Something was queued for the cloud. */
  queued: [id: string];
};

const CONTENT_TYPES: Record<string, string> = {
  '.mp4': 'video/mp4',
  '.webm': 'video/webm',
  '.mkv': 'video/x-matroska',
  '.json': 'application/json',
  '.html': 'text/html; charset=utf-8',
};

export class CallArchive extends SafeEmitter<ArchiveEvents> implements RecordingSink {
  readonly #opening = new Map<string, Promise<CallRecord>>();
  #jobs: Promise<unknown> = Promise.resolve();
  readonly #readsAudited = new Map<string, number>();
  #renderer?: MediaRenderer;
  #closing?: NodeJS.Timeout;
  /** The outbox database is closed (close() and its grace period are over). */
  #closed = false;
  readonly #log: Logger;

  private constructor(
    readonly config: ArchiveConfig,
    readonly store: ArchiveStore,
    readonly keys: DataKeyStore,
    readonly outbox: Outbox,
    readonly audit: AuditLog,
    logger: Logger,
  ) {
    super(logger);
    this.#log = logger.child({ module: 'archive' });
  }

  static async open(config: ArchiveConfig, logger: Logger, kek?: KekStore): Promise<CallArchive> {
    const kekStore =
      kek ??
      (config.kekEnv
        ? new EnvKekStore(config.kekEnv.current, config.kekEnv.previous)
        : await FileKekStore.open(config.kekDir));
    const keys = await DataKeyStore.open(config.dataKeyDir, kekStore);
    // A KEK rotated by deployment (KEK_PREVIOUS set): move every data key under the current KEK now.
    if (kekStore.kind === 'env' && (await kekStore.kekIds()).length > 1) {
      const { rewrapped } = await keys.rewrapAll();
      logger.info(
        { rewrapped, kek: kekStore.currentKekId() },
        'data keys re-wrapped under the current KEK from the environment',
      );
    }
    const signer = await EdgeSigner.open(config.signingKeyFile);
    const store = await ArchiveStore.open({
      dir: config.archiveDir,
      keys,
      signer,
      edgeId: config.edgeId,
      branchId: config.branchId,
      minFreeBytes: config.minFreeBytes,
      logger,
    });
    const outbox = Outbox.open(config.outboxFile);
    const pending: EdgeAuditEntry[] = [];
    let sink: (entry: EdgeAuditEntry) => void = (entry) => pending.push(entry);
    const audit = await AuditLog.open(config.auditFile, (entry) => sink(entry));
    const archive = new CallArchive(config, store, keys, outbox, audit, logger);
    sink = (entry) => archive.queueAudit(entry);
    for (const entry of pending) sink(entry);
    return archive;
  }

  setRenderer(renderer: MediaRenderer): void {
    this.#renderer = renderer;
  }

  get publicKey(): string {
    return this.store.signer.publicKey;
  }

  // ---- recording sink ---------------------------------------------------------------

  /** Opens (or reopens) a call's archive and queues its data key for the cloud. */
  openCall(callId: string, startedAt: number): Promise<CallRecord> {
    let opening = this.#opening.get(callId);
    if (!opening) {
      opening = (async () => {
        const existing = this.store.get(callId);
        const record = existing ?? (await this.store.create(callId, startedAt));
        if (existing && record.meta.status === 'sealed') await record.updateMeta({ status: 'open' });
        this.#enqueue({ id: `${callId}:datakey`, kind: 'datakey', callId, dynamic: true, meta: {} });
        return record;
      })();
      opening.catch(() => this.#opening.delete(callId));
      this.#opening.set(callId, opening);
    }
    return opening;
  }

  async #record(callId: string): Promise<CallRecord> {
    const opening = this.#opening.get(callId);
    if (opening) return opening;
    return this.store.require(callId);
  }

  async addTrack(callId: string, t: Parameters<RecordingSink['addTrack']>[1]): Promise<void> {
    await (await this.#record(callId)).append({ type: 'track', ...t });
  }

  async addTiming(callId: string, track: string, timing: TrackTiming): Promise<void> {
    await (await this.#record(callId)).append({ type: 'timing', track, timing });
  }

  async addSegment(callId: string, s: Parameters<RecordingSink['addSegment']>[1]): Promise<void> {
    const record = await this.#record(callId);
    const ext = path.extname(s.spoolFile);
    const stored = await record.putFile(
      path.posix.join('tracks', s.track, `seg-${String(s.index).padStart(5, '0')}${ext}.bea`),
      s.spoolFile,
    );
    await record.append({
      type: 'segment',
      track: s.track,
      index: s.index,
      file: stored.file,
      sha256: stored.sha256,
      bytes: stored.bytes,
      startS: s.startS,
      endS: s.endS,
      ...(s.salvaged ? { salvaged: true } : {}),
    });
  }

  async addGap(callId: string, g: Parameters<RecordingSink['addGap']>[1]): Promise<void> {
    await (await this.#record(callId)).append({ type: 'gap', ...g });
  }

  alert(alert: RecordingAlert): void {
    if (this.#closed) {
      // Shutdown stops recorders before the archive closes; whatever still trails in has nowhere to go.
      this.#log.debug(
        { callId: alert.callId, type: alert.type, reason: alert.reason },
        'recording alert after the archive closed: dropped',
      );
      return;
    }
    this.#log.warn(
      { callId: alert.callId, type: alert.type, reason: alert.reason, track: alert.track, atMs: alert.atMs },
      'recording alert',
    );
    this.#enqueue({
      id: `${alert.callId}:alert:${alert.type}:${alert.reason}:${alert.track ?? 'call'}:${Math.round(alert.atMs)}`,
      kind: 'alert',
      callId: alert.callId,
      body: Buffer.from(JSON.stringify(alert)),
      meta: { type: alert.type, reason: alert.reason, atMs: alert.atMs },
    });
    this.safeEmit('alert', alert);
  }

  // ---- public API for the edge's other modules ---------------------------------------------

  /** Product data for retention (e.g. an insurance policy's end date). */
  async setCallInfo(callId: string, info: { product?: string; productEndsAt?: number }): Promise<void> {
    await this.store.require(callId).updateMeta(info);
  }

  /** The compliance engine's inspection report (JSON per protocol/src/report.ts, and its HTML rendering). */
  async storeReport(callId: string, report: unknown, html?: string): Promise<void> {
    const parsed = validate(Report, report, 'inspection report');
    const record = await this.#record(callId);
    const n = record.entries('artifact').filter((a) => a.kind === 'report').length;
    const suffix = n ? `-${n + 1}` : '';
    await this.#storeArtifact(
      record,
      'report',
      `artifacts/report${suffix}.json.bea`,
      Buffer.from(JSON.stringify(parsed)),
    );
    if (html !== undefined)
      await this.#storeArtifact(
        record,
        'report-html',
        `artifacts/report${suffix}.html.bea`,
        Buffer.from(html),
      );
    await this.#signAndSend(record);
  }

  /** LiveCallAnalysis's sink (edge-node/src/live): the report, its HTML and the transcript of a finished call. */
  async callFinished(result: {
    callId: string;
    report: unknown;
    html: string;
    transcript: TranscriptSegment[];
    events?: CallEvent[];
  }): Promise<void> {
    if (!this.store.get(result.callId) && !this.#opening.has(result.callId)) {
      this.#log.warn(
        { callId: result.callId },
        'report for a call that was never recorded; archiving it anyway',
      );
      await this.openCall(result.callId, Date.now());
    }
    await this.storeTranscript(result.callId, result.transcript);
    if (result.events?.length) await this.storeEvents(result.callId, result.events);
    await this.storeReport(result.callId, result.report, result.html);
  }

  /** The call's event log (annotations, chat, consent from the data channels), encrypted like every artifact. */
  async storeEvents(callId: string, events: CallEvent[]): Promise<void> {
    const valid = events.map((e) => validate(CallEvent, e, 'call event')).sort((a, b) => a.atMs - b.atMs);
    const record = await this.#record(callId);
    const n = record.entries('artifact').filter((a) => a.kind === 'events').length;
    await this.#storeArtifact(
      record,
      'events',
      `artifacts/events${n ? `-${n + 1}` : ''}.json.bea`,
      Buffer.from(JSON.stringify(valid)),
    );
    await this.#signAndSend(record);
  }

  /** The call's final transcript (partials are dropped). */
  async storeTranscript(callId: string, segments: TranscriptSegment[]): Promise<void> {
    const finals = segments
      .map((s) => validate(TranscriptSegment, s, 'transcript segment'))
      .filter((s) => s.final);
    finals.sort((a, b) => a.startMs - b.startMs);
    const record = await this.#record(callId);
    const n = record.entries('artifact').filter((a) => a.kind === 'transcript').length;
    await this.#storeArtifact(
      record,
      'transcript',
      `artifacts/transcript${n ? `-${n + 1}` : ''}.json.bea`,
      Buffer.from(JSON.stringify(finals)),
    );
    await this.#signAndSend(record);
  }

  /**
   * Marks a moment of evidence (call time, ms). A clip of ±RECORDING_CLIP_SECONDS around it
   * is cut from the recording once the call's segments are in (at the latest when the call
   * ends) and sent to the cloud. `reason`: a check id or short label — never transcript text.
   */
  async flagEvidence(callId: string, atMs: number, reason: string): Promise<void> {
    const record = await this.#record(callId);
    // A label travels to the cloud and its logs: personal data is scrubbed if a caller slips.
    await record.append({ type: 'flag', atMs, reason: redactString(reason).slice(0, 200) });
    if (record.meta.status === 'sealed') this.#job(() => this.#clips(record));
  }

  /** Ends the call's recording: seals and signs the manifest, sends the head, then renders the composite and clips. */
  async finishCall(callId: string, reason: string): Promise<ManifestHead> {
    const record = await this.#record(callId);
    this.#opening.delete(callId);
    if (record.meta.status !== 'sealed') {
      const durationMs = Date.now() - record.meta.startedAt;
      await record.append({ type: 'seal', reason: reason.slice(0, 200), durationMs });
      await record.updateMeta({
        status: 'sealed',
        sealedAt: Date.now(),
        durationMs,
        composite: this.config.recording.composite && this.#renderer ? 'pending' : 'skipped',
      });
    }
    const head = await this.#signAndSend(record);
    this.#job(() => this.#render(record));
    return head;
  }

  /** Resolves when queued composite/clip jobs are done. */
  async idle(): Promise<void> {
    let current: Promise<unknown>;
    do {
      current = this.#jobs;
      await current;
    } while (current !== this.#jobs);
  }

  /** After a restart: calls left open were interrupted; their gap is logged and they are sealed. Renders what is missing. */
  async recover(): Promise<void> {
    for (const callId of this.store.callIds()) {
      const record = this.store.get(callId)!;
      if (record.meta.shreddedAt) continue;
      if (record.meta.status === 'open') {
        const last = record.manifest.last;
        const fromMs = (last?.at ?? record.meta.startedAt) - record.meta.startedAt;
        await record.append({
          type: 'gap',
          fromMs,
          reason: 'edge-restarted',
          detail: 'the edge stopped while the call was recorded',
        });
        await this.finishCall(callId, 'interrupted by an edge restart');
      } else if (record.meta.composite === 'pending' || record.meta.composite === 'failed') {
        await record.updateMeta({ composite: 'pending' });
        this.#job(() => this.#render(record));
      } else if ((record.manifest.head()?.seq ?? -1) < (record.manifest.last?.seq ?? -1)) {
        // entries written after the last signature (the edge stopped in between): sign them now
        await this.#signAndSend(record);
      }
    }
  }

  // ---- cloud commands ------------------------------------------------------------------

  async hold(callId: string, by: string, reason: string): Promise<void> {
    const record = this.store.require(callId);
    await record.updateMeta({ hold: { by, reason: reason.slice(0, 500), at: Date.now() } });
    await this.audit.append({
      actor: by,
      actorRole: 'compliance',
      action: 'hold.set',
      callId,
      reason,
      outcome: 'done',
    });
  }

  async release(callId: string, by: string, reason: string): Promise<void> {
    const record = this.store.require(callId);
    await record.updateMeta({ hold: undefined });
    await this.audit.append({
      actor: by,
      actorRole: 'compliance',
      action: 'hold.release',
      callId,
      reason,
      outcome: 'done',
    });
  }

  /** Queues the whole recording (manifest, every segment, the composite) for the cloud, as stored: ciphertext. */
  async requestFull(callId: string, by: string): Promise<number> {
    const record = this.store.require(callId);
    if (record.meta.shreddedAt)
      throw new AppError('not_found', `call ${callId} was crypto-shredded`, { reason: 'shredded' });
    let n = 0;
    for (const e of record.entries('segment'))
      n += this.#enqueueFile(record, 'segment', e.file, e.sha256, {
        seq: e.seq,
        track: e.track,
        index: e.index,
      })
        ? 1
        : 0;
    for (const e of record.entries('artifact').filter((a) => a.kind === 'composite'))
      n += this.#enqueueFile(record, 'composite', e.file, e.sha256, { seq: e.seq }) ? 1 : 0;
    const manifest = record.manifest.entries.map((e) => JSON.stringify(e)).join('\n') + '\n';
    this.#enqueue({
      id: `${callId}:manifest:${record.manifest.last?.seq ?? 0}`,
      kind: 'manifest',
      callId,
      body: Buffer.from(manifest),
      meta: { seq: record.manifest.last?.seq ?? 0, head: record.manifest.head() },
    });
    await this.audit.append({
      actor: by,
      actorRole: 'compliance',
      action: 'recording.request-full',
      callId,
      outcome: 'done',
      detail: `${n} files queued`,
    });
    return n;
  }

  async rotateKek(by: string): Promise<{ kekId: string; rewrapped: number; retired: string[] }> {
    const result = await this.keys.rotateKek();
    await this.audit.append({
      actor: by,
      actorRole: 'ops',
      action: 'kek.rotate',
      outcome: 'done',
      detail: `kek ${result.kekId}, ${result.rewrapped} keys re-wrapped, ${result.retired.length} retired`,
    });
    return result;
  }

  /** A decrypted byte range of a stored file (`composite` = the latest composite), for playback through the cloud. */
  async read(
    callId: string,
    file: string,
    offset: number,
    length: number,
    actor: string,
  ): Promise<{ data: Buffer; total: number; contentType: string }> {
    const record = this.store.require(callId);
    if (record.meta.shreddedAt)
      throw new AppError('not_found', `call ${callId} was crypto-shredded`, { reason: 'shredded' });
    const relative =
      file === 'composite'
        ? record
            .entries('artifact')
            .filter((a) => a.kind === 'composite')
            .at(-1)?.file
        : file;
    const listed =
      relative &&
      record.manifest.entries.some(
        (e) => (e.type === 'segment' || e.type === 'artifact') && e.file === relative,
      );
    if (!relative || !listed) throw new AppError('not_found', `no ${file} in call ${callId}`);
    const auditKey = `${actor}|${callId}|${relative}`;
    if ((this.#readsAudited.get(auditKey) ?? 0) < Date.now() - 600_000) {
      this.#readsAudited.set(auditKey, Date.now());
      await this.audit.append({
        actor,
        actorRole: 'cloud',
        action: 'edge.read',
        callId,
        outcome: 'done',
        detail: relative,
      });
    }
    const reader = await record.reader(relative);
    try {
      return {
        data: await reader.read(offset, offset + length),
        total: reader.size,
        contentType:
          CONTENT_TYPES[path.extname(relative.replace(/\.bea$/, ''))] ?? 'application/octet-stream',
      };
    } finally {
      await reader.close();
    }
  }

  // ---- retention --------------------------------------------------------------------

  /**
   * Crypto-shreds a call: the manifest records it (and stays, signed), the data key is
   * destroyed, the ciphertext is deleted (unless configured to stay), the cloud is told to
   * destroy its copy of the key. Refused while a legal hold applies.
   */
  async shred(callId: string, reason: string, actor = 'retention'): Promise<void> {
    const record = this.store.require(callId);
    if (record.meta.hold)
      throw new AppError('conflict', `call ${callId} is on legal hold`, { reason: 'legal_hold' });
    if (record.meta.shreddedAt) return;
    await record.append({ type: 'shred', reason: reason.slice(0, 200) });
    await this.#signAndSend(record);
    await this.keys.shred(callId);
    const removed = this.config.deleteCiphertext ? await record.deleteData() : 0;
    await record.updateMeta({ shreddedAt: Date.now() });
    const dropped = this.outbox.dropCall(callId, 'crypto-shredded', [
      'manifest-head',
      'alert',
      'audit',
      'shredded',
    ]);
    this.#enqueue({
      id: `${callId}:shredded`,
      kind: 'shredded',
      callId,
      body: Buffer.from(JSON.stringify({ callId, at: Date.now(), reason })),
      meta: { reason },
    });
    await this.audit.append({
      actor,
      actorRole: 'edge',
      action: 'retention.shred',
      callId,
      reason,
      outcome: 'done',
      detail: `data key destroyed; ${dropped} unsent items dropped`,
    });
    if (removed)
      await this.audit.append({
        actor,
        actorRole: 'edge',
        action: 'retention.delete',
        callId,
        reason,
        outcome: 'done',
        detail: `${removed} encrypted files deleted`,
      });
    this.#log.info({ callId, removed }, 'call crypto-shredded');
  }

  /**
   * The edge is stopping. Results still on their way (a report finished while the
   * calls were being closed) get a grace period before the outbox database closes.
   */
  close(graceMs = 10_000): void {
    if (this.#closed) return;
    clearTimeout(this.#closing); // a second call may shorten the grace
    this.#closing = setTimeout(() => {
      this.#closed = true;
      this.outbox.close();
    }, graceMs);
    this.#closing.unref();
  }

  // ---- internals ----------------------------------------------------------------------

  async #storeArtifact(
    record: CallRecord,
    kind: 'report' | 'report-html' | 'transcript' | 'events',
    relative: string,
    plain: Buffer,
  ): Promise<void> {
    const stored = await record.putBuffer(relative, plain, false);
    const entry = await record.append({
      type: 'artifact',
      kind,
      file: stored.file,
      sha256: stored.sha256,
      bytes: stored.bytes,
    });
    this.#enqueueFile(record, kind, stored.file, stored.sha256, { seq: entry.seq });
  }

  async #signAndSend(record: CallRecord): Promise<ManifestHead> {
    const head = await record.sign();
    this.#enqueue({
      id: `${record.callId}:head:${head.seq}`,
      kind: 'manifest-head',
      callId: record.callId,
      body: Buffer.from(JSON.stringify(head)),
      meta: { seq: head.seq },
    });
    this.safeEmit('head', head);
    return head;
  }

  #enqueueFile(
    record: CallRecord,
    kind: OutboxKind,
    file: string,
    sha256: string,
    meta: Record<string, unknown>,
  ): boolean {
    return this.#enqueue(
      {
        id: `${record.callId}:${kind}:${file}`,
        kind,
        callId: record.callId,
        file: record.absolute(file),
        meta: { ...meta, file },
      },
      sha256,
    );
  }

  #enqueue(item: OutboxItemInput, sha256?: string): boolean {
    const added = this.outbox.enqueue(item, sha256);
    if (added) this.safeEmit('queued', item.id);
    return added;
  }

  /** @internal every edge audit entry also goes to the cloud's audit stream. */
  queueAudit(entry: EdgeAuditEntry): void {
    this.#enqueue({
      id: `audit:${this.config.edgeId}:${entry.seq}:${entry.hash.slice(0, 12)}`,
      kind: 'audit',
      callId: entry.callId ?? '-',
      body: Buffer.from(JSON.stringify(entry)),
      meta: { action: entry.action },
    });
  }

  #job(fn: () => Promise<void>): void {
    this.#jobs = this.#jobs.then(fn).catch((err: unknown) => this.#log.error({ err }, 'archive job failed'));
  }

  async #render(record: CallRecord): Promise<void> {
    if (record.meta.shreddedAt) return;
    if (record.meta.composite === 'pending' && this.#renderer) {
      try {
        const stored = await this.#renderer.composite(record);
        if (stored) {
          const entry = await record.append({
            type: 'artifact',
            kind: 'composite',
            file: stored.file,
            sha256: stored.sha256,
            bytes: stored.bytes,
          });
          this.#log.info({ callId: record.callId, seq: entry.seq, bytes: stored.bytes }, 'composite stored');
        }
        await record.updateMeta({ composite: stored ? 'done' : 'skipped' });
      } catch (err) {
        await record.updateMeta({ composite: 'failed' });
        this.alert({
          callId: record.callId,
          type: 'recording.failed',
          reason: 'composite',
          atMs: 0,
          detail: (err as Error).message.slice(0, 200),
        });
      }
    }
    await this.#clips(record);
    await this.#signAndSend(record);
  }

  /** Cuts a clip for every flag that has none yet. */
  async #clips(record: CallRecord): Promise<void> {
    if (!this.#renderer || record.meta.shreddedAt) return;
    const done = new Set(
      record
        .entries('artifact')
        .filter((a) => a.kind === 'clip')
        .map((a) => a.atMs),
    );
    const span = this.config.recording.clipSeconds * 1000;
    for (const flag of record.entries('flag')) {
      if (done.has(flag.atMs)) continue;
      const fromMs = Math.max(0, flag.atMs - span);
      const toMs = Math.min(record.meta.durationMs ?? Date.now() - record.meta.startedAt, flag.atMs + span);
      try {
        const stored = await this.#renderer.clip(
          record,
          fromMs,
          toMs,
          `artifacts/clips/clip-${String(flag.seq).padStart(5, '0')}.mp4.bea`,
        );
        if (!stored) continue;
        const entry = await record.append({
          type: 'artifact',
          kind: 'clip',
          file: stored.file,
          sha256: stored.sha256,
          bytes: stored.bytes,
          atMs: flag.atMs,
          fromMs,
          toMs,
        });
        this.#enqueueFile(record, 'clip', stored.file, stored.sha256, {
          seq: entry.seq,
          atMs: flag.atMs,
          fromMs,
          toMs,
          reason: flag.reason,
        });
        done.add(flag.atMs);
      } catch (err) {
        this.alert({
          callId: record.callId,
          type: 'recording.failed',
          reason: 'clip',
          atMs: flag.atMs,
          detail: (err as Error).message.slice(0, 200),
        });
      }
    }
    await this.#signAndSend(record);
  }
}

export type { EdgeAuditInput };
