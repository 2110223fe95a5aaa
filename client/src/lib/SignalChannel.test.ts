// The client's signaling requests against a real socket.io server on a loopback
// port: a request fails, typed, with the connection (refused, dropped, denied) —
// not at its 15 s ack timeout — and one that failed while buffered is never sent
// on a later reconnection.
import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { io as ioClient } from 'socket.io-client';
import { Server } from 'socket.io';
import { afterEach, describe, expect, test } from 'vitest';
import { EdgeSocketChannel, SignalError, SocketRequests } from './SignalChannel.ts';
import { retryDelayMs } from './RoomClient.ts';
import { SFU_NAMESPACE, SFU_REQUEST_EVENT } from './wire.ts';

type Handler = (msg: { method: string; data: unknown }, ack: (res: unknown) => void) => void;

interface TestServer {
  url: string;
  port: number;
  io: Server;
  received: string[];
  close(): Promise<void>;
}

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function startServer(
  o: { port?: number; refuse?: boolean; handler?: Handler; namespace?: string } = {},
): Promise<TestServer> {
  const http: HttpServer = createServer();
  const io = new Server(http);
  const received: string[] = [];
  const nsp = io.of(o.namespace ?? SFU_NAMESPACE);
  if (o.refuse) nsp.use((_socket, next) => next(new Error('join token rejected')));
  nsp.on('connection', (socket) => {
    socket.onAny((event: string, msg: { method?: string }) => received.push(msg?.method ?? event));
    socket.on(SFU_REQUEST_EVENT, (msg: { method: string; data: unknown }, ack: (res: unknown) => void) =>
      (o.handler ?? ((_m, a) => a({ ok: true, data: {} })))(msg, ack),
    );
  });
  await new Promise<void>((resolve) => http.listen(o.port ?? 0, '127.0.0.1', resolve));
  const port = (http.address() as AddressInfo).port;
  const server: TestServer = {
    url: `http://127.0.0.1:${port}`,
    port,
    io,
    received,
    close: () => new Promise<void>((resolve) => io.close(() => resolve())),
  };
  cleanups.push(() => server.close());
  return server;
}

/** A loopback port with nothing listening (connections are refused). */
async function closedPort(): Promise<number> {
  const s = await startServer();
  await s.close();
  return s.port;
}

function channel(url: string): EdgeSocketChannel {
  const ch = new EdgeSocketChannel(url, 'token');
  cleanups.push(() => ch.close());
  return ch;
}

async function rejection(p: Promise<unknown>): Promise<SignalError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(SignalError);
  return err as SignalError;
}

describe('EdgeSocketChannel', () => {
  test('answers and typed refusals come back as they are', async () => {
    const server = await startServer({
      handler: (msg, ack) =>
        msg.method === 'join'
          ? ack({ ok: false, error: { code: 'forbidden', message: 'not in this call' } })
          : ack({ ok: true, data: { rtpCapabilities: { codecs: [] } } }),
    });
    const ch = channel(server.url);
    await expect(ch.request('getRouterRtpCapabilities')).resolves.toEqual({
      rtpCapabilities: { codecs: [] },
    });
    const err = await rejection(ch.request('join', {}));
    expect(err.code).toBe('forbidden');
  });

  test('a request to an edge that is down fails with the connection, and so does every later one', async () => {
    const ch = channel(`http://127.0.0.1:${await closedPort()}`);
    const err = await rejection(ch.request('getRouterRtpCapabilities'));
    expect(err.code).toBe('unavailable');
    expect(err.message).toMatch(/cannot connect/);
    const again = await rejection(ch.request('join', {}));
    expect(again.code).toBe('unavailable');
  });

  test('a request in flight fails when the edge drops the connection', async () => {
    const server = await startServer({ handler: () => undefined }); // never answers
    const ch = channel(server.url);
    const pending = ch.request('getRouterRtpCapabilities');
    await expect.poll(() => server.received).toContain('getRouterRtpCapabilities');
    server.io.of(SFU_NAMESPACE).disconnectSockets(true);
    const err = await rejection(pending);
    expect(err.code).toBe('unavailable');
    expect(err.message).toMatch(/connection lost/);
  });

  test('a connection the edge refuses fails the requests waiting for it', async () => {
    const server = await startServer({ refuse: true });
    const states: string[] = [];
    const ch = channel(server.url);
    ch.onConnectionChange((s) => states.push(s));
    const err = await rejection(ch.request('getRouterRtpCapabilities'));
    expect(err.code).toBe('unavailable');
    expect(err.message).toMatch(/join token rejected/);
    expect(states).toEqual(['failed']);
    expect(server.received).toEqual([]);
  });

  test('a closed channel refuses requests at once', async () => {
    const server = await startServer();
    const ch = channel(server.url);
    await ch.request('getRouterRtpCapabilities');
    ch.close();
    expect((await rejection(ch.request('join', {}))).code).toBe('unavailable');
  });
});

describe('SocketRequests on a socket that reconnects by itself (the cloud socket)', () => {
  test('a request made while the server is down fails with the attempt and is not sent once it is back', async () => {
    const port = await closedPort();
    const socket = ioClient(`http://127.0.0.1:${port}/client`, {
      transports: ['websocket'],
      reconnectionDelay: 50,
      reconnectionDelayMax: 50,
    });
    cleanups.push(() => socket.close());
    const requests = new SocketRequests(socket, 'cloud', true);
    const err = await rejection(requests.request('presence:set', { status: 'available' }));
    expect(err.code).toBe('unavailable');

    const server = await startServer({ port, namespace: '/client' });
    server.io
      .of('/client')
      .on('connection', (s) =>
        s.on('ping:me', (_m: unknown, ack: (r: unknown) => void) => ack({ ok: true, data: 'pong' })),
      );
    await expect.poll(() => socket.connected, { timeout: 5000 }).toBe(true);
    await expect(requests.request('ping:me', {})).resolves.toBe('pong');
    // the failed request stayed failed: only the later one reached the server
    expect(server.received).toEqual(['ping:me']);
  });
});

describe('reconnection back-off', () => {
  test('doubles from 250 ms to a 2 s ceiling, jittered within the upper half', () => {
    const low = [0, 1, 2, 3, 4, 8].map((n) => retryDelayMs(n, () => 0));
    const high = [0, 1, 2, 3, 4, 8].map((n) => retryDelayMs(n, () => 1));
    expect(high).toEqual([250, 500, 1000, 2000, 2000, 2000]);
    expect(low).toEqual([125, 250, 500, 1000, 1000, 1000]);
  });
});
