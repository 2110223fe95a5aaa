import { MAX_FRAME_CHARS } from './model.ts';

/** The video's current frame as a JPEG data URL small enough for one data-channel message. */
export function captureFrame(video: HTMLVideoElement, maxWidth = 960): string | null {
  if (!video.videoWidth || !video.videoHeight) return null;
  const scale = Math.min(1, maxWidth / video.videoWidth);
  const canvas = document.createElement('canvas');
  canvas.width = Math.round(video.videoWidth * scale);
  canvas.height = Math.round(video.videoHeight * scale);
  canvas.getContext('2d')?.drawImage(video, 0, 0, canvas.width, canvas.height);
  for (const quality of [0.8, 0.65, 0.5, 0.35, 0.2]) {
    const url = canvas.toDataURL('image/jpeg', quality);
    if (url.length <= MAX_FRAME_CHARS) return url;
  }
  return null;
}
