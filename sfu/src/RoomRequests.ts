// Dispatch of one participant's signaling request: validate, check the role's
// permission, act on the room, answer. Every failure is an AppError with a code
// the client can act on; mediasoup's own validation errors become bad_request.
import type { types } from 'mediasoup';
import { AppError, validate } from '#protocol/errors';
import { SignalRequest, type SignalMethod, type SignalResponses } from '#protocol/signaling';
import { chooseSpatialLayer } from './layers.ts';
import type { Peer } from './Peer.ts';
import { mayPublish, maySend, sourceMatchesKind } from './permissions.ts';
import type { Room } from './Room.ts';

export interface TransportSettings {
  /** Initial estimate before BWE converges (bits/s). */
  initialAvailableOutgoingBitrate: number;
  /** Cap on what one participant may send us (bits/s). */
  maxIncomingBitrate: number;
}

const DEFAULT_TRANSPORT: TransportSettings = {
  initialAvailableOutgoingBitrate: 1_000_000,
  maxIncomingBitrate: 2_500_000,
};

function find<T>(map: Map<string, T>, id: string, what: string): T {
  const item = map.get(id);
  if (!item) throw new AppError('not_found', `${what} ${id} does not exist in this session`);
  return item;
}

/** mediasoup throws TypeError for bad parameters and InvalidStateError for wrong order. */
function asAppError(err: unknown, method: string): AppError {
  if (err instanceof AppError) return err;
  const e = err as Error;
  if (e?.name === 'TypeError' || e?.name === 'UnsupportedError')
    return new AppError('bad_request', `${method}: ${e.message}`);
  if (e?.name === 'InvalidStateError') return new AppError('conflict', `${method}: ${e.message}`);
  return new AppError('internal', `${method} failed`, undefined, { cause: err });
}

export async function handleRequest(
  room: Room,
  peer: Peer,
  raw: unknown,
  settings: TransportSettings = DEFAULT_TRANSPORT,
): Promise<SignalResponses[SignalMethod]> {
  const request = validate(SignalRequest, raw, 'signaling request');
  if (room.closed) throw new AppError('unavailable', 'the call room is closed; reconnect');
  if (
    !peer.joined &&
    ![
      'getRouterRtpCapabilities',
      'join',
      'createWebRtcTransport',
      'connectWebRtcTransport',
      'leave',
    ].includes(request.method)
  ) {
    throw new AppError('conflict', `${request.method} is only allowed after join`);
  }
  try {
    return await dispatch(room, peer, request, settings);
  } catch (err) {
    const appError = asAppError(err, request.method);
    if (appError.code === 'internal')
      room.logger.error({ err, method: request.method, peerId: peer.id }, 'request failed');
    throw appError;
  }
}

async function dispatch(
  room: Room,
  peer: Peer,
  request: SignalRequest,
  settings: TransportSettings,
): Promise<SignalResponses[SignalMethod]> {
  switch (request.method) {
    case 'getRouterRtpCapabilities':
      return {
        rtpCapabilities: peer.router
          .rtpCapabilities as SignalResponses['getRouterRtpCapabilities']['rtpCapabilities'],
      };

    case 'join': {
      if (peer.joined) throw new AppError('conflict', 'already joined');
      peer.rtpCapabilities = request.data.rtpCapabilities as types.RtpCapabilities;
      if (request.data.sctpCapabilities) peer.sctpCapabilities = request.data.sctpCapabilities;
      if (request.data.device) peer.identity.device = request.data.device.kind;
      peer.identity.displayName = request.data.displayName;
      const peers = room
        .joinedPeers(peer)
        .filter((p) => p.role !== 'observer')
        .map((p) => p.info());
      await room.join(peer);
      return { peerId: peer.id, role: peer.role, callId: room.callId, peers, callStartedAt: room.startedAt };
    }

    case 'createWebRtcTransport': {
      const { direction, sctpCapabilities, forceTcp } = request.data;
      if (direction === 'send' && peer.role === 'observer')
        throw new AppError('forbidden', 'observers cannot send media');
      if ([...peer.transports.values()].some((t) => t.appData.direction === direction)) {
        throw new AppError('conflict', `a ${direction} transport already exists; close it or restart ICE`);
      }
      const transport = await peer.router.createWebRtcTransport({
        webRtcServer: findWorkerServer(room, peer),
        enableUdp: !forceTcp,
        enableTcp: true,
        preferUdp: true,
        enableSctp: Boolean(sctpCapabilities),
        initialAvailableOutgoingBitrate: settings.initialAvailableOutgoingBitrate,
        appData: { direction, peerId: peer.id },
      });
      peer.transports.set(transport.id, transport);
      transport.on('routerclose', () => peer.transports.delete(transport.id));
      if (direction === 'send') await transport.setMaxIncomingBitrate(settings.maxIncomingBitrate);
      return {
        id: transport.id,
        iceParameters: transport.iceParameters,
        iceCandidates: transport.iceCandidates,
        dtlsParameters: transport.dtlsParameters,
        ...(transport.sctpParameters ? { sctpParameters: transport.sctpParameters } : {}),
      };
    }

    case 'connectWebRtcTransport': {
      const transport = find(peer.transports, request.data.transportId, 'transport');
      await transport.connect({ dtlsParameters: request.data.dtlsParameters as types.DtlsParameters });
      return {};
    }

    case 'restartIce': {
      const transport = find(peer.transports, request.data.transportId, 'transport');
      return { iceParameters: await transport.restartIce() };
    }

    case 'produce': {
      const { transportId, kind, rtpParameters, source } = request.data;
      if (!mayPublish(peer.role, source))
        throw new AppError('forbidden', `role ${peer.role} may not publish ${source}`);
      if (!sourceMatchesKind(source, kind))
        throw new AppError('bad_request', `source ${source} cannot carry ${kind}`);
      if ([...peer.producers.values()].some((p) => (p.appData as { source: string }).source === source)) {
        throw new AppError('conflict', `a ${source} producer already exists`);
      }
      const transport = find(peer.transports, transportId, 'transport');
      if (transport.appData.direction !== 'send')
        throw new AppError('bad_request', 'produce needs a send transport');
      const producer = await transport.produce({
        kind,
        rtpParameters: rtpParameters as types.RtpParameters,
        appData: { source, peerId: peer.id },
      });
      peer.producers.set(producer.id, producer);
      producer.on('transportclose', () => peer.producers.delete(producer.id));
      await room.publish(peer, producer, source);
      return { producerId: producer.id };
    }

    case 'closeProducer': {
      const producer = find(peer.producers, request.data.producerId, 'producer');
      producer.close();
      peer.producers.delete(producer.id);
      return {};
    }
    case 'pauseProducer':
      await find(peer.producers, request.data.producerId, 'producer').pause();
      return {};
    case 'resumeProducer':
      await find(peer.producers, request.data.producerId, 'producer').resume();
      return {};
    case 'pauseConsumer':
      await find(peer.consumers, request.data.consumerId, 'consumer').pause();
      return {};
    case 'resumeConsumer':
      await find(peer.consumers, request.data.consumerId, 'consumer').resume();
      return {};

    case 'setConsumerPreferredLayers': {
      const consumer = find(peer.consumers, request.data.consumerId, 'consumer');
      if (consumer.type !== 'simulcast') throw new AppError('bad_request', 'consumer is not simulcast');
      const { spatialLayer, temporalLayer } = request.data;
      await consumer.setPreferredLayers({
        spatialLayer,
        ...(temporalLayer === undefined ? {} : { temporalLayer }),
      });
      return {};
    }

    case 'setConsumerViewport': {
      const consumer = find(peer.consumers, request.data.consumerId, 'consumer');
      peer.viewports.set(consumer.id, request.data.height);
      return { spatialLayer: await applyLayer(peer, consumer) };
    }

    case 'produceData': {
      const { transportId, sctpStreamParameters, label, protocol } = request.data;
      if (!maySend(peer.role, label))
        throw new AppError('forbidden', `role ${peer.role} may not send on ${label}`);
      const transport = find(peer.transports, transportId, 'transport');
      if (!transport.sctpParameters) throw new AppError('bad_request', 'transport was created without SCTP');
      const dataProducer = await transport.produceData({
        sctpStreamParameters: sctpStreamParameters as types.SctpStreamParameters,
        label,
        protocol: protocol ?? '',
        appData: { peerId: peer.id },
      });
      peer.dataProducers.set(dataProducer.id, dataProducer);
      dataProducer.on('transportclose', () => peer.dataProducers.delete(dataProducer.id));
      await room.publishData(peer, dataProducer);
      return { dataProducerId: dataProducer.id };
    }

    case 'getStats': {
      const transports = await Promise.all([...peer.transports.values()].map((t) => t.getStats()));
      return { transports };
    }

    case 'leave':
      room.removePeer(peer);
      return {};
  }
}

/** Re-evaluates a simulcast consumer's layer from its viewport and the peer's measured downlink. */
export async function applyLayer(peer: Peer, consumer: types.Consumer): Promise<number> {
  if (consumer.type !== 'simulcast') return 0;
  const transport = peer.recvTransport();
  const stats = transport ? await transport.getStats() : [];
  const available = stats[0]?.availableOutgoingBitrate;
  const videoConsumers = [...peer.consumers.values()].filter((c) => c.kind === 'video' && !c.paused).length;
  const layer = chooseSpatialLayer({
    viewportHeight: peer.viewports.get(consumer.id) ?? 720,
    ...(available ? { availableBitrate: available } : {}),
    videoConsumers: Math.max(1, videoConsumers),
  });
  if (consumer.preferredLayers?.spatialLayer !== layer)
    await consumer.setPreferredLayers({ spatialLayer: layer });
  return layer;
}

/** The WebRtcServer of the worker that hosts `peer`'s router. */
function findWorkerServer(room: Room, peer: Peer): types.WebRtcServer {
  const router = peer.router;
  for (const [index, r] of room.routers) {
    if (r === router) {
      const entry = room.pool.workers[index];
      if (entry) return entry.webRtcServer;
    }
  }
  throw new AppError('unavailable', 'no media server for this room');
}
