// Builds an edge node from its parts: mediasoup workers, the call registry,
// signaling for in-branch devices, the cloud link, and HTTP (health, metrics,
// the client for in-branch devices). `main.ts` only loads config and calls this.
import { existsSync, readFileSync } from 'node:fs';
import { createServer, type Server as HttpServer } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import express from 'express';
import helmet from 'helmet';
import { Server as IoServer } from 'socket.io';
import type { Logger } from '#common/logger';
import type { EdgeHeartbeat, EdgeHello, RunningConfig } from '#protocol/edge-link';
import { productOf } from '#protocol/products';
import { WorkerPool, resolveWorkerBin } from '#sfu/index';
import { linkArchive, startArchive, type EdgeArchive } from './archive/startArchive.ts';
import { JoinTokenVerifier } from './auth/JoinTokenVerifier.ts';
import { CallRegistry } from './calls/CallRegistry.ts';
import { CloudLink } from './cloud-link/CloudLink.ts';
import type { EdgeConfig } from './config.ts';
import { mountHealth, type ReadinessCheck } from './http/health.ts';
import { LiveCallAnalysis } from './live/LiveCallAnalysis.ts';
import { LiveFrameSampler } from './live/frames/LiveFrameSampler.ts';
import { loadSpeechEngine } from './live/speechEngine.ts';
import { loadRulePack, packHints } from './compliance/index.ts';
import { TranscriptionService } from './transcription/index.ts';
import { createMetrics } from './http/metrics.ts';
import {
  DEFAULT_BUSYNESS,
  LobbyReporter,
  LobbyService,
  loadLobbyConfigFile,
  lobbyRouter,
  sendDayOverLink,
  type AckSocket,
} from './lobby/index.ts';
import { LOBBY_REPORT_EVENT } from '#protocol/lobby';
import { RelaySessions } from './signaling/RelaySessions.ts';
import { attachSfuNamespace } from './signaling/SfuNamespace.ts';

export const EDGE_VERSION = '0.1.0';

export interface Edge {
  config: EdgeConfig;
  httpServer: HttpServer;
  io: IoServer;
  pool: WorkerPool;
  calls: CallRegistry;
  analysis: LiveCallAnalysis;
  /** Live video sampling for the frame checks, when FRAME_SAMPLING_ENABLED. */
  frames?: LiveFrameSampler;
  transcription?: TranscriptionService;
  verifier: JoinTokenVerifier;
  cloudLink?: CloudLink;
  /** Recording, the encrypted call archive, the outbox to the cloud, retention (edge-node/src/archive). */
  archive: EdgeArchive;
  /** Lobby camera analytics, when LOBBY_CONFIG_FILE is set. */
  lobby?: LobbyService;
  /** Port actually bound (EDGE_PORT=0 picks a free one). */
  port: number;
  running: RunningConfig;
  close(): Promise<void>;
}

function readKey(config: EdgeConfig): string | undefined {
  if (config.edgeKey) return config.edgeKey;
  if (config.edgeKeyFile) return readFileSync(config.edgeKeyFile, 'utf8').trim();
  return undefined;
}

export async function createEdge(config: EdgeConfig, logger: Logger): Promise<Edge> {
  const pool = await WorkerPool.create({
    size: config.workers,
    workerBin: resolveWorkerBin(),
    listenIp: config.rtc.listenIp,
    ...(config.rtc.announcedAddress ? { announcedAddress: config.rtc.announcedAddress } : {}),
    portBase: config.rtc.portBase,
    logger,
  });
  const calls = new CallRegistry(
    pool,
    logger,
    config.maxCalls,
    config.emptyCallEndMs,
    config.maxConsumersPerWorker,
  );
  const archive = await startArchive({ edge: config, registry: calls, logger });
  // One speech engine per edge process, resident, shared by all calls.
  const defaultHints = packHints(loadRulePack(config.compliance.defaultPack));
  const speech = await loadSpeechEngine(
    config.transcription.engine,
    config.transcription.whisperModel,
    defaultHints,
    logger,
  );
  const transcription = speech.engine
    ? await TranscriptionService.create({
        engine: speech.engine,
        hints: defaultHints,
        segmenter: config.transcription.segmenter,
        partialIntervalMs: config.transcription.partialIntervalMs,
        logger,
      })
    : undefined;
  transcription?.on('capacity', (report) =>
    report.overCapacity
      ? logger.warn(report, 'transcription over capacity: transcripts and compliance alerts will lag')
      : logger.info(report, 'transcription back within capacity'),
  );
  transcription?.on('error', (err, meta) => logger.error({ err, ...meta }, 'transcription error'));
  let cloudLink: CloudLink | undefined;
  let lobbyReporter: LobbyReporter | undefined;
  // Frames: one ffmpeg per camera, analysis on its own thread (docs/compliance.md#frames).
  const frames = config.frames.enabled
    ? new LiveFrameSampler({
        registry: calls,
        edgeId: config.edgeId,
        settings: { ...config.frames, ffmpeg: archive.config.recording.ffmpeg, settleMs: 1500 },
        logger,
      })
    : undefined;
  const analysis = new LiveCallAnalysis({
    calls,
    ...(transcription ? { transcription } : {}),
    ...(frames ? { frames } : {}),
    defaultPack: config.compliance.defaultPack,
    logger,
    sink: archive.archive,
    onAlert: (callId, alert) => cloudLink?.send('call:event', { callId, type: 'alert.raised', data: alert }),
    onReport: (callId, report) =>
      cloudLink?.send('call:event', {
        callId,
        type: 'report.ready',
        data: { verdict: report.verdict, score: report.score, pack: report.pack },
      }),
  });
  const publicKey = config.callTokenPublicKeyFile
    ? readFileSync(config.callTokenPublicKeyFile, 'utf8')
    : undefined;
  const verifier = new JoinTokenVerifier(config.edgeId, publicKey);
  const running: RunningConfig = { revision: 0, rulePacks: {}, models: {}, settings: {} };
  // ---- lobby analytics: cameras analysed here, only aggregates leave (docs/lobby.md) ----
  const lobby = config.lobby.configFile
    ? await LobbyService.start({
        file: loadLobbyConfigFile(config.lobby.configFile),
        branchId: config.branchId,
        edgeId: config.edgeId,
        staffOnDuty: config.lobby.staffOnDuty,
        detectorWorkers: config.lobby.detectorWorkers,
        detectorBackend: config.lobby.detectorBackend,
        busyness: {
          ...DEFAULT_BUSYNESS,
          customersPerStaff: config.lobby.customersPerStaff,
          targetWaitS: config.lobby.targetWaitS,
        },
        timeZone: config.lobby.timeZone,
        statePath: path.join(config.dataDir, 'lobby', 'day.json'),
        logger,
      })
    : undefined;

  const app = express();
  app.disable('x-powered-by');
  app.use(helmet({ contentSecurityPolicy: false }));
  const httpServer = createServer(app);
  const io = new IoServer(httpServer, {
    maxHttpBufferSize: 256 * 1024,
    cors: { origin: true, credentials: true },
  });
  attachSfuNamespace(io, { calls, verifier, logger });

  const key = readKey(config);
  const checks = (): ReadinessCheck[] => [
    {
      name: 'mediasoup',
      required: true,
      run: async () => {
        const live = pool.workers.filter((w) => !w.worker.closed).length;
        return {
          ok: live > 0,
          detail: `${live}/${pool.workers.length} workers alive, mediasoup ${pool.mediasoupVersion}`,
        };
      },
    },
    {
      name: 'joinTokens',
      required: true,
      run: async () => ({
        ok: verifier.ready,
        detail: verifier.ready ? 'public key loaded' : 'waiting for the cloud key',
      }),
    },
    {
      name: 'transcription',
      required: true,
      run: async () => {
        const capacity = transcription?.status().capacity;
        // Over capacity the edge still serves its calls but falls behind on transcripts: say so.
        const load = capacity
          ? `; ${capacity.overCapacity ? 'OVER CAPACITY' : 'keeping up'} (${capacity.queuedFinals} finals, ${capacity.queuedPartials} partials queued)`
          : '';
        return { ok: speech.ok, detail: `${speech.detail}${load}` };
      },
    },
    {
      name: 'cloudLink',
      required: false,
      run: async () => ({
        ok: cloudLink?.state === 'online',
        detail: cloudLink ? cloudLink.state : 'stand-alone (no CLOUD_URL or EDGE_KEY)',
      }),
    },
  ];
  const router = express.Router();
  mountHealth(router, checks);
  const metrics = createMetrics(pool, calls);
  frames?.registerMetrics(metrics);
  router.get('/metrics', async (_req, res) => {
    res.type(metrics.contentType).send(await metrics.metrics());
  });
  app.use(router);
  // Lobby aggregates are branch data: a cloud-signed lobby token or LOBBY_ADMIN_TOKEN on every route.
  if (lobby)
    app.use(
      lobbyRouter({
        lobby,
        activeCalls: () => calls.size,
        maxCalls: config.maxCalls,
        branchId: config.branchId,
        verifyToken: (token) => verifier.verifyLobbyAccess(token),
        adminToken: config.lobby.adminToken,
        logger,
      }),
    );
  if (existsSync(path.join(config.clientDist, 'index.html'))) {
    app.use(express.static(config.clientDist, { index: 'index.html' }));
    app.get(/^\/(?!api|socket\.io).*/, (_req, res) =>
      res.sendFile(path.join(config.clientDist, 'index.html')),
    );
  }

  await new Promise<void>((resolve) => httpServer.listen(config.port, config.host, resolve));
  const address = httpServer.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const publicUrl = config.publicUrl ?? `http://localhost:${port}`;

  if (config.cloudUrl && key) {
    let cpuPrev = { usage: process.cpuUsage(), at: Date.now() };
    const hello = (): EdgeHello => ({
      edgeId: config.edgeId,
      branchId: config.branchId,
      version: EDGE_VERSION,
      publicUrl,
      capacity: { maxCalls: config.maxCalls, workers: pool.workers.length },
      running,
      transcriptionEngine: transcription?.engine.name ?? 'none',
    });
    const heartbeat = async (): Promise<EdgeHeartbeat> => {
      const usage = process.cpuUsage();
      const now = Date.now();
      const cpuMs = (usage.user - cpuPrev.usage.user + usage.system - cpuPrev.usage.system) / 1000;
      const cpuPercent = Math.max(0, (100 * cpuMs) / Math.max(1, now - cpuPrev.at) / os.cpus().length);
      cpuPrev = { usage, at: now };
      const participants = calls.calls.reduce((n, c) => n + c.participants, 0);
      const activeCalls = calls.size;
      return {
        at: now,
        load: {
          calls: activeCalls,
          participants,
          cpuPercent,
          workers: pool.workers.map((w) => ({ pid: w.worker.pid ?? 0, routers: w.routers, cpuPercent: 0 })),
        },
        busyness: lobby
          ? (({ score, inputs }) => ({ score, activeCalls, queueLength: 0, lobbyCount: inputs.lobbyCount }))(
              lobby.busyness(activeCalls, config.maxCalls),
            )
          : { score: Math.min(1, activeCalls / config.maxCalls), activeCalls, queueLength: 0 },
      };
    };
    cloudLink = new CloudLink({
      cloudUrl: config.cloudUrl,
      edgeId: config.edgeId,
      key: () => readKey(config) ?? key,
      heartbeatIntervalMs: config.heartbeatIntervalMs,
      hello,
      heartbeat,
      logger,
    });
    cloudLink.on('callTokenPublicKey', (pem) => verifier.setPublicKey(pem));
    cloudLink.on('config', (desired) => {
      logger.info({ revision: desired.revision }, 'desired configuration received');
    });
    cloudLink.start();
    const link = cloudLink;
    // Lobby aggregates and heat maps for the cloud's ops view (an event the edge-link contract leaves to protocol/src/lobby.ts).
    lobbyReporter =
      lobby &&
      new LobbyReporter({
        lobby,
        activeCalls: () => calls.size,
        maxCalls: config.maxCalls,
        intervalMs: config.lobby.reportIntervalMs,
        pendingDir: path.join(config.dataDir, 'lobby', 'pending-days'),
        logger,
        send: (r) =>
          link.state === 'online' &&
          (link.socket as unknown as { emit(e: string, p: unknown): boolean }).emit(LOBBY_REPORT_EVENT, r),
        sendDay: (r) => sendDayOverLink(link.socket as unknown as AckSocket, link.state === 'online', r),
      });
    lobbyReporter?.start();
    linkArchive(archive, link, logger);
    new RelaySessions(calls, link, logger).attach();
    link.socket!.on('call:ended', ({ callId, reason }) => calls.endCall(callId, reason));
    link.on('callAssigned', (call) => analysis.setPack(call.callId, productOf(call)));
    // Participants coming and going are part of the call's event log in the cloud
    // (the cloud logs relayed participants itself).
    calls.onRoom((call, room) => {
      for (const [event, type] of [
        ['peerJoined', 'participant.joined'],
        ['peerLeft', 'participant.left'],
      ] as const)
        room.on(
          event,
          (peer) =>
            !peer.identity.remote &&
            link.send('call:event', {
              callId: call.callId,
              type,
              data: { peerId: peer.id, role: peer.role },
            }),
        );
    });
  } else {
    logger.warn('no CLOUD_URL/EDGE_KEY: running stand-alone, not registered with a cloud');
  }

  logger.info({ port, publicUrl, edgeId: config.edgeId, branchId: config.branchId }, 'edge node listening');
  return {
    config,
    httpServer,
    io,
    pool,
    calls,
    analysis,
    ...(frames ? { frames } : {}),
    ...(transcription ? { transcription } : {}),
    verifier,
    cloudLink,
    archive,
    lobby,
    port,
    running,
    async close() {
      cloudLink?.close();
      lobbyReporter?.stop();
      await lobby?.close();
      // Recorders finish their segments, and starts in progress give up, while the rooms still exist.
      await archive.recording?.close();
      calls.closeAll('edge shutting down');
      // Reports that waited for their last frames go to the archive before it closes.
      await analysis.settled();
      await frames?.close();
      await archive.close();
      await transcription?.close();
      io.close();
      await new Promise<void>((resolve) => httpServer.close(() => resolve()));
      await pool.close();
    },
  };
}
