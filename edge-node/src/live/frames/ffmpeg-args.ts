// The sampler's ffmpeg: RTP in (the SDP arrives on stdin, so no file is
// written), VP8/H.264 decoded on one thread, a few frames per sample period
// kept (SampleSlots picks one per period on the call clock), each written to
// stdout as a JPEG the moment it is encoded. `select` rather than the `fps`
// filter: after a stall `fps` repeats the last picture to fill the gap, and a
// repeated picture is not a sample of what the camera saw.

/** Frames ffmpeg emits per sample period, so every period of the call clock gets one even as timing drifts. */
export const FRAMES_PER_PERIOD = 4;

export interface SamplerFfmpegSettings {
  sampleMs: number;
  /**
   * With no packet for this long ffmpeg exits by itself: one whose edge was
   * killed goes away (its mediasoup worker died with it, so nothing arrives any
   * more). A paused camera's ffmpeg idles: mediasoup's RTCP keeps it within the timeout.
   */
  inputTimeoutS: number;
}

export function samplerArgs(o: SamplerFfmpegSettings): string[] {
  const everyS = (o.sampleMs / FRAMES_PER_PERIOD / 1000).toFixed(3);
  // prettier-ignore
  return [
    '-hide_banner', '-loglevel', 'error', '-nostdin', '-nostats',
    '-protocol_whitelist', 'pipe,udp,rtp',
    '-listen_timeout', String(o.inputTimeoutS),
    '-buffer_size', String(1024 * 1024),
    // One decoding thread: no frame-threading delay, and one core at most per camera.
    '-threads', '1',
    // The codec is in the SDP; probing only waits for the first (key) frame's size, not ffmpeg's default 5 s.
    '-analyzeduration', '1000000',
    '-f', 'sdp', '-i', 'pipe:0',
    '-an',
    '-vf', `select='isnan(prev_selected_t)+gte(t-prev_selected_t\\,${everyS})'`,
    '-fps_mode', 'vfr',
    // Full-range 4:2:0 is what JPEG expects; quality 3 keeps small print legible for OCR.
    '-c:v', 'mjpeg', '-q:v', '3', '-pix_fmt', 'yuvj420p',
    '-flush_packets', '1',
    '-f', 'image2pipe', 'pipe:1',
  ];
}
