// The edge's signaling against a real mediasoup worker, with scripted
// participants: authentication, validation, permissions, ordering, fan-out.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { CallRole } from '#protocol/roles';
import { startTestEdge, type TestEdge } from '../helpers/edge.ts';
import { SignalClient } from '../helpers/signal-client.ts';

const OPUS_PARAMS = (ssrc: number) => ({
  codecs: [
    {
      mimeType: 'audio/opus',
      payloadType: 100,
      clockRate: 48000,
      channels: 2,
      parameters: { useinbandfec: 1 },
    },
  ],
  encodings: [{ ssrc }],
  rtcp: { cname: `cname-${ssrc}` },
});
const VP8_PARAMS = (ssrc: number) => ({
  codecs: [{ mimeType: 'video/VP8', payloadType: 101, clockRate: 90000 }],
  encodings: [{ ssrc }],
  rtcp: { cname: `cname-${ssrc}` },
});

describe('edge signaling', () => {
  let edge: TestEdge;
  const clients: SignalClient[] = [];

  beforeAll(async () => {
    edge = await startTestEdge();
  });
  afterAll(async () => {
    for (const c of clients) c.close();
    await edge.stop();
  });

  function token(sub: string, role: CallRole, callId = 'call-sig-1') {
    return edge.keys.mint('edge-test', { sub, callId, role, branchId: 'branch-test', name: sub });
  }

  /** Connects, loads capabilities, creates transports and joins — as the browser client does. */
  async function participant(sub: string, role: CallRole, callId = 'call-sig-1') {
    const client = await SignalClient.connect(edge.url, token(sub, role, callId));
    clients.push(client);
    const { rtpCapabilities } = await client.request<{ rtpCapabilities: unknown }>(
      'getRouterRtpCapabilities',
    );
    const send =
      role === 'observer'
        ? undefined
        : await client.request<{ id: string }>('createWebRtcTransport', {
            direction: 'send',
            sctpCapabilities: { numStreams: { OS: 1024, MIS: 1024 } },
          });
    const recv = await client.request<{ id: string }>('createWebRtcTransport', {
      direction: 'recv',
      sctpCapabilities: { numStreams: { OS: 1024, MIS: 1024 } },
    });
    const joined = await client.request<{ peers: Array<{ peerId: string }>; role: string }>('join', {
      displayName: sub,
      rtpCapabilities,
    });
    return { client, send, recv, joined };
  }

  test('a connection without a token, with a forged token or an expired one is refused with a reason', async () => {
    await expect(SignalClient.connect(edge.url, undefined)).rejects.toMatchObject({
      body: { error: { code: 'unauthenticated' } },
    });
    const forged = edge.keys.mint(
      'edge-test',
      { sub: 'x', callId: 'c', role: 'manager', branchId: 'b' },
      {
        privateKey: (await import('node:crypto'))
          .generateKeyPairSync('ec', { namedCurve: 'P-256' })
          .privateKey.export({ type: 'pkcs8', format: 'pem' })
          .toString(),
      },
    );
    await expect(SignalClient.connect(edge.url, forged)).rejects.toMatchObject({
      body: { error: { code: 'unauthenticated' } },
    });
    const expired = edge.keys.mint(
      'edge-test',
      { sub: 'x', callId: 'c', role: 'manager', branchId: 'b' },
      { expiresInS: -10 },
    );
    await expect(SignalClient.connect(edge.url, expired)).rejects.toMatchObject({
      body: { error: { code: 'unauthenticated', message: 'join token expired' } },
    });
    const otherEdge = edge.keys.mint('edge-elsewhere', {
      sub: 'x',
      callId: 'c',
      role: 'manager',
      branchId: 'b',
    });
    await expect(SignalClient.connect(edge.url, otherEdge)).rejects.toMatchObject({
      body: { error: { code: 'unauthenticated' } },
    });
  });

  test('malformed, unknown and out-of-order requests get typed errors and leave the room working', async () => {
    const client = await SignalClient.connect(edge.url, token('mallory', 'customer', 'call-sig-bad'));
    clients.push(client);
    expect(await client.raw('not an object')).toMatchObject({ ok: false, error: { code: 'bad_request' } });
    expect(await client.raw({ method: 'selfDestruct', data: {} })).toMatchObject({
      ok: false,
      error: { code: 'bad_request' },
    });
    expect(
      await client.raw({
        method: 'produce',
        data: { transportId: 'x', kind: 'audio', rtpParameters: {}, source: 'mic' },
      }),
    ).toMatchObject({ ok: false, error: { code: 'bad_request' } });
    // SDP-derived DTLS parameters with a garbage fingerprint
    expect(
      await client.raw({
        method: 'connectWebRtcTransport',
        data: {
          transportId: 't',
          dtlsParameters: { role: 'client', fingerprints: [{ algorithm: 'sha-256', value: 'zz' }] },
        },
      }),
    ).toMatchObject({ ok: false, error: { code: 'bad_request' } });
    // produce before join
    expect(await client.raw({ method: 'pauseProducer', data: { producerId: 'p' } })).toMatchObject({
      ok: false,
      error: { code: 'conflict' },
    });
    // an RTP codec the router does not support is refused by mediasoup's own checks
    const { rtpCapabilities } = await client.request<{ rtpCapabilities: unknown }>(
      'getRouterRtpCapabilities',
    );
    const send = await client.request<{ id: string }>('createWebRtcTransport', { direction: 'send' });
    await client.request('join', { displayName: 'Mallory', rtpCapabilities });
    const res = await client.raw({
      method: 'produce',
      data: {
        transportId: send.id,
        kind: 'audio',
        source: 'mic',
        rtpParameters: {
          codecs: [{ mimeType: 'audio/G7221', payloadType: 99, clockRate: 16000 }],
          encodings: [{ ssrc: 5 }],
        },
      },
    });
    expect(res).toMatchObject({ ok: false, error: { code: 'bad_request' } });
    // the session still works afterwards
    expect(
      await client.raw({
        method: 'produce',
        data: { transportId: send.id, kind: 'audio', source: 'mic', rtpParameters: OPUS_PARAMS(7) },
      }),
    ).toMatchObject({ ok: true });
  });

  test('each role publishes only what it may; observers are receive-only and invisible', async () => {
    const customer = await participant('cust-1', 'customer', 'call-sig-perm');
    const observer = await participant('officer-1', 'observer', 'call-sig-perm');
    expect(
      await customer.client.raw({
        method: 'produce',
        data: {
          transportId: customer.send!.id,
          kind: 'video',
          source: 'screen',
          rtpParameters: VP8_PARAMS(11),
        },
      }),
    ).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    expect(
      await customer.client.raw({
        method: 'produce',
        data: {
          transportId: customer.send!.id,
          kind: 'audio',
          source: 'camera',
          rtpParameters: OPUS_PARAMS(12),
        },
      }),
    ).toMatchObject({ ok: false, error: { code: 'bad_request' } });
    expect(
      await observer.client.raw({ method: 'createWebRtcTransport', data: { direction: 'send' } }),
    ).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    expect(
      await customer.client.raw({
        method: 'produceData',
        data: { transportId: customer.send!.id, sctpStreamParameters: { streamId: 1 }, label: 'annotations' },
      }),
    ).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    // nobody is told about the observer
    expect(customer.client.notifications.filter((n) => n.type === 'peerJoined')).toHaveLength(0);
    // but the observer receives the customer's media
    await customer.client.request('produce', {
      transportId: customer.send!.id,
      kind: 'audio',
      source: 'mic',
      rtpParameters: OPUS_PARAMS(13),
    });
    const seen = await observer.client.waitFor('newConsumer');
    expect(seen).toMatchObject({ peerId: 'cust-1', kind: 'audio', source: 'mic' });
  });

  test('a published track reaches everyone already in the room and everyone who joins later', async () => {
    const manager = await participant('mgr-1', 'manager', 'call-sig-fan');
    const expert = await participant('exp-1', 'expert', 'call-sig-fan');
    expect((await manager.client.waitFor('peerJoined')).peer).toMatchObject({
      peerId: 'exp-1',
      role: 'expert',
    });
    await manager.client.request('produce', {
      transportId: manager.send!.id,
      kind: 'video',
      source: 'camera',
      rtpParameters: VP8_PARAMS(21),
    });
    expect(await expert.client.waitFor('newConsumer')).toMatchObject({
      peerId: 'mgr-1',
      kind: 'video',
      source: 'camera',
    });
    const customer = await participant('cust-9', 'customer', 'call-sig-fan');
    expect(customer.joined.peers.map((p) => p.peerId).sort()).toEqual(['exp-1', 'mgr-1']);
    expect(await customer.client.waitFor('newConsumer')).toMatchObject({ peerId: 'mgr-1' });
    // leaving tells the others and closes their consumers
    await manager.client.request('leave');
    expect(await expert.client.waitFor('peerLeft')).toMatchObject({ peerId: 'mgr-1' });
    expect(await customer.client.waitFor('consumerClosed')).toHaveProperty('consumerId');
  });

  test('pausing a producer pauses it for every viewer; resuming resumes; ICE restarts give fresh credentials', async () => {
    const manager = await participant('mgr-p', 'manager', 'call-sig-pause');
    const customer = await participant('cust-p', 'customer', 'call-sig-pause');
    const { producerId } = await manager.client.request<{ producerId: string }>('produce', {
      transportId: manager.send!.id,
      kind: 'audio',
      source: 'mic',
      rtpParameters: OPUS_PARAMS(41),
    });
    const consumer = await customer.client.waitFor('newConsumer');
    await manager.client.request('pauseProducer', { producerId });
    expect(await customer.client.waitFor('consumerPaused')).toMatchObject({
      consumerId: consumer.consumerId,
    });
    await manager.client.request('resumeProducer', { producerId });
    expect(await customer.client.waitFor('consumerResumed')).toMatchObject({
      consumerId: consumer.consumerId,
    });
    const before = (
      await customer.client.request<{ iceParameters: { usernameFragment: string } }>('restartIce', {
        transportId: customer.recv.id,
      })
    ).iceParameters;
    const after = (
      await customer.client.request<{ iceParameters: { usernameFragment: string } }>('restartIce', {
        transportId: customer.recv.id,
      })
    ).iceParameters;
    expect(after.usernameFragment).not.toBe(before.usernameFragment);
    expect(
      await customer.client.raw({ method: 'restartIce', data: { transportId: 'no-such-transport' } }),
    ).toMatchObject({ ok: false, error: { code: 'not_found' } });
  });

  test('a simulcast consumer follows the viewer’s viewport: a thumbnail gets the lowest layer', async () => {
    const manager = await participant('mgr-s', 'manager', 'call-sig-simulcast');
    const expert = await participant('exp-s', 'expert', 'call-sig-simulcast');
    const simulcast = {
      codecs: [{ mimeType: 'video/VP8', payloadType: 101, clockRate: 90000 }],
      encodings: [
        { rid: 'r0', scalabilityMode: 'L1T3' },
        { rid: 'r1', scalabilityMode: 'L1T3' },
        { rid: 'r2', scalabilityMode: 'L1T3' },
      ],
      headerExtensions: [{ uri: 'urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id', id: 10 }],
      rtcp: { cname: 'sim' },
    };
    await manager.client.request('produce', {
      transportId: manager.send!.id,
      kind: 'video',
      source: 'camera',
      rtpParameters: simulcast,
    });
    const { consumerId } = await expert.client.waitFor('newConsumer');
    expect(
      await expert.client.request('setConsumerViewport', { consumerId, width: 160, height: 90 }),
    ).toEqual({ spatialLayer: 0 });
    expect(
      await expert.client.request('setConsumerViewport', { consumerId, width: 640, height: 360 }),
    ).toEqual({ spatialLayer: 1 });
    expect(
      await expert.client.request('setConsumerViewport', { consumerId, width: 1920, height: 1080 }),
    ).toEqual({ spatialLayer: 2 });
    const serverConsumer = edge.edge.calls
      .get('call-sig-simulcast')!
      .room!.peers.get('exp-s')!
      .consumers.get(consumerId)!;
    expect(serverConsumer.type).toBe('simulcast');
    expect(serverConsumer.preferredLayers?.spatialLayer).toBe(2);
  });

  test('the edge taps every audio producer for transcription and recording', async () => {
    const tracks: Array<{ callId: string; role: string; participant: string }> = [];
    const off = edge.edge.calls.onAudioTrack((t) =>
      tracks.push({ callId: t.callId, role: t.role, participant: t.participant.id }),
    );
    const expert = await participant('exp-tap', 'expert', 'call-sig-tap');
    await expert.client.request('produce', {
      transportId: expert.send!.id,
      kind: 'audio',
      source: 'mic',
      rtpParameters: OPUS_PARAMS(31),
    });
    off();
    expect(tracks).toEqual([{ callId: 'call-sig-tap', role: 'expert', participant: 'exp-tap' }]);
  });

  test('a join that overlaps a publish gets one consumer of the new track, not two', async () => {
    const owner = await participant('mgr-dup', 'manager', 'call-sig-dup');
    const client = await SignalClient.connect(edge.url, token('cust-dup', 'customer', 'call-sig-dup'));
    clients.push(client);
    const { rtpCapabilities } = await client.request<{ rtpCapabilities: unknown }>(
      'getRouterRtpCapabilities',
    );
    await client.request('createWebRtcTransport', { direction: 'recv' });
    // The producer exists before the join is handled, and is fanned out after it: both paths reach the viewer.
    const produced = owner.client.request<{ producerId: string }>('produce', {
      transportId: owner.send!.id,
      kind: 'audio',
      source: 'mic',
      rtpParameters: OPUS_PARAMS(4242),
    });
    await new Promise((r) => setTimeout(r, 5));
    await client.request('join', { displayName: 'cust-dup', rtpCapabilities });
    const { producerId } = await produced;
    await client.waitFor('newConsumer');
    await new Promise((r) => setTimeout(r, 500));
    expect(
      client.notifications.filter((n) => n.type === 'newConsumer' && n.producerId === producerId),
    ).toEqual([]);
    edge.edge.calls.endCall('call-sig-dup', 'test over'); // this edge takes EDGE_MAX_CALLS calls
  });

  test('a killed worker is replaced and the participants are told to reconnect, then can rejoin the same call', async () => {
    const a = await participant('mgr-k', 'manager', 'call-sig-kill');
    const b = await participant('cust-k', 'customer', 'call-sig-kill');
    const worker = edge.edge.pool.workers[0]!;
    const oldPid = worker.worker.pid;
    const startedAt = edge.edge.calls.get('call-sig-kill')!.startedAt;
    process.kill(oldPid!, 'SIGKILL');
    expect(await a.client.waitFor('reconnect')).toMatchObject({ reason: 'worker died' });
    expect(await b.client.waitFor('reconnect')).toMatchObject({ reason: 'worker died' });
    await expect
      .poll(
        () => edge.edge.pool.workers[0]!.worker.pid !== oldPid && !edge.edge.pool.workers[0]!.worker.closed,
        { timeout: 10_000 },
      )
      .toBe(true);
    a.client.close();
    b.client.close();
    const again = await participant('mgr-k', 'manager', 'call-sig-kill');
    await participant('cust-k', 'customer', 'call-sig-kill');
    expect((await again.client.waitFor('peerJoined')).peer.peerId).toBe('cust-k');
    // the call keeps its clock across the rebuild
    expect(edge.edge.calls.get('call-sig-kill')!.startedAt).toBe(startedAt);
  });

  test('participants who rejoin at once, while the killed worker is still being replaced, wait for it rather than being refused', async () => {
    const a = await participant('mgr-k2', 'manager', 'call-sig-kill2');
    await participant('cust-k2', 'customer', 'call-sig-kill2');
    const oldPid = edge.edge.pool.workers[0]!.worker.pid;
    process.kill(oldPid!, 'SIGKILL');
    await a.client.waitFor('reconnect');
    a.client.close();
    const again = await participant('mgr-k2', 'manager', 'call-sig-kill2');
    expect(again.joined.role).toBe('manager');
    expect(edge.edge.pool.workers[0]!.worker.pid).not.toBe(oldPid);
    edge.edge.calls.endCall('call-sig-kill2', 'test over');
  });
});
