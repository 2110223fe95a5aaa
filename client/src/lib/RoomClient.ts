// The call, without React: signaling, the mediasoup-client Device, one send and
// one receive transport, local tracks, remote consumers and data channels. The
// UI subscribes to events and calls methods; it never touches mediasoup.
// Reconnection: when the edge says `reconnect` (its worker died) or the
// signaling link drops, everything is rebuilt from a fresh channel while the
// local camera/mic tracks are kept, so the user sees a short freeze, not a hang-up.
import { Device, type types } from 'mediasoup-client';
import type { CallRole } from '#protocol/roles';
import type { ChecklistItem, ComplianceAlert, TranscriptSegment } from '#protocol/events';
import type { DataChannelLabel, MediaSource, PeerInfo, SignalNotification } from '#protocol/signaling';
import { Emitter } from './Emitter.ts';
import { SignalError, type SignalChannel } from './SignalChannel.ts';

export type CallState = 'idle' | 'connecting' | 'joined' | 'reconnecting' | 'ended' | 'failed';

export interface RemoteTrack {
  consumerId: string;
  peerId: string;
  kind: 'audio' | 'video';
  source: MediaSource;
  track: MediaStreamTrack;
  paused: boolean;
}

export type DataMessage = { label: DataChannelLabel; fromPeerId: string; payload: unknown };

type RoomEvents = {
  state: [CallState, string?];
  peers: [PeerInfo[]];
  tracks: [RemoteTrack[]];
  activeSpeaker: [string | null];
  transcript: [TranscriptSegment];
  alert: [ComplianceAlert];
  checklist: [ChecklistItem[]];
  data: [DataMessage];
};

/** Camera simulcast: three layers, 1/4, 1/2 and full resolution (see sfu/src/layers.ts). */
const CAMERA_ENCODINGS: RTCRtpEncodingParameters[] = [
  { rid: 'r0', scaleResolutionDownBy: 4, maxBitrate: 150_000 },
  { rid: 'r1', scaleResolutionDownBy: 2, maxBitrate: 400_000 },
  { rid: 'r2', scaleResolutionDownBy: 1, maxBitrate: 900_000 },
];

const MAX_RETRY_DELAY_MS = 2000;

/**
 * Back-off before reconnection attempt `n` (0-based): 250 ms doubling up to a
 * 2 s ceiling, each drawn from its upper half so participants who lost the edge
 * together do not come back in lockstep. An attempt against a down edge fails at
 * once (SocketRequests), so this ceiling bounds how long after the edge is back
 * a participant waits to rejoin.
 */
export function retryDelayMs(n: number, random = Math.random): number {
  const ceiling = Math.min(MAX_RETRY_DELAY_MS, 250 * 2 ** n);
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

export interface RoomClientOptions {
  displayName: string;
  device?: { kind: 'browser' | 'tablet' | 'ar-glasses' | 'booth' | 'bot'; name: string };
  /** Opens a fresh signaling channel (first join and every reconnection). */
  connect: () => SignalChannel;
  /** Receive-only (compliance observer) or low-bandwidth (AR glasses on a weak link). */
  publish?: boolean;
}

export class RoomClient extends Emitter<RoomEvents> {
  state: CallState = 'idle';
  peerId?: string;
  role?: CallRole;
  callId?: string;
  callStartedAt = 0;
  readonly peers = new Map<string, PeerInfo>();
  readonly remote = new Map<string, RemoteTrack>();
  readonly local = new Map<MediaSource, MediaStreamTrack>();
  #channel?: SignalChannel;
  #device?: Device;
  #send?: types.Transport;
  #recv?: types.Transport;
  readonly #producers = new Map<MediaSource, types.Producer>();
  readonly #consumers = new Map<string, types.Consumer>();
  readonly #dataProducers = new Map<DataChannelLabel, types.DataProducer>();
  readonly #dataOpening = new Map<DataChannelLabel, Promise<types.DataProducer>>();
  #reconnectAttempt = 0;
  #leaving = false;
  /** AR glasses on a weak link: every video at the lowest simulcast layer, viewport hints ignored. */
  #lowBandwidth = false;
  readonly #viewports = new Map<string, { width: number; height: number }>();

  constructor(private readonly options: RoomClientOptions) {
    super();
  }

  async join(): Promise<void> {
    this.#setState(this.state === 'reconnecting' ? 'reconnecting' : 'connecting');
    const channel = this.options.connect();
    this.#channel = channel;
    channel.onNotify((n) => void this.#onNotification(n));
    channel.onConnectionChange((state, reason) => {
      if (channel !== this.#channel || this.#leaving) return;
      if (state === 'failed' && this.state === 'connecting') this.#setState('failed', reason);
      else if (state !== 'connected') void this.#reconnect(reason ?? state);
    });

    const { rtpCapabilities } = await channel.request('getRouterRtpCapabilities');
    this.#device = new Device();
    await this.#device.load({ routerRtpCapabilities: rtpCapabilities as types.RtpCapabilities });
    const sctpCapabilities = this.#device.sctpCapabilities;
    if (this.options.publish !== false) this.#send = await this.#createTransport('send');
    this.#recv = await this.#createTransport('recv');

    const joined = await channel.request('join', {
      displayName: this.options.displayName,
      rtpCapabilities: this.#device.recvRtpCapabilities,
      sctpCapabilities,
      ...(this.options.device ? { device: this.options.device } : {}),
    });
    this.peerId = joined.peerId;
    this.role = joined.role;
    this.callId = joined.callId;
    this.callStartedAt = joined.callStartedAt;
    for (const p of joined.peers) this.peers.set(p.peerId, p);
    this.emit('peers', [...this.peers.values()]);
    this.#reconnectAttempt = 0;
    this.#setState('joined');
    // After a reconnection, publish again what the user was publishing.
    for (const [source, track] of this.local) await this.#produce(source, track);
  }

  /** Publishes a camera, microphone or screen track (kept across reconnections). */
  async publish(source: MediaSource, track: MediaStreamTrack): Promise<void> {
    this.local.set(source, track);
    if (this.state === 'joined') await this.#produce(source, track);
  }

  async unpublish(source: MediaSource): Promise<void> {
    const producer = this.#producers.get(source);
    this.local.get(source)?.stop();
    this.local.delete(source);
    if (!producer) return;
    producer.close();
    this.#producers.delete(source);
    await this.#channel?.request('closeProducer', { producerId: producer.id }).catch(() => undefined);
  }

  async setMuted(source: MediaSource, muted: boolean): Promise<void> {
    const producer = this.#producers.get(source);
    if (!producer) return;
    if (muted) producer.pause();
    else producer.resume();
    await this.#channel?.request(muted ? 'pauseProducer' : 'resumeProducer', { producerId: producer.id });
  }

  /** Tells the edge how large a remote video is drawn, so it sends the right simulcast layer. */
  async setViewport(consumerId: string, width: number, height: number): Promise<void> {
    this.#viewports.set(consumerId, { width, height });
    if (this.#lowBandwidth) return;
    await this.#channel
      ?.request('setConsumerViewport', { consumerId, width: Math.round(width), height: Math.round(height) })
      .catch(() => undefined);
  }

  get lowBandwidth(): boolean {
    return this.#lowBandwidth;
  }

  /** Low-bandwidth mode: remote videos drop to their lowest layer (¼ resolution, lowest frame rate); off restores viewport-based layers. */
  async setLowBandwidth(on: boolean): Promise<void> {
    this.#lowBandwidth = on;
    for (const t of this.remote.values()) if (t.kind === 'video') await this.#applyBandwidth(t.consumerId);
  }

  async #applyBandwidth(consumerId: string): Promise<void> {
    const channel = this.#channel;
    if (!channel) return;
    if (this.#lowBandwidth) {
      await channel
        .request('setConsumerPreferredLayers', { consumerId, spatialLayer: 0, temporalLayer: 0 })
        .catch(() => undefined);
    } else {
      const vp = this.#viewports.get(consumerId) ?? { width: 1280, height: 720 };
      await channel
        .request('setConsumerViewport', {
          consumerId,
          width: Math.round(vp.width),
          height: Math.round(vp.height),
        })
        .catch(() => undefined);
    }
  }

  /** One sample of the link's health for the network quality indicator (see quality.ts). */
  async networkSample(): Promise<{
    rttMs?: number;
    packetsLost: number;
    packetsReceived: number;
    availableKbps?: number;
  }> {
    let rttMs: number | undefined;
    let availableKbps: number | undefined;
    let packetsLost = 0;
    let packetsReceived = 0;
    for (const transport of [this.#recv, this.#send]) {
      if (!transport || transport.closed) continue;
      const report = await transport.getStats().catch(() => undefined);
      for (const s of report?.values() ?? []) {
        if (s.type === 'candidate-pair' && s.nominated && typeof s.currentRoundTripTime === 'number') {
          rttMs = Math.max(rttMs ?? 0, s.currentRoundTripTime * 1000);
          if (typeof s.availableOutgoingBitrate === 'number' && transport === this.#send)
            availableKbps = s.availableOutgoingBitrate / 1000;
        }
        if (s.type === 'inbound-rtp') {
          packetsLost += s.packetsLost ?? 0;
          packetsReceived += s.packetsReceived ?? 0;
        }
      }
    }
    return {
      ...(rttMs === undefined ? {} : { rttMs }),
      ...(availableKbps === undefined ? {} : { availableKbps }),
      packetsLost,
      packetsReceived,
    };
  }

  /**
   * Opens a data channel ahead of its first message. Worth doing: a receiver's
   * SCTP association comes up only with its first data consumer, and messages
   * sent before that are lost.
   */
  async openData(label: DataChannelLabel): Promise<void> {
    if (!this.#send) throw new SignalError('forbidden', 'this participant cannot send');
    let opening = this.#dataOpening.get(label);
    if (!opening) {
      const send = this.#send;
      opening = (async () => {
        const dp = await send.produceData({ label, ordered: true });
        this.#dataProducers.set(label, dp);
        if (dp.readyState !== 'open') await new Promise<void>((resolve) => dp.on('open', () => resolve()));
        return dp;
      })();
      this.#dataOpening.set(label, opening);
      opening.catch(() => this.#dataOpening.delete(label));
    }
    await opening;
  }

  /** Sends on a data channel (annotations, chat), opening it on first use. */
  async sendData(label: DataChannelLabel, payload: unknown): Promise<void> {
    await this.openData(label);
    this.#dataProducers.get(label)?.send(JSON.stringify(payload));
  }

  /** Inbound stats per remote track, for the quality indicator and for tests. */
  async inboundStats(): Promise<
    Array<{
      peerId: string;
      kind: string;
      framesDecoded?: number;
      totalSamplesReceived?: number;
      packetsLost?: number;
      jitter?: number;
      /** For diagnosing a stream that does not decode (test failure messages). */
      packetsReceived?: number;
      keyFramesDecoded?: number;
      pliCount?: number;
      paused: boolean;
    }>
  > {
    const out = [];
    for (const [id, consumer] of this.#consumers) {
      const remote = this.remote.get(id);
      if (!remote) continue;
      const report = await consumer.getStats();
      for (const s of report.values()) {
        if (s.type === 'inbound-rtp') {
          out.push({
            peerId: remote.peerId,
            kind: remote.kind,
            framesDecoded: s.framesDecoded,
            totalSamplesReceived: s.totalSamplesReceived,
            packetsLost: s.packetsLost,
            jitter: s.jitter,
            packetsReceived: s.packetsReceived,
            keyFramesDecoded: s.keyFramesDecoded,
            pliCount: s.pliCount,
            paused: remote.paused,
          });
        }
      }
    }
    return out;
  }

  async leave(): Promise<void> {
    this.#leaving = true;
    await this.#channel?.request('leave').catch(() => undefined);
    this.#teardown();
    for (const t of this.local.values()) t.stop();
    this.local.clear();
    this.#setState('ended', 'you left the call');
  }

  async #produce(source: MediaSource, track: MediaStreamTrack): Promise<void> {
    if (!this.#send) return;
    const producer = await this.#send.produce({
      track,
      ...(source === 'camera'
        ? { encodings: CAMERA_ENCODINGS, codecOptions: { videoGoogleStartBitrate: 600 } }
        : {}),
      ...(source === 'mic' ? { codecOptions: { opusStereo: false, opusDtx: true, opusFec: true } } : {}),
      stopTracks: false,
      appData: { source },
    });
    this.#producers.set(source, producer);
  }

  async #createTransport(direction: 'send' | 'recv'): Promise<types.Transport> {
    const channel = this.#channel!;
    const device = this.#device!;
    const options = await channel.request('createWebRtcTransport', {
      direction,
      sctpCapabilities: device.sctpCapabilities,
    });
    const params = {
      id: options.id,
      iceParameters: options.iceParameters as types.IceParameters,
      iceCandidates: options.iceCandidates as types.IceCandidate[],
      dtlsParameters: options.dtlsParameters as types.DtlsParameters,
      ...(options.sctpParameters ? { sctpParameters: options.sctpParameters as types.SctpParameters } : {}),
    };
    // TURN from the cloud, for participants who cannot reach the edge's UDP/TCP ports directly.
    const iceServers = await channel.iceServers?.().catch(() => undefined);
    if (iceServers?.length) Object.assign(params, { iceServers });
    const transport =
      direction === 'send' ? device.createSendTransport(params) : device.createRecvTransport(params);
    transport.on('connect', ({ dtlsParameters }, done, fail) => {
      channel
        .request('connectWebRtcTransport', { transportId: transport.id, dtlsParameters })
        .then(() => done(), fail);
    });
    transport.on('connectionstatechange', (state) => {
      // A network change (Wi-Fi → LTE) breaks ICE: restart it rather than drop the call.
      if (state === 'disconnected' || state === 'failed') void this.#restartIce(transport);
    });
    if (direction === 'send') {
      transport.on('produce', ({ kind, rtpParameters, appData }, done, fail) => {
        channel
          .request('produce', {
            transportId: transport.id,
            kind,
            rtpParameters,
            source: (appData as { source: MediaSource }).source,
          })
          .then(({ producerId }) => done({ id: producerId }), fail);
      });
      transport.on('producedata', ({ sctpStreamParameters, label, protocol }, done, fail) => {
        channel
          .request('produceData', { transportId: transport.id, sctpStreamParameters, label, protocol })
          .then(({ dataProducerId }) => done({ id: dataProducerId }), fail);
      });
    }
    return transport;
  }

  async #restartIce(transport: types.Transport): Promise<void> {
    try {
      const { iceParameters } = await this.#channel!.request('restartIce', { transportId: transport.id });
      await transport.restartIce({ iceParameters: iceParameters as types.IceParameters });
    } catch (err) {
      console.warn('ICE restart failed', err);
    }
  }

  async #onNotification(n: SignalNotification): Promise<void> {
    switch (n.type) {
      case 'peerJoined':
        this.peers.set(n.peer.peerId, n.peer);
        this.emit('peers', [...this.peers.values()]);
        break;
      case 'peerLeft':
        this.peers.delete(n.peerId);
        this.emit('peers', [...this.peers.values()]);
        break;
      case 'newConsumer': {
        if (!this.#recv) return;
        const consumer = await this.#recv.consume({
          id: n.consumerId,
          producerId: n.producerId,
          kind: n.kind,
          rtpParameters: n.rtpParameters as types.RtpParameters,
        });
        this.#consumers.set(consumer.id, consumer);
        this.remote.set(consumer.id, {
          consumerId: consumer.id,
          peerId: n.peerId,
          kind: n.kind,
          source: n.source,
          track: consumer.track,
          paused: n.producerPaused,
        });
        this.emit('tracks', [...this.remote.values()]);
        await this.#channel?.request('resumeConsumer', { consumerId: consumer.id });
        if (this.#lowBandwidth && n.kind === 'video') await this.#applyBandwidth(consumer.id);
        break;
      }
      case 'newDataConsumer': {
        if (!this.#recv) return;
        const dc = await this.#recv.consumeData({
          id: n.dataConsumerId,
          dataProducerId: n.dataProducerId,
          sctpStreamParameters: n.sctpStreamParameters as types.SctpStreamParameters,
          label: n.label,
          protocol: n.protocol,
        });
        dc.on('message', (raw) => {
          try {
            this.emit('data', { label: n.label, fromPeerId: n.peerId, payload: JSON.parse(String(raw)) });
          } catch {
            console.warn('ignoring malformed data channel message');
          }
        });
        break;
      }
      case 'consumerClosed': {
        this.#consumers.get(n.consumerId)?.close();
        this.#consumers.delete(n.consumerId);
        this.remote.delete(n.consumerId);
        this.#viewports.delete(n.consumerId);
        this.emit('tracks', [...this.remote.values()]);
        break;
      }
      case 'consumerPaused':
      case 'consumerResumed': {
        const t = this.remote.get(n.consumerId);
        if (t) {
          t.paused = n.type === 'consumerPaused';
          this.emit('tracks', [...this.remote.values()]);
        }
        break;
      }
      case 'activeSpeaker':
        this.emit('activeSpeaker', n.peerId);
        break;
      case 'transcript':
        this.emit('transcript', n.segment);
        break;
      case 'complianceAlert':
        this.emit('alert', n.alert);
        break;
      case 'checklist':
        this.emit('checklist', n.items);
        break;
      case 'reconnect':
        await this.#reconnect(n.reason);
        break;
      case 'callEnded':
        if (this.state === 'reconnecting') return; // the old session's goodbye
        this.#teardown();
        this.#setState('ended', n.reason);
        break;
      case 'consumerLayersChanged':
        break;
    }
  }

  async #reconnect(reason: string): Promise<void> {
    if (this.#leaving || this.state === 'ended' || this.state === 'reconnecting') return;
    this.#setState('reconnecting', reason);
    this.#teardown();
    while (!this.#leaving && (this.state as CallState) === 'reconnecting') {
      await new Promise((r) => setTimeout(r, retryDelayMs(this.#reconnectAttempt++)));
      try {
        await this.join();
        return;
      } catch (err) {
        console.warn('reconnection attempt failed', err);
        this.#teardown();
      }
    }
  }

  #teardown(): void {
    const channel = this.#channel;
    this.#channel = undefined;
    channel?.close();
    this.#send?.close();
    this.#recv?.close();
    this.#send = this.#recv = undefined;
    this.#producers.clear();
    this.#dataProducers.clear();
    this.#dataOpening.clear();
    this.#consumers.clear();
    this.#viewports.clear();
    this.remote.clear();
    this.peers.clear();
    this.emit('tracks', []);
    this.emit('peers', []);
  }

  #setState(state: CallState, reason?: string): void {
    this.state = state;
    this.emit('state', state, reason);
  }
}
