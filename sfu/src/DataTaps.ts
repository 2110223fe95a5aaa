// The edge reads every data channel in a room (annotations, chat) on a
// DirectTransport, so what participants send each other lands in the call's
// event log with the recording.
import type { types } from 'mediasoup';
import type { Logger } from '#common/logger';
import type { DataChannelLabel } from '#protocol/signaling';
import type { Peer } from './Peer.ts';

/** Largest message kept (an annotation stroke is a few kB; anything bigger is cut). */
const MAX_MESSAGE_BYTES = 64 * 1024;

export type DataMessageListener = (peer: Peer, label: DataChannelLabel, message: string) => void;

export class DataTaps {
  #transport?: types.DirectTransport;
  readonly #listeners = new Set<DataMessageListener>();

  constructor(
    private readonly router: types.Router,
    private readonly logger: Logger,
  ) {}

  onMessage(listener: DataMessageListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  async tap(owner: Peer, dataProducer: types.DataProducer): Promise<void> {
    this.#transport ??= await this.router.createDirectTransport({ maxSendMessageSize: 262144 });
    const consumer = await this.#transport.consumeData({ dataProducerId: dataProducer.id });
    const label = dataProducer.label as DataChannelLabel;
    this.logger.debug({ peerId: owner.id, label, dataProducerId: dataProducer.id }, 'data channel tapped');
    consumer.on('message', (data: Buffer) => {
      const text = data.subarray(0, MAX_MESSAGE_BYTES).toString('utf8');
      for (const listener of this.#listeners) {
        try {
          listener(owner, label, text);
        } catch (err) {
          this.logger.error({ err, label }, 'data message listener threw');
        }
      }
    });
  }

  close(): void {
    this.#transport?.close();
  }
}
