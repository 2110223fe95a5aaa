// Annotations of one call, shared by every view: applies what arrives on the
// `annotations` data channel and what this user draws (sent, then applied
// locally — data channels do not echo). No React; views subscribe to `change`.
import { Emitter } from '../Emitter.ts';
import type { RoomClient } from '../RoomClient.ts';
import { EMPTY, parseMessage, reduce, type AnnotationMessage, type AnnotationState } from './model.ts';

export class AnnotationStore extends Emitter<{ change: [AnnotationState] }> {
  #state: AnnotationState = EMPTY;
  /** Every message applied, in order: what the call's event log should keep (and what tests read). */
  readonly log: Array<{ at: number; from: string; message: AnnotationMessage }> = [];
  readonly #off: () => void;

  constructor(private readonly room: RoomClient) {
    super();
    this.#off = room.on('data', ({ label, fromPeerId, payload }) => {
      if (label !== 'annotations') return;
      const msg = parseMessage(payload);
      if (msg) this.#apply(msg, fromPeerId);
      else console.warn('dropped a malformed annotation message');
    });
  }

  get state(): AnnotationState {
    return this.#state;
  }

  /** Applies locally and sends to everyone else in the call. */
  async send(msg: AnnotationMessage): Promise<void> {
    this.#apply(msg, this.room.peerId ?? 'me');
    await this.room.sendData('annotations', msg);
  }

  dispose(): void {
    this.#off();
  }

  #apply(msg: AnnotationMessage, from: string): void {
    this.log.push({ at: Date.now(), from, message: msg.type === 'freeze' ? { ...msg, frame: { ...msg.frame, image: `(${msg.frame.image.length} chars)` } } : msg });
    this.#state = reduce(this.#state, msg);
    this.emit('change', this.#state);
  }
}
