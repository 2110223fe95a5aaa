// A private Janus instance for the benchmark: Debian's janus binary with its own
// configuration directory (VideoRoom plugin and the plain-HTTP API only, on a
// free port), pinned to the measured core, logging warnings to a file. Never
// the system service: nothing here touches /etc/janus or systemd.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '../../lib/ports.ts';
import { stopChild, TASKSET } from '../sfu-proc.ts';

export const JANUS_BIN = process.env.JANUS_BIN ?? '/usr/bin/janus';
const LIB_DIR = process.env.JANUS_LIB_DIR ?? '/usr/lib/x86_64-linux-gnu/janus';

export function janusAvailable(): boolean {
  return existsSync(JANUS_BIN) && existsSync(path.join(LIB_DIR, 'plugins', 'libjanus_videoroom.so'));
}

export interface JanusServer {
  url: string;
  pid: number;
  /** Exit code or signal once Janus has exited. */
  readonly exited: string | undefined;
  dir: string;
  logFile: string;
  stop(): Promise<void>;
  logTail(lines?: number): string;
}

const UNUSED_PLUGINS = [
  'audiobridge',
  'duktape',
  'echotest',
  'lua',
  'nosip',
  'recordplay',
  'sip',
  'streaming',
  'textroom',
  'videocall',
  'voicemail',
];
const UNUSED_TRANSPORTS = ['websockets', 'pfunix', 'mqtt', 'nanomsg', 'rabbitmq'];

/** Starts Janus with `iface` as its only ICE address; `core` pins every thread of it. */
export async function startJanus(o: {
  iface: string;
  core: number | undefined;
  rtpPortRange?: string;
}): Promise<JanusServer> {
  if (!janusAvailable()) throw new Error(`janus not installed (${JANUS_BIN}); apt-get install janus`);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'branchedge-janus-'));
  const port = await freePort();
  const logFile = path.join(dir, 'janus.log');
  const lib = (name: string) => path.join(LIB_DIR, name);
  writeFileSync(
    path.join(dir, 'janus.jcfg'),
    `general: {
  configs_folder = "${dir}"
  plugins_folder = "${lib('plugins')}"
  transports_folder = "${lib('transports')}"
  events_folder = "${lib('events')}"
  loggers_folder = "${lib('loggers')}"
  debug_level = ${process.env.JANUS_DEBUG_LEVEL ?? 3}
  session_timeout = 120
  server_name = "branchedge-bench"${process.env.BENCH_JANUS_EVENT_LOOPS ? `\n  event_loops = ${Number(process.env.BENCH_JANUS_EVENT_LOOPS)}` : ''}
}
media: {
  ipv6 = false
  rtp_port_range = "${o.rtpPortRange ?? '51000-54999'}"
}
nat: {
  nice_debug = false
  ice_enforce_list = "${o.iface}"
}
plugins: { disable = "${UNUSED_PLUGINS.map((p) => `libjanus_${p}.so`).join(',')}" }
transports: { disable = "${UNUSED_TRANSPORTS.map((p) => `libjanus_${p}.so`).join(',')}" }
loggers: { disable = "libjanus_jsonlog.so" }
events: { broadcast = false }
`,
  );
  writeFileSync(path.join(dir, 'janus.plugin.videoroom.jcfg'), 'general: {\n}\n');
  writeFileSync(
    path.join(dir, 'janus.transport.http.jcfg'),
    `general: {
  json = "compact"
  base_path = "/janus"
  http = true
  port = ${port}
  ip = "127.0.0.1"
  https = false
}
admin: {
  admin_http = false
}
`,
  );
  const args = ['-F', dir, '-C', path.join(dir, 'janus.jcfg'), '-L', logFile, '-N', '-o'];
  const child: ChildProcess =
    o.core !== undefined && TASKSET
      ? spawn(TASKSET, ['-c', String(o.core), JANUS_BIN, ...args], { stdio: 'ignore' })
      : spawn(JANUS_BIN, args, { stdio: 'ignore' });
  const url = `http://127.0.0.1:${port}/janus`;
  const tail = (lines = 30) =>
    existsSync(logFile) ? readFileSync(logFile, 'utf8').split('\n').slice(-lines).join('\n') : '(no log)';
  const deadline = Date.now() + 20_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`janus exited with ${child.exitCode}:\n${tail()}`);
    const ok = await fetch(`${url}/info`)
      .then((r) => r.ok)
      .catch(() => false);
    if (ok) break;
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`janus did not answer on ${url} within 20 s:\n${tail()}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  let exited: string | undefined;
  child.once('exit', (code, signal) => (exited = signal ?? `code ${code}`));
  return {
    url,
    pid: child.pid ?? 0,
    get exited() {
      return exited;
    },
    dir,
    logFile,
    logTail: tail,
    async stop() {
      await stopChild(child, 'SIGTERM', 5000);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
