import { describe, expect, test } from 'vitest';
import { containerFor, recorderSdp } from '../../../edge-node/src/recording/sdp.ts';

describe('recorder SDP', () => {
  test('Opus with its parameters, on the given port', () => {
    const sdp = recorderSdp(
      {
        kind: 'audio',
        mimeType: 'audio/opus',
        payloadType: 100,
        clockRate: 48000,
        channels: 2,
        parameters: { useinbandfec: 1 },
      },
      61000,
    );
    expect(sdp.split('\r\n')).toEqual(
      expect.arrayContaining([
        'm=audio 61000 RTP/AVP 100',
        'a=rtpmap:100 opus/48000/2',
        'a=fmtp:100 useinbandfec=1',
        'c=IN IP4 127.0.0.1',
      ]),
    );
  });

  test('H.264 goes into Matroska, VP8 and Opus into WebM', () => {
    const h264 = {
      kind: 'video' as const,
      mimeType: 'video/H264',
      payloadType: 102,
      clockRate: 90000,
      parameters: { 'packetization-mode': 1, 'profile-level-id': '42e01f' },
    };
    expect(recorderSdp(h264, 61002)).toContain('a=fmtp:102 packetization-mode=1;profile-level-id=42e01f');
    expect(containerFor(h264).format).toBe('matroska');
    expect(
      containerFor({ kind: 'video', mimeType: 'video/VP8', payloadType: 101, clockRate: 90000 }).ext,
    ).toBe('webm');
  });
});
