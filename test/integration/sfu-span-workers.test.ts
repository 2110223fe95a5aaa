// A room that outgrows its worker spans a second one: later participants land
// on a router on the other worker and producers are piped between the routers.
// Once every worker hosts SFU_MAX_CONSUMERS_PER_WORKER consumers, new
// participants and new calls are refused with a typed `unavailable` that the
// client's RoomClient surfaces (a saturated worker would degrade every room on it).
import { afterAll, beforeAll, expect, test } from 'vitest';
import { RoomClient, type CallState } from '../../client/src/lib/RoomClient.ts';
import { EdgeSocketChannel, SignalError } from '../../client/src/lib/SignalChannel.ts';
import { startTestEdge, type TestEdge } from '../helpers/edge.ts';
import { SignalClient } from '../helpers/signal-client.ts';

let edge: TestEdge;
const clients: SignalClient[] = [];

beforeAll(async () => {
  edge = await startTestEdge({ SFU_WORKERS: '2', SFU_MAX_CONSUMERS_PER_WORKER: '1' });
});
afterAll(async () => {
  for (const c of clients) c.close();
  await edge.stop();
});

async function join(sub: string, role: 'manager' | 'expert' | 'customer') {
  const client = await SignalClient.connect(
    edge.url,
    edge.keys.mint('edge-test', { sub, callId: 'call-span', role, branchId: 'branch-test' }),
  );
  clients.push(client);
  const { rtpCapabilities } = await client.request<{ rtpCapabilities: unknown }>('getRouterRtpCapabilities');
  const send = await client.request<{ id: string }>('createWebRtcTransport', { direction: 'send' });
  await client.request('createWebRtcTransport', { direction: 'recv' });
  await client.request('join', { displayName: sub, rtpCapabilities });
  return { client, send };
}

test('participants beyond a full worker are served from another worker, with media piped across', async () => {
  const opus = (ssrc: number) => ({
    codecs: [{ mimeType: 'audio/opus', payloadType: 100, clockRate: 48000, channels: 2 }],
    encodings: [{ ssrc }],
  });
  const manager = await join('mgr-span', 'manager');
  const expert = await join('exp-span', 'expert');
  await manager.client.request('produce', {
    transportId: manager.send.id,
    kind: 'audio',
    source: 'mic',
    rtpParameters: opus(61),
  });
  await expert.client.waitFor('newConsumer'); // worker 0 now hosts a consumer: it is full
  const customer = await join('cust-span', 'customer');
  expect(await customer.client.waitFor('newConsumer')).toMatchObject({ peerId: 'mgr-span', kind: 'audio' });
  const room = edge.edge.calls.get('call-span')!.room!;
  expect(room.routers.size).toBe(2);
  const routerOf = (id: string) =>
    [...room.routers.entries()].find(([, r]) => r === room.peers.get(id)!.router)![0];
  expect(routerOf('cust-span')).not.toBe(routerOf('mgr-span'));
  // and the other way round: the customer's audio reaches the manager on the first worker
  await customer.client.request('produce', {
    transportId: customer.send.id,
    kind: 'audio',
    source: 'mic',
    rtpParameters: opus(62),
  });
  await expect
    .poll(
      () => manager.client.notifications.some((n) => n.type === 'newConsumer' && n.peerId === 'cust-span'),
      { timeout: 10_000 },
    )
    .toBe(true);
});

test('with every worker full, a new participant and a new call are refused, typed, and the client says why', async () => {
  const full = edge.edge.pool.workers.every((w) => w.consumers >= 1);
  expect(full).toBe(true);
  const mint = (sub: string, callId: string) =>
    edge.keys.mint('edge-test', { sub, callId, role: 'expert', branchId: 'branch-test' });

  // signaling: the requests waiting for the room are answered with the refusal, then the call is ended for them
  const late = await SignalClient.connect(edge.url, mint('exp-late', 'call-span'));
  clients.push(late);
  await expect(late.request('getRouterRtpCapabilities')).rejects.toMatchObject({
    code: 'unavailable',
    message: expect.stringContaining('media capacity'),
  });
  expect((await late.waitFor('callEnded')).reason).toMatch(/media capacity/);

  // a new call is refused too, and holds no call slot
  const other = await SignalClient.connect(edge.url, mint('exp-other', 'call-span-2'));
  clients.push(other);
  await expect(other.request('getRouterRtpCapabilities')).rejects.toMatchObject({ code: 'unavailable' });
  expect(edge.edge.calls.get('call-span-2')).toBeUndefined();

  // the browser's call logic: join() fails with the typed reason, which the call page shows
  const states: Array<[CallState, string?]> = [];
  const room = new RoomClient({
    displayName: 'late',
    connect: () => new EdgeSocketChannel(edge.url, mint('exp-client', 'call-span')),
  });
  room.on('state', (state, reason) => states.push([state, reason]));
  const err = await room.join().then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(SignalError);
  expect(err).toMatchObject({ code: 'unavailable', message: expect.stringContaining('media capacity') });
  // then the edge ends the call for this connection, with the same reason
  await expect
    .poll(() => states.some(([state, reason]) => state === 'ended' && /media capacity/.test(reason ?? '')))
    .toBe(true);
  await room.leave();
});
