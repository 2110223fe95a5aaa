// A room that outgrows its worker spans a second one: later participants land
// on a router on the other worker and producers are piped between the routers.
import { afterAll, beforeAll, expect, test } from 'vitest';
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
  const client = await SignalClient.connect(edge.url, edge.keys.mint('edge-test', { sub, callId: 'call-span', role, branchId: 'branch-test' }));
  clients.push(client);
  const { rtpCapabilities } = await client.request<{ rtpCapabilities: unknown }>('getRouterRtpCapabilities');
  const send = await client.request<{ id: string }>('createWebRtcTransport', { direction: 'send' });
  await client.request('createWebRtcTransport', { direction: 'recv' });
  await client.request('join', { displayName: sub, rtpCapabilities });
  return { client, send };
}

test('participants beyond a full worker are served from another worker, with media piped across', async () => {
  const opus = (ssrc: number) => ({ codecs: [{ mimeType: 'audio/opus', payloadType: 100, clockRate: 48000, channels: 2 }], encodings: [{ ssrc }] });
  const manager = await join('mgr-span', 'manager');
  const expert = await join('exp-span', 'expert');
  await manager.client.request('produce', { transportId: manager.send.id, kind: 'audio', source: 'mic', rtpParameters: opus(61) });
  await expert.client.waitFor('newConsumer'); // worker 0 now hosts a consumer: it is full
  const customer = await join('cust-span', 'customer');
  expect(await customer.client.waitFor('newConsumer')).toMatchObject({ peerId: 'mgr-span', kind: 'audio' });
  const room = edge.edge.calls.get('call-span')!.room!;
  expect(room.routers.size).toBe(2);
  const routerOf = (id: string) => [...room.routers.entries()].find(([, r]) => r === room.peers.get(id)!.router)![0];
  expect(routerOf('cust-span')).not.toBe(routerOf('mgr-span'));
  // and the other way round: the customer's audio reaches the manager on the first worker
  await customer.client.request('produce', { transportId: customer.send.id, kind: 'audio', source: 'mic', rtpParameters: opus(62) });
  await expect.poll(() => manager.client.notifications.some((n) => n.type === 'newConsumer' && n.peerId === 'cust-span'), { timeout: 10_000 }).toBe(true);
});
