// Starts a real edge node in-process (real mediasoup workers) on free ports,
// stand-alone or linked to a cloud, with its own call-token key pair.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createLogger } from '#common/logger';
import { createEdge, type Edge } from '../../edge-node/src/app.ts';
import { loadEdgeConfig, type EdgeConfig } from '../../edge-node/src/config.ts';
import { archiveEnvOf } from '../../edge-node/src/archive/config.ts';
import { createCallKeys, type TestCallKeys } from './tokens.ts';

export interface TestEdge {
  edge: Edge;
  url: string;
  keys: TestCallKeys;
  dir: string;
  stop(): Promise<void>;
}

/**
 * A test edge's configuration: its identity on loopback and free ports, `dir` for its data,
 * then `defaults`, the archive variables a test set with withEnv (an edge reads only the
 * object it is given, not process.env), and the test's own `env` last.
 */
export function testEdgeConfig(
  dir: string,
  keys: TestCallKeys,
  defaults: Record<string, string>,
  env: Record<string, string>,
): EdgeConfig {
  return loadEdgeConfig({
    EDGE_ID: 'edge-test',
    BRANCH_ID: 'branch-test',
    CLOUD_URL: '',
    EDGE_HOST: '127.0.0.1',
    EDGE_PORT: '0',
    RTC_PORT_BASE: '0',
    SFU_WORKERS: '1',
    CALL_TOKEN_PUBLIC_KEY_FILE: keys.publicKeyFile,
    EDGE_DATA_DIR: path.join(dir, 'data'),
    PATH: process.env.PATH ?? '',
    ...defaults,
    ...archiveEnvOf(process.env),
    ...env,
  });
}

export async function startTestEdge(env: Record<string, string> = {}): Promise<TestEdge> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'branchedge-edge-'));
  const keys = createCallKeys(dir);
  const config = testEdgeConfig(
    dir,
    keys,
    {
      // Speech engines load in seconds; tests that need one ask for it.
      TRANSCRIPTION_ENGINE: 'none',
      // Recorder ffmpegs and composites cost CPU that most tests do not exercise; recording tests turn it on.
      RECORDING_ENABLED: '0',
      // Frame sampling runs an ffmpeg per camera and the vision models; frame tests turn it on.
      FRAME_SAMPLING_ENABLED: '0',
      CALL_EMPTY_END_MS: '0',
    },
    env,
  );
  const logger = createLogger('edge-test', { level: process.env.TEST_LOG_LEVEL ?? 'warn' });
  const edge = await createEdge(config, logger);
  return {
    edge,
    url: `http://127.0.0.1:${edge.port}`,
    keys,
    dir,
    async stop() {
      await edge.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The newest archived artifact of `kind` for a call, decrypted (undefined until it is stored). */
export async function readArchivedArtifact(
  edge: TestEdge,
  callId: string,
  kind: 'report' | 'report-html' | 'transcript' | 'events',
): Promise<Buffer | undefined> {
  const record = edge.edge.archive.archive.store.get(callId);
  const entry = record
    ?.entries('artifact')
    .filter((a) => a.kind === kind)
    .at(-1);
  return entry ? record!.readFile(entry.file) : undefined;
}
