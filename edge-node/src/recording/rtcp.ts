// The one RTCP packet the edge writes itself: a BYE that tells an ffmpeg
// recorder its RTP input has ended, so it closes its files like at the end of a file.
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

