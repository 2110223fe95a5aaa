// The sampler's ffmpeg: RTP in (the SDP arrives on stdin, so no file is
// written), VP8/H.264 decoded, one frame kept every sample period, each kept
// frame as a JPEG on stdout. `select` rather than the `fps` filter: after a
// stall `fps` would repeat the last picture to fill the gap, and a repeated
// picture is not a sample of what the camera saw.

export interface SamplerFfmpegSettings {
  sampleMs: number;
  /**
   * With no RTP for this long ffmpeg exits by itself: a paused camera's ffmpeg
   * goes away (restarted on resume), and so does one whose edge was killed
   * (its mediasoup worker died with it).
   */
  inputTimeoutS: number;
}

export function samplerArgs(o: SamplerFfmpegSettings): string[] {
  const everyS = (o.sampleMs / 1000).toFixed(3);
  return [
    '-hide_banner',
    '-loglevel',
    'error',
    '-nostdin',
    '-nostats',
    '-protocol_whitelist',
    'pipe,udp,rtp',
    '-listen_timeout',
    String(o.inputTimeoutS),
    '-buffer_size',
    String(1024 * 1024),
    '-f',
    'sdp',
    '-i',
    'pipe:0',
    '-an',
    '-vf',
    `select='isnan(prev_selected_t)+gte(t-prev_selected_t\\,${everyS})'`,
    '-fps_mode',
    'vfr',
    // Full-range 4:2:0 is what JPEG expects; quality 3 keeps small print legible for OCR.
    '-c:v',
    'mjpeg',
    '-q:v',
    '3',
    '-pix_fmt',
    'yuvj420p',
    '-f',
    'image2pipe',
    'pipe:1',
  ];
}
