// Prometheus text metrics for the edge: per worker (CPU, routers, consumers) and
// per room (participants, producers, consumers, bitrate in/out, loss, RTT).
// Figures are gathered when scraped, from mediasoup's own stats.
import client from 'prom-client';
import type { CallRegistry } from '../calls/CallRegistry.ts';
import type { WorkerPool } from '#sfu/index';

export function createMetrics(pool: WorkerPool, calls: CallRegistry): client.Registry {
  const registry = new client.Registry();
  client.collectDefaultMetrics({ register: registry, prefix: 'branchedge_edge_' });
  const cpuSeen = new Map<number, { cpuMs: number; at: number }>();

  const workerCpu = new client.Gauge({
    name: 'branchedge_worker_cpu_percent',
    help: 'mediasoup worker CPU use since the previous scrape',
    labelNames: ['worker'],
    registers: [registry],
  });
  const workerConsumers = new client.Gauge({
    name: 'branchedge_worker_consumers',
    help: 'consumers hosted by a worker',
    labelNames: ['worker'],
    registers: [registry],
  });
  const workerRouters = new client.Gauge({
    name: 'branchedge_worker_routers',
    help: 'routers (rooms) on a worker',
    labelNames: ['worker'],
    registers: [registry],
  });
  const roomPeers = new client.Gauge({
    name: 'branchedge_room_participants',
    help: 'joined participants',
    labelNames: ['call'],
    registers: [registry],
  });
  const roomProducers = new client.Gauge({
    name: 'branchedge_room_producers',
    help: 'producers in a room',
    labelNames: ['call'],
    registers: [registry],
  });
  const roomConsumers = new client.Gauge({
    name: 'branchedge_room_consumers',
    help: 'consumers in a room',
    labelNames: ['call'],
    registers: [registry],
  });
  const roomBitrateIn = new client.Gauge({
    name: 'branchedge_room_bitrate_in_bps',
    help: 'bits/s received from participants',
    labelNames: ['call'],
    registers: [registry],
  });
  const roomLoss = new client.Gauge({
    name: 'branchedge_room_packet_loss_ratio',
    help: 'worst producer fraction lost (0..1)',
    labelNames: ['call'],
    registers: [registry],
  });
  const roomRtt = new client.Gauge({
    name: 'branchedge_room_rtt_ms',
    help: 'highest producer round-trip time',
    labelNames: ['call'],
    registers: [registry],
  });
  const calls_ = new client.Gauge({
    name: 'branchedge_calls',
    help: 'calls in progress',
    registers: [registry],
  });

  const collect = async () => {
    calls_.set(calls.size);
    for (const w of pool.workers) {
      const label = String(w.index);
      workerConsumers.set({ worker: label }, w.consumers);
      workerRouters.set({ worker: label }, w.routers);
      if (w.worker.closed) continue;
      const usage = await w.worker.getResourceUsage();
      const cpuMs = usage.ru_utime + usage.ru_stime;
      const now = Date.now();
      const prev = cpuSeen.get(w.index);
      if (prev && now > prev.at)
        workerCpu.set({ worker: label }, (100 * (cpuMs - prev.cpuMs)) / (now - prev.at));
      cpuSeen.set(w.index, { cpuMs, at: now });
    }
    for (const call of calls.calls) {
      const room = call.room;
      if (!room) continue;
      const label = call.callId;
      const peers = room.joinedPeers();
      roomPeers.set({ call: label }, peers.length);
      roomProducers.set(
        { call: label },
        peers.reduce((n, p) => n + p.producers.size, 0),
      );
      roomConsumers.set(
        { call: label },
        peers.reduce((n, p) => n + p.consumers.size, 0),
      );
      let bitrate = 0;
      let loss = 0;
      let rtt = 0;
      for (const peer of peers) {
        for (const producer of peer.producers.values()) {
          for (const s of await producer.getStats()) {
            bitrate += s.bitrate;
            loss = Math.max(loss, s.fractionLost / 256);
            rtt = Math.max(rtt, s.roundTripTime ?? 0);
          }
        }
      }
      roomBitrateIn.set({ call: label }, bitrate);
      roomLoss.set({ call: label }, loss);
      roomRtt.set({ call: label }, rtt);
    }
  };
  // prom-client calls `collect` of one metric per scrape; hang the room/worker sweep on it.
  new client.Gauge({
    name: 'branchedge_scrape_marker',
    help: 'set on each scrape',
    registers: [registry],
    collect,
  });
  return registry;
}
