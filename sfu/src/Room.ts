// A call's media room. It lives on one router (one worker) and spans more only
// when that worker is full: new participants then land on a router on another
// worker and producers are piped between the room's routers (pipeToRouter).
// The room is disposable: if its worker dies it closes, tells everyone to
// reconnect, and the edge creates a fresh one for the same call.
import type { types } from 'mediasoup';
import type { Logger } from '#common/logger';
import { AppError } from '#protocol/errors';
import type { MediaSource, DataChannelLabel } from '#protocol/signaling';
import { AudioTaps, type AudioTrackListener } from './AudioTaps.ts';
import { DataTaps } from './DataTaps.ts';
import { ROUTER_MEDIA_CODECS } from './mediaCodecs.ts';
import { Peer, type PeerChannel, type PeerIdentity } from './Peer.ts';
import { isVisible, maySee } from './permissions.ts';
import { SafeEmitter } from './SafeEmitter.ts';
import type { PooledWorker, WorkerPool } from './WorkerPool.ts';

export interface RoomOptions {
  callId: string;
  pool: WorkerPool;
  logger: Logger;
  /** Epoch ms of the call's time 0: transcripts, alerts and recordings count from here. */
  startedAt?: number;
  /**
   * A worker with this many consumers takes no new participants of this room; with every
   * worker there, joins are refused (`unavailable`). No limit unless given (the edge sets
   * SFU_MAX_CONSUMERS_PER_WORKER; benchmarks load one worker past it on purpose).
   */
  maxConsumersPerWorker?: number;
}

type RoomEvents = {
  peerJoined: [peer: Peer];
  /** A producer is live room-wide (already piped to the primary router): recorders and frame samplers consume it there. */
  producer: [peer: Peer, producer: types.Producer, source: MediaSource];
  peerLeft: [peer: Peer];
  activeSpeaker: [peerId: string | null];
  close: [reason: string];
};

export class Room extends SafeEmitter<RoomEvents> {
  readonly peers = new Map<string, Peer>();
  readonly #routers = new Map<number, types.Router>();
  readonly #primaryWorker: number;
  readonly audioTaps: AudioTaps;
  /** Every data channel message, for the call's event log. */
  readonly dataTaps: DataTaps;
  #closed = false;
  /**
   * Producer and data-producer ids each viewer consumes (or is being given): a join and a
   * publish that overlap both reach the same viewer and track, and must make one consumer.
   */
  readonly #consumedBy = new WeakMap<Peer, Set<string>>();

  private constructor(
    readonly callId: string,
    readonly pool: WorkerPool,
    primary: PooledWorker,
    router: types.Router,
    private readonly speakerObserver: types.ActiveSpeakerObserver,
    readonly logger: Logger,
    private readonly maxConsumersPerWorker: number,
    readonly startedAt: number,
  ) {
    super(logger);
    this.#primaryWorker = primary.index;
    this.#addRouter(primary.index, router);
    this.audioTaps = new AudioTaps(router, logger);
    this.dataTaps = new DataTaps(router, logger);
    speakerObserver.on('dominantspeaker', ({ producer }) => {
      const peerId = (producer.appData as { peerId?: string }).peerId ?? null;
      this.broadcast({ type: 'activeSpeaker', peerId });
      this.safeEmit('activeSpeaker', peerId);
    });
  }

  static async create({
    callId,
    pool,
    logger,
    maxConsumersPerWorker = Number.POSITIVE_INFINITY,
    startedAt = Date.now(),
  }: RoomOptions): Promise<Room> {
    const worker = await pool.liveWorker();
    // The least-loaded worker is full: all are. A saturated worker degrades every room on it.
    if (worker.consumers >= maxConsumersPerWorker) throw mediaCapacityReached(maxConsumersPerWorker);
    const router = await worker.worker.createRouter({
      mediaCodecs: ROUTER_MEDIA_CODECS,
      appData: { callId },
    });
    const speakerObserver = await router.createActiveSpeakerObserver({ interval: 300 });
    const roomLogger = logger.child({ callId });
    roomLogger.info({ worker: worker.index }, 'room created');
    return new Room(
      callId,
      pool,
      worker,
      router,
      speakerObserver,
      roomLogger,
      maxConsumersPerWorker,
      startedAt,
    );
  }

  get closed(): boolean {
    return this.#closed;
  }

  get primaryRouter(): types.Router {
    return this.#routers.get(this.#primaryWorker)!;
  }

  get routers(): ReadonlyMap<number, types.Router> {
    return this.#routers;
  }

  onAudioTrack(listener: AudioTrackListener): () => void {
    return this.audioTaps.onAudioTrack(listener);
  }

  /** Registers a connected participant (not yet joined). A second session of the same identity replaces the first. */
  async addPeer(identity: PeerIdentity, channel: PeerChannel): Promise<Peer> {
    const previous = this.peers.get(identity.peerId);
    if (previous) {
      this.logger.info({ peerId: identity.peerId }, 'participant reconnected; closing previous session');
      previous.channel.disconnect('replaced by a newer session');
      this.removePeer(previous);
    }
    const peer = new Peer(identity, channel);
    peer.router = await this.#routerForNewPeer();
    this.peers.set(peer.id, peer);
    return peer;
  }

  /** The peer's `join`: announce them and give them everything already published. */
  async join(peer: Peer): Promise<void> {
    peer.joined = true;
    if (isVisible(peer.role)) {
      for (const other of this.joinedPeers(peer)) other.notify({ type: 'peerJoined', peer: peer.info() });
    }
    for (const other of this.joinedPeers(peer)) {
      for (const producer of other.producers.values()) await this.consume(peer, other, producer);
      for (const dataProducer of other.dataProducers.values())
        await this.consumeData(peer, other, dataProducer);
    }
    this.logger.info({ peerId: peer.id, role: peer.role }, 'participant joined');
    this.safeEmit('peerJoined', peer);
  }

  removePeer(peer: Peer): void {
    if (this.peers.get(peer.id) !== peer) return;
    this.peers.delete(peer.id);
    peer.close();
    if (peer.joined && isVisible(peer.role)) this.broadcast({ type: 'peerLeft', peerId: peer.id });
    this.logger.info({ peerId: peer.id }, 'participant left');
    this.safeEmit('peerLeft', peer);
  }

  joinedPeers(except?: Peer): Peer[] {
    return [...this.peers.values()].filter((p) => p.joined && p !== except);
  }

  broadcast(notification: Parameters<Peer['notify']>[0], except?: Peer): void {
    for (const peer of this.joinedPeers(except)) peer.notify(notification);
  }

  /** Called once a producer exists on `owner`'s router: pipe it room-wide, tap audio, fan out. */
  async publish(owner: Peer, producer: types.Producer, source: MediaSource): Promise<void> {
    await this.#pipeEverywhere(owner.router, { producerId: producer.id });
    if (producer.kind === 'audio') {
      await this.speakerObserver
        .addProducer({ producerId: producer.id })
        .catch((err) => this.logger.warn({ err }, 'speaker observer'));
      await this.audioTaps.tap(producer, owner.role, {
        id: owner.id,
        displayName: owner.identity.displayName,
      });
    }
    for (const viewer of this.joinedPeers(owner)) await this.consume(viewer, owner, producer);
    this.safeEmit('producer', owner, producer, source);
    this.logger.info({ peerId: owner.id, kind: producer.kind, source }, 'producer published');
  }

  async publishData(owner: Peer, dataProducer: types.DataProducer): Promise<void> {
    await this.#pipeEverywhere(owner.router, { dataProducerId: dataProducer.id });
    await this.dataTaps.tap(owner, dataProducer);
    for (const viewer of this.joinedPeers(owner)) await this.consumeData(viewer, owner, dataProducer);
  }

  /** Creates a paused consumer of `producer` for `viewer`, if permitted and possible, and tells the viewer. */
  async consume(viewer: Peer, owner: Peer, producer: types.Producer): Promise<void> {
    if (!maySee(viewer.role, owner.role) || !viewer.rtpCapabilities) return;
    const transport = viewer.recvTransport();
    if (
      !transport ||
      !viewer.router.canConsume({ producerId: producer.id, rtpCapabilities: viewer.rtpCapabilities })
    )
      return;
    const source = (producer.appData as { source: MediaSource }).source;
    const consumed = this.#consumedSet(viewer);
    if (consumed.has(producer.id)) return;
    consumed.add(producer.id);
    const consumer = await transport
      .consume({
        producerId: producer.id,
        rtpCapabilities: viewer.rtpCapabilities,
        paused: true,
        enableRtx: true,
        ignoreDtx: true,
        appData: { peerId: owner.id, source },
      })
      .catch((err: unknown) => {
        consumed.delete(producer.id);
        throw err;
      });
    viewer.consumers.set(consumer.id, consumer);
    const closed = () => {
      viewer.consumers.delete(consumer.id);
      viewer.viewports.delete(consumer.id);
      viewer.notify({ type: 'consumerClosed', consumerId: consumer.id });
    };
    consumer.on('transportclose', () => viewer.consumers.delete(consumer.id));
    consumer.on('producerclose', closed);
    consumer.on('producerpause', () => viewer.notify({ type: 'consumerPaused', consumerId: consumer.id }));
    consumer.on('producerresume', () => viewer.notify({ type: 'consumerResumed', consumerId: consumer.id }));
    consumer.on('layerschange', (layers) =>
      viewer.notify({
        type: 'consumerLayersChanged',
        consumerId: consumer.id,
        spatialLayer: layers?.spatialLayer ?? null,
      }),
    );
    viewer.notify({
      type: 'newConsumer',
      peerId: owner.id,
      producerId: producer.id,
      consumerId: consumer.id,
      kind: consumer.kind,
      source,
      rtpParameters: consumer.rtpParameters,
      producerPaused: consumer.producerPaused,
    });
  }

  async consumeData(viewer: Peer, owner: Peer, dataProducer: types.DataProducer): Promise<void> {
    if (!maySee(viewer.role, owner.role)) return;
    const transport = viewer.recvTransport();
    if (!transport?.sctpParameters) return;
    const consumed = this.#consumedSet(viewer);
    if (consumed.has(dataProducer.id)) return;
    consumed.add(dataProducer.id);
    const dataConsumer = await transport
      .consumeData({ dataProducerId: dataProducer.id })
      .catch((err: unknown) => {
        consumed.delete(dataProducer.id);
        throw err;
      });
    viewer.dataConsumers.set(dataConsumer.id, dataConsumer);
    dataConsumer.on('transportclose', () => viewer.dataConsumers.delete(dataConsumer.id));
    dataConsumer.on('dataproducerclose', () => viewer.dataConsumers.delete(dataConsumer.id));
    viewer.notify({
      type: 'newDataConsumer',
      peerId: owner.id,
      dataProducerId: dataProducer.id,
      dataConsumerId: dataConsumer.id,
      label: dataProducer.label as DataChannelLabel,
      protocol: dataProducer.protocol,
      sctpStreamParameters: dataConsumer.sctpStreamParameters,
    });
  }

  #consumedSet(viewer: Peer): Set<string> {
    let set = this.#consumedBy.get(viewer);
    if (!set) this.#consumedBy.set(viewer, (set = new Set()));
    return set;
  }

  close(reason: string): void {
    if (this.#closed) return;
    this.#closed = true;
    this.logger.info({ reason }, 'room closed');
    for (const peer of this.peers.values()) {
      peer.notify(reason === 'worker died' ? { type: 'reconnect', reason } : { type: 'callEnded', reason });
      peer.close();
    }
    this.peers.clear();
    this.audioTaps.close();
    this.dataTaps.close();
    for (const router of this.#routers.values()) router.close();
    this.safeEmit('close', reason);
  }

  #addRouter(workerIndex: number, router: types.Router): void {
    this.#routers.set(workerIndex, router);
    // A router closes with its worker: the whole room must be rebuilt elsewhere.
    router.on('workerclose', () => this.close('worker died'));
  }

  async #routerForNewPeer(): Promise<types.Router> {
    const max = this.maxConsumersPerWorker;
    const primary = this.pool.workers[this.#primaryWorker];
    if (!primary || primary.consumers < max) return this.primaryRouter;
    const other = this.pool.workers
      .filter((w) => !w.worker.closed && w.index !== this.#primaryWorker && w.consumers < max)
      .sort((a, b) => a.consumers - b.consumers || a.routers - b.routers)[0];
    if (!other) throw mediaCapacityReached(max);
    const existing = this.#routers.get(other.index);
    if (existing) return existing;
    const router = await other.worker.createRouter({
      mediaCodecs: ROUTER_MEDIA_CODECS,
      appData: { callId: this.callId },
    });
    this.#addRouter(other.index, router);
    this.logger.info({ worker: other.index }, 'room spans another worker');
    // Everything already published must be reachable from the new router.
    for (const peer of this.peers.values()) {
      for (const producer of peer.producers.values())
        await peer.router.pipeToRouter({ producerId: producer.id, router });
      for (const dp of peer.dataProducers.values())
        await peer.router.pipeToRouter({ dataProducerId: dp.id, router });
    }
    return router;
  }

  async #pipeEverywhere(
    from: types.Router,
    what: { producerId: string } | { dataProducerId: string },
  ): Promise<void> {
    for (const router of this.#routers.values()) {
      if (router !== from) await from.pipeToRouter({ ...what, router });
    }
  }
}

/** Every worker hosts SFU_MAX_CONSUMERS_PER_WORKER consumers or more: new participants are refused, typed. */
function mediaCapacityReached(max: number): AppError {
  return new AppError(
    'unavailable',
    `edge media capacity reached: every media worker hosts ${max} or more streams`,
  );
}
