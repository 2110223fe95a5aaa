// UDP port pairs (RTP, RTCP = RTP + 1) for ffmpeg recorders, from a range that
// neither mediasoup nor the kernel's ephemeral allocator uses. A pair is handed
// out only when nothing on the machine is bound to either port (/proc/net/udp*).
import { existsSync, readFileSync } from 'node:fs';

export function boundUdpPorts(): Set<number> {
  const ports = new Set<number>();
  for (const table of ['/proc/net/udp', '/proc/net/udp6']) {
    if (!existsSync(table)) continue;
    for (const line of readFileSync(table, 'utf8').split('\n').slice(1)) {
      const local = line.trim().split(/\s+/)[1];
      const hex = local?.split(':').at(-1);
      if (hex) ports.add(parseInt(hex, 16));
    }
  }
  return ports;
}

export function isUdpPortBound(port: number): boolean {
  return boundUdpPorts().has(port);
}

export class PortAllocator {
  readonly #inUse = new Set<number>();
  #cursor: number;

  constructor(
    private readonly min: number,
    private readonly max: number,
  ) {
    if (max - min < 3) throw new Error(`recorder port range ${min}-${max} too small`);
    // Start somewhere random: several edges on one machine (tests, benches) then rarely race for a port.
    const pairs = Math.floor((max - min) / 2);
    this.#cursor = min + (min % 2) + 2 * Math.floor(Math.random() * pairs);
  }

  /** An even RTP port whose RTCP neighbour is free too. */
  take(): number {
    const bound = boundUdpPorts();
    const span = Math.floor((this.max - this.min) / 2);
    for (let i = 0; i < span; i++) {
      const port = this.#cursor;
      this.#cursor = this.#cursor + 2 > this.max - 1 ? this.min + (this.min % 2) : this.#cursor + 2;
      if (this.#inUse.has(port) || bound.has(port) || bound.has(port + 1)) continue;
      this.#inUse.add(port);
      return port;
    }
    throw new Error(`no free recorder port pair in ${this.min}-${this.max}`);
  }

  release(port: number): void {
    this.#inUse.delete(port);
  }
}
