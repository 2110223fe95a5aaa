// The RTCP packets the edge writes itself to an ffmpeg recorder: a BYE that tells
// it its RTP input has ended, so it closes its files like at the end of a file, and
// a keepalive that tells it its edge is still there.
import dgram from 'node:dgram';

/** RTCP RR (empty) + BYE: ffmpeg's RTP demuxer ignores RTCP shorter than 12 bytes, hence the compound packet. */
export function sendRtcpBye(port: number, ssrc: number): Promise<void> {
  const packet = Buffer.alloc(16);
  packet.writeUInt8(0x80, 0);
  packet.writeUInt8(201, 1);
  packet.writeUInt16BE(1, 2);
  packet.writeUInt32BE(1, 4);
  packet.writeUInt8(0x81, 8);
  packet.writeUInt8(203, 9);
  packet.writeUInt16BE(1, 10);
  packet.writeUInt32BE(ssrc >>> 0, 12);
  return new Promise((resolve) => {
    const socket = dgram.createSocket('udp4');
    socket.send(packet, port, '127.0.0.1', () => socket.close(() => resolve()));
  });
}

const KEEPALIVE = Buffer.from([0x80, 201, 0, 1, 0, 0, 0, 1]);
let keepaliveSocket: dgram.Socket | undefined;

/**
 * An empty RTCP receiver report to a recorder's RTCP port. ffmpeg ignores it, but
 * it is input: it restarts ffmpeg's `-listen_timeout`, so a recorder runs on through a
 * paused track while its edge lives and ends by itself once the edge is gone.
 */
export function sendRtcpKeepalive(port: number, onError: (err: Error) => void): void {
  if (!keepaliveSocket) {
    const socket = dgram.createSocket('udp4');
    socket.on('error', (err) => {
      if (keepaliveSocket === socket) keepaliveSocket = undefined;
      socket.close();
      onError(err);
    });
    socket.unref();
    keepaliveSocket = socket;
  }
  keepaliveSocket.send(KEEPALIVE, port, '127.0.0.1', (err) => {
    if (err) onError(err);
  });
}
