// Simulcast layer choice for one video consumer: the smallest layer that fills
// the subscriber's viewport, lowered further when the measured downlink cannot
// carry it. Layers follow the client's encodings: 0 ≈ 320×180 @150 kbit/s,
// 1 ≈ 640×360 @400 kbit/s, 2 ≈ 1280×720 @900 kbit/s.
export const LAYER_HEIGHTS = [180, 360, 720] as const;
export const LAYER_BITRATES = [150_000, 400_000, 900_000] as const;

export interface LayerInputs {
  /** Rendered height of the video element in device pixels; 0 = hidden. */
  viewportHeight: number;
  /** Estimated available downlink for this subscriber (bits/s), if known. */
  availableBitrate?: number;
  /** How many video consumers share that downlink. */
  videoConsumers: number;
}

export function chooseSpatialLayer({
  viewportHeight,
  availableBitrate,
  videoConsumers,
}: LayerInputs): number {
  let layer = LAYER_HEIGHTS.findIndex((h) => h >= viewportHeight * 0.9);
  if (layer === -1) layer = LAYER_HEIGHTS.length - 1;
  if (availableBitrate !== undefined && videoConsumers > 0) {
    const share = availableBitrate / videoConsumers;
    while (layer > 0 && LAYER_BITRATES[layer]! > share) layer--;
  }
  return layer;
}
