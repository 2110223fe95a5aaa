// Annotations of one call, shared by every view: applies what arrives on the
// `annotations` data channel and what this user draws (sent, then applied
// locally — data channels do not echo). No React; views subscribe to `change`.
//
// Delivery: a data channel only reaches a receiver once that receiver's SCTP
// association is up, which happens with its first data consumer. So a
// participant who may draw opens the channel as soon as it joins, and an
// author re-sends its marks (and frozen frames) shortly after someone joins.
import { Emitter } from '../Emitter.ts';
import type { RoomClient } from '../RoomClient.ts';
import { EMPTY, parseMessage, reduce, type AnnotationMessage, type AnnotationState } from './model.ts';

const MAY_DRAW = new Set(['expert', 'manager']);
/** After a peer joins: when to re-send, giving its SCTP association time to come up. */
const RESYNC_AFTER_MS = [1500, 4000];
const SYNC_BATCH = 50;

export class AnnotationStore extends Emitter<{ change: [AnnotationState] }> {
  #state: AnnotationState = EMPTY;
  /** Every message applied, in order: what the call's event log should keep (and what tests read). */
  readonly log: Array<{ at: number; from: string; message: AnnotationMessage }> = [];
  readonly #offs: Array<() => void> = [];
  readonly #timers = new Set<ReturnType<typeof setTimeout>>();
  /** What this participant drew or froze: the part it re-sends. */
  readonly #mine = new Set<string>();
  readonly #frozenByMe = new Set<string>();
  #knownPeers = new Set<string>();

  constructor(private readonly room: RoomClient) {
    super();
    this.#offs.push(
      room.on('data', ({ label, fromPeerId, payload }) => {
        if (label !== 'annotations') return;
        const msg = parseMessage(payload);
        if (msg) this.#apply(msg, fromPeerId);
        else console.warn('dropped a malformed annotation message');
      }),
      room.on('state', (state) => {
        if (state === 'joined' && room.role && MAY_DRAW.has(room.role))
          void room.openData('annotations').catch(() => undefined);
      }),
      room.on('peers', (peers) => {
        const now = new Set(peers.map((p) => p.peerId));
        const joined = [...now].some((id) => !this.#knownPeers.has(id));
        this.#knownPeers = now;
        if (joined && (this.#mine.size > 0 || this.#ownFrozen().length > 0)) this.#scheduleResync();
      }),
    );
  }

  get state(): AnnotationState {
    return this.#state;
  }

  /** Applies locally and sends to everyone else in the call. */
  async send(msg: AnnotationMessage): Promise<void> {
    if (msg.type === 'add') this.#mine.add(msg.annotation.id);
    if (msg.type === 'freeze') this.#frozenByMe.add(`${msg.target.peerId}/${msg.target.source}`);
    if (msg.type === 'unfreeze') this.#frozenByMe.delete(`${msg.target.peerId}/${msg.target.source}`);
    this.#apply(msg, this.room.peerId ?? 'me');
    await this.room.sendData('annotations', msg);
  }

  dispose(): void {
    this.#offs.forEach((off) => off());
    this.#timers.forEach((t) => clearTimeout(t));
  }

  #ownFrozen(): Array<[string, AnnotationState['frozen'][string]]> {
    return Object.entries(this.#state.frozen).filter(([key]) => this.#frozenByMe.has(key));
  }

  #scheduleResync(): void {
    for (const delay of RESYNC_AFTER_MS) {
      const timer = setTimeout(() => {
        this.#timers.delete(timer);
        void this.#resync().catch(() => undefined);
      }, delay);
      this.#timers.add(timer);
    }
  }

  async #resync(): Promise<void> {
    for (const [key, frame] of this.#ownFrozen()) {
      const [peerId, source] = key.split('/') as [string, 'camera' | 'screen'];
      await this.room.sendData('annotations', { type: 'freeze', target: { peerId, source }, frame });
    }
    const items = this.#state.items.filter((a) => this.#mine.has(a.id));
    for (let i = 0; i < items.length; i += SYNC_BATCH)
      await this.room.sendData('annotations', { type: 'sync', items: items.slice(i, i + SYNC_BATCH) });
  }

  #apply(msg: AnnotationMessage, from: string): void {
    this.log.push({
      at: Date.now(),
      from,
      message:
        msg.type === 'freeze'
          ? { ...msg, frame: { ...msg.frame, image: `(${msg.frame.image.length} chars)` } }
          : msg,
    });
    this.#state = reduce(this.#state, msg);
    this.emit('change', this.#state);
  }
}
