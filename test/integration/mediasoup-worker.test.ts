// The worker setup built from source: it starts, reports its version, and
// creates the objects a call needs.
import * as mediasoup from 'mediasoup';
import { afterEach, describe, expect, test } from 'vitest';
import { resolveWorkerBin } from '#sfu/workerBin';
import { ROUTER_MEDIA_CODECS } from '#sfu/mediaCodecs';

describe('mediasoup worker built by setup', () => {
  let worker: mediasoup.types.Worker | undefined;
  afterEach(() => worker?.close());

  test('creates a worker, a router and a WebRTC transport with SCTP', async () => {
    worker = await mediasoup.createWorker({ workerBin: resolveWorkerBin(), logLevel: 'warn' });
    expect(mediasoup.version).toMatch(/^3\.\d+\.\d+$/);
    const router = await worker.createRouter({ mediaCodecs: ROUTER_MEDIA_CODECS });
    expect(router.rtpCapabilities.codecs?.map((c) => c.mimeType)).toEqual(
      expect.arrayContaining(['audio/opus', 'video/VP8']),
    );
    const transport = await router.createWebRtcTransport({
      listenInfos: [{ protocol: 'udp', ip: '127.0.0.1' }],
      enableSctp: true,
    });
    expect(transport.iceCandidates[0]?.port).toBeGreaterThan(0);
    expect(transport.dtlsParameters.fingerprints.length).toBeGreaterThan(0);
    expect(transport.sctpParameters?.port).toBe(5000);
  });
});
