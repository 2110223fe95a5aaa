// Which producers the frame sampler watches, and the camera id each one's
// frames carry. The compliance checks read camera ids as roles: a camera named
// after a role shows that role (`faces-present` looks for the manager's face on
// `manager` frames), any other name is a shared camera (docs/compliance.md).
import type { CallRole } from '#protocol/roles';
import type { MediaSource } from '#protocol/signaling';

/**
 * The camera id of a participant's video, or undefined when it is not sampled.
 * Only cameras: a screen share is not "shown to the camera", faces on it are
 * not the people at the counter, and decoding it at full size would cost more
 * than a camera's middle layer. The observer (compliance officer) sends no video.
 */
export function cameraId(role: CallRole, source: MediaSource): string | undefined {
  if (source !== 'camera') return undefined;
  return role === 'observer' ? undefined : role;
}
