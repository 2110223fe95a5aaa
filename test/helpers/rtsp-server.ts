// A minimal RTSP server for tests, the way an NVR or media server would sit
// between IP cameras and the edge: a publisher (ffmpeg `-f rtsp
// -rtsp_transport tcp`) ANNOUNCEs an SDP and RECORDs RTP interleaved on its
// TCP connection; readers DESCRIBE, SETUP (TCP-interleaved only) and PLAY,
// and get the publisher's RTP/RTCP packets relayed on their own connection.
// When the publisher goes, its readers are disconnected and DESCRIBE answers
// 404 until it is back — what a camera reboot looks like to the edge.
// Optional Basic auth for readers (cameras' usual `rtsp://user:pass@…`).
// No npm package fits: `rtsp-streaming-server` is GPL-3.0 on deprecated
// dependencies; `rtsp-server` only parses requests and cannot carry
// interleaved RTP on the same connection.
import { randomBytes } from 'node:crypto';
import net from 'node:net';

interface Stream {
  sdp: string;
  publisher: Conn;
  readers: Set<Conn>;
}

interface Conn {
  socket: net.Socket;
  /** Publisher: interleaved channel → track index. */
  inbound: Map<number, number>;
  /** Reader: track index → interleaved RTP channel (RTCP on the next one). */
  outbound: Map<number, number>;
  /** The stream this connection publishes or reads. */
  path?: string;
  publisher: boolean;
  session?: string;
  playing: boolean;
}

export interface RtspRequestLog {
  method: string;
  path: string;
  status: number;
}

const MAX_READER_BACKLOG = 8 * 1024 * 1024;

export class TestRtspServer {
  readonly #server: net.Server;
  readonly #streams = new Map<string, Stream>();
  readonly #conns = new Set<Conn>();
  /** Every request answered, in order (tests count DESCRIBEs while the source is down). */
  readonly requests: RtspRequestLog[] = [];

  private constructor(
    readonly port: number,
    server: net.Server,
    private readonly credentials?: { user: string; password: string },
  ) {
    this.#server = server;
  }

  static async start(o: { credentials?: { user: string; password: string } } = {}): Promise<TestRtspServer> {
    const server = net.createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', resolve);
    });
    const rtsp = new TestRtspServer((server.address() as net.AddressInfo).port, server, o.credentials);
    server.on('connection', (socket) => rtsp.#accept(socket));
    return rtsp;
  }

  /** `rtsp://127.0.0.1:<port>/<path>`, with credentials when given. */
  url(path: string, auth?: { user: string; password: string }): string {
    const who = auth ? `${encodeURIComponent(auth.user)}:${encodeURIComponent(auth.password)}@` : '';
    return `rtsp://${who}127.0.0.1:${this.port}/${path}`;
  }

  /** True while a publisher is recording on `path`. */
  publishing(path: string): boolean {
    return this.#streams.get(`/${path}`)?.publisher.playing ?? false;
  }

  /** Readers playing `path` now. */
  readers(path: string): number {
    return [...(this.#streams.get(`/${path}`)?.readers ?? [])].filter((r) => r.playing).length;
  }

  async close(): Promise<void> {
    for (const c of this.#conns) c.socket.destroy();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  #accept(socket: net.Socket): void {
    const conn: Conn = { socket, inbound: new Map(), outbound: new Map(), publisher: false, playing: false };
    this.#conns.add(conn);
    socket.setNoDelay(true);
    let buf: Buffer = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      buf = buf.length ? Buffer.concat([buf, chunk]) : chunk;
      for (;;) {
        if (buf.length === 0) break;
        if (buf[0] === 0x24) {
          // `$`, channel, 16-bit length, then an RTP or RTCP packet
          if (buf.length < 4) break;
          const len = buf.readUInt16BE(2);
          if (buf.length < 4 + len) break;
          this.#relay(conn, buf[1]!, buf.subarray(0, 4 + len));
          buf = buf.subarray(4 + len);
          continue;
        }
        const end = buf.indexOf('\r\n\r\n');
        if (end < 0) break;
        const head = buf.subarray(0, end).toString('utf8');
        const headers = new Map<string, string>();
        const [requestLine = '', ...lines] = head.split('\r\n');
        for (const line of lines) {
          const at = line.indexOf(':');
          if (at > 0) headers.set(line.slice(0, at).trim().toLowerCase(), line.slice(at + 1).trim());
        }
        const bodyLength = Number(headers.get('content-length') ?? 0);
        if (buf.length < end + 4 + bodyLength) break;
        const body = buf.subarray(end + 4, end + 4 + bodyLength).toString('utf8');
        buf = buf.subarray(end + 4 + bodyLength);
        const [method = '', uri = ''] = requestLine.split(' ');
        this.#handle(conn, method, uri, headers, body);
      }
    });
    socket.on('error', () => socket.destroy());
    socket.on('close', () => this.#drop(conn));
  }

  #handle(conn: Conn, method: string, uri: string, headers: Map<string, string>, body: string): void {
    const path = new URL(uri.replace(/^rtsps?:/, 'http:')).pathname.replace(/\/$/, '');
    const [streamPath, stream] = this.#streamFor(path);
    const reply = (status: number, text: string, extra: Record<string, string> = {}, content = '') => {
      this.requests.push({ method, path, status });
      const lines = [`RTSP/1.0 ${status} ${text}`, `CSeq: ${headers.get('cseq') ?? '0'}`];
      for (const [k, v] of Object.entries(extra)) lines.push(`${k}: ${v}`);
      if (conn.session) lines.push(`Session: ${conn.session};timeout=60`);
      lines.push(`Content-Length: ${Buffer.byteLength(content)}`, '', content);
      conn.socket.write(lines.join('\r\n'));
    };
    const reading = ['DESCRIBE', 'SETUP', 'PLAY'].includes(method) && !conn.publisher;
    if (reading && this.credentials && !this.#authorised(headers.get('authorization'))) {
      reply(401, 'Unauthorized', { 'WWW-Authenticate': 'Basic realm="test"' });
      return;
    }
    switch (method) {
      case 'OPTIONS':
        reply(200, 'OK', {
          Public: 'OPTIONS, DESCRIBE, ANNOUNCE, SETUP, PLAY, RECORD, TEARDOWN, GET_PARAMETER',
        });
        return;
      case 'ANNOUNCE': {
        const old = this.#streams.get(path);
        if (old) this.#end(path, old);
        conn.path = path;
        conn.publisher = true;
        this.#streams.set(path, { sdp: body, publisher: conn, readers: new Set() });
        reply(200, 'OK');
        return;
      }
      case 'DESCRIBE':
        if (!stream || !stream.publisher.playing) {
          reply(404, 'Not Found');
          return;
        }
        reply(
          200,
          'OK',
          { 'Content-Base': `${uri.replace(/\/$/, '')}/`, 'Content-Type': 'application/sdp' },
          stream.sdp,
        );
        return;
      case 'SETUP': {
        const transport = headers.get('transport') ?? '';
        const interleaved = /interleaved=(\d+)(?:-(\d+))?/.exec(transport);
        if (!stream || !/RTP\/AVP\/TCP/i.test(transport) || !interleaved) {
          reply(stream ? 461 : 404, stream ? 'Unsupported Transport' : 'Not Found');
          return;
        }
        const track = Number(/streamid=(\d+)/.exec(uri)?.[1] ?? 0);
        const channel = Number(interleaved[1]);
        if (stream.publisher === conn) {
          conn.inbound.set(channel, track);
          conn.inbound.set(channel + 1, track);
        } else {
          conn.outbound.set(track, channel);
          conn.path = streamPath;
        }
        conn.session ??= randomBytes(8).toString('hex');
        reply(200, 'OK', { Transport: transport });
        return;
      }
      case 'RECORD':
      case 'PLAY':
        if (!stream) {
          reply(404, 'Not Found');
          return;
        }
        conn.playing = true;
        if (method === 'PLAY') stream.readers.add(conn);
        reply(200, 'OK', method === 'PLAY' ? { Range: 'npt=0.000-' } : {});
        return;
      case 'GET_PARAMETER':
      case 'SET_PARAMETER':
        reply(200, 'OK');
        return;
      case 'TEARDOWN':
        reply(200, 'OK');
        conn.socket.end();
        return;
      default:
        reply(501, 'Not Implemented');
    }
  }

  /** The stream a request path addresses: itself or, for a track URL (`/lobby/streamid=0`), its parent. */
  #streamFor(path: string): [string, Stream | undefined] {
    const parent = path.replace(/\/[^/]*$/, '');
    return this.#streams.has(path) ? [path, this.#streams.get(path)] : [parent, this.#streams.get(parent)];
  }

  #authorised(header: string | undefined): boolean {
    if (!header?.startsWith('Basic ')) return false;
    const [user, ...rest] = Buffer.from(header.slice(6), 'base64').toString('utf8').split(':');
    return user === this.credentials!.user && rest.join(':') === this.credentials!.password;
  }

  #relay(from: Conn, channel: number, packet: Buffer): void {
    const track = from.inbound.get(channel);
    const stream = from.path ? this.#streams.get(from.path) : undefined;
    if (track === undefined || !stream || stream.publisher !== from) return; // a reader's RTCP: dropped
    const rtcp = channel % 2 === 1;
    for (const reader of stream.readers) {
      const out = reader.outbound.get(track);
      if (out === undefined || !reader.playing) continue;
      // A reader that cannot keep up loses packets, as it would on a real network.
      if (reader.socket.writableLength > MAX_READER_BACKLOG) continue;
      const copy = Buffer.from(packet);
      copy[1] = out + (rtcp ? 1 : 0);
      reader.socket.write(copy);
    }
  }

  #end(path: string, stream: Stream): void {
    this.#streams.delete(path);
    for (const reader of stream.readers) reader.socket.destroy();
  }

  #drop(conn: Conn): void {
    this.#conns.delete(conn);
    if (!conn.path) return;
    const stream = this.#streams.get(conn.path);
    if (!stream) return;
    if (stream.publisher === conn) this.#end(conn.path, stream);
    else stream.readers.delete(conn);
  }
}
