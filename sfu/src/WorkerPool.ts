// One mediasoup worker per core (configurable), each with a WebRtcServer on
// its own fixed port (one UDP+TCP port per worker is what a NAT/firewall rule
// needs). Rooms ask for the least-loaded worker. A worker that dies is replaced
// on the same port and `workerDied` tells its rooms to send participants back.
import * as mediasoup from 'mediasoup';
import type { types } from 'mediasoup';
import type { Logger } from '#common/logger';
import { AppError } from '#protocol/errors';
import { SafeEmitter } from './SafeEmitter.ts';

export interface WorkerPoolOptions {
  size: number;
  workerBin: string;
  /** Local address the media sockets bind to. */
  listenIp: string;
  /** Address browsers are told to send media to (the public side of the NAT); defaults to listenIp. */
  announcedAddress?: string;
  /** Worker i listens on port `portBase + i` (UDP and TCP). 0 = let the OS choose (tests). */
  portBase: number;
  logLevel?: types.WorkerLogLevel;
  logger: Logger;
}

export interface PooledWorker {
  readonly index: number;
  readonly worker: types.Worker;
  readonly webRtcServer: types.WebRtcServer;
  /** Consumers currently hosted: the load measure rooms are placed by. */
  consumers: number;
  routers: number;
}

type PoolEvents = {
  workerDied: [dead: PooledWorker, error: Error];
  workerReplaced: [fresh: PooledWorker];
};

/** How long a join waits for a dead worker's replacement before it is refused. */
const REPLACEMENT_WAIT_MS = 10_000;

export class WorkerPool extends SafeEmitter<PoolEvents> {
  readonly #entries: PooledWorker[] = [];
  /** Replacements in progress, by worker index. */
  readonly #replacing = new Map<number, Promise<void>>();
  #closed = false;

  private constructor(
    private readonly options: WorkerPoolOptions,
    private readonly logger: Logger,
  ) {
    super(logger);
  }

  static async create(options: WorkerPoolOptions): Promise<WorkerPool> {
    const pool = new WorkerPool(options, options.logger.child({ module: 'worker-pool' }));
    for (let i = 0; i < options.size; i++) pool.#entries.push(await pool.#spawn(i));
    pool.logger.info({ workers: options.size, portBase: options.portBase }, 'mediasoup workers ready');
    return pool;
  }

  get workers(): readonly PooledWorker[] {
    return this.#entries;
  }

  get mediasoupVersion(): string {
    return mediasoup.version;
  }

  /** The worker with the fewest consumers, then the fewest routers. */
  leastLoaded(exclude: ReadonlySet<number> = new Set()): PooledWorker {
    const candidates = this.#entries.filter((e) => !e.worker.closed && !exclude.has(e.index));
    const pool = candidates.length > 0 ? candidates : this.#entries.filter((e) => !e.worker.closed);
    const best = pool.sort((a, b) => a.consumers - b.consumers || a.routers - b.routers)[0];
    if (!best) throw new AppError('unavailable', 'no live mediasoup worker');
    return best;
  }

  /**
   * The least-loaded live worker; when every worker is dead and being replaced (a
   * worker just crashed), waits for a replacement rather than failing: the
   * participants it dropped are rejoining right now.
   */
  async liveWorker(): Promise<PooledWorker> {
    const deadline = Date.now() + REPLACEMENT_WAIT_MS;
    for (;;) {
      if (
        this.#entries.some((e) => !e.worker.closed) ||
        this.#replacing.size === 0 ||
        this.#closed ||
        Date.now() >= deadline
      )
        return this.leastLoaded();
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        ...this.#replacing.values(),
        new Promise((r) => (timer = setTimeout(r, deadline - Date.now()))),
      ]);
      clearTimeout(timer);
    }
  }

  async close(): Promise<void> {
    this.#closed = true;
    for (const e of this.#entries) e.worker.close();
  }

  async #spawn(index: number): Promise<PooledWorker> {
    const { options } = this;
    const worker = await mediasoup.createWorker({
      workerBin: options.workerBin,
      logLevel: options.logLevel ?? 'warn',
      logTags: ['ice', 'dtls', 'srtp', 'rtcp'],
      appData: { index },
    });
    const port = options.portBase === 0 ? undefined : options.portBase + index;
    const listen = (protocol: 'udp' | 'tcp'): types.TransportListenInfo => ({
      protocol,
      ip: options.listenIp,
      ...(options.announcedAddress ? { announcedAddress: options.announcedAddress } : {}),
      ...(port === undefined ? {} : { port }),
    });
    const webRtcServer = await worker.createWebRtcServer({ listenInfos: [listen('udp'), listen('tcp')] });
    const entry: PooledWorker = { index, worker, webRtcServer, consumers: 0, routers: 0 };
    this.#trackLoad(entry);
    worker.on('died', (error) => void this.#onDied(entry, error));
    this.logger.info({ index, pid: worker.pid, port: port ?? 'ephemeral' }, 'worker started');
    return entry;
  }

  #trackLoad(entry: PooledWorker): void {
    entry.worker.observer.on('newrouter', (router) => {
      entry.routers++;
      router.observer.on('close', () => entry.routers--);
      router.observer.on('newtransport', (transport) => {
        transport.observer.on('newconsumer', (consumer) => {
          entry.consumers++;
          consumer.observer.on('close', () => entry.consumers--);
        });
      });
    });
  }

  async #onDied(dead: PooledWorker, error: Error): Promise<void> {
    this.logger.error({ index: dead.index, pid: dead.worker.pid, err: error }, 'mediasoup worker died');
    let replaced!: () => void;
    this.#replacing.set(dead.index, new Promise<void>((r) => (replaced = r)));
    try {
      this.safeEmit('workerDied', dead, error);
      if (!this.#closed) await this.#replace(dead);
    } finally {
      this.#replacing.delete(dead.index);
      replaced();
    }
  }

  async #replace(dead: PooledWorker): Promise<void> {
    // The dead process released its port; retry briefly in case the kernel has not yet.
    for (let attempt = 1; attempt <= 5; attempt++) {
      try {
        const fresh = await this.#spawn(dead.index);
        this.#entries[dead.index] = fresh;
        this.logger.info({ index: dead.index, pid: fresh.worker.pid }, 'worker replaced');
        this.safeEmit('workerReplaced', fresh);
        return;
      } catch (err) {
        this.logger.warn({ err, attempt }, 'replacing worker failed, retrying');
        await new Promise((r) => setTimeout(r, 200 * attempt));
      }
    }
    this.logger.fatal({ index: dead.index }, 'could not replace mediasoup worker');
  }
}
