// Opus → 16 kHz mono Float32 straight from libopus (opus-decoder, WASM): no
// resampler. Loss is concealed with libopus PLC (a decode of an empty packet).
// In-band FEC would need libopus's decode_fec flag, which this WASM build does
// not expose; PLC alone is used (see docs/transcription.md).
import { OpusDecoder } from 'opus-decoder';
import { AppError } from '#protocol/errors';

export class OpusPcmDecoder {
  #decoder: OpusDecoder<16000>;
  #errors = 0;

  private constructor(decoder: OpusDecoder<16000>) {
    this.#decoder = decoder;
  }

  static async create(): Promise<OpusPcmDecoder> {
    const decoder = new OpusDecoder({ sampleRate: 16000, channels: 1 });
    await decoder.ready;
    return new OpusPcmDecoder(decoder);
  }

  get errors(): number {
    return this.#errors;
  }

  /** One Opus packet → its samples (a copy). A corrupt packet yields [] and counts as an error. */
  decode(payload: Uint8Array): Float32Array {
    if (payload.length === 0) return new Float32Array(0);
    const out = this.#decoder.decodeFrame(payload);
    if (out.errors.length > 0 || out.samplesDecoded === 0) {
      this.#errors++;
      return new Float32Array(0);
    }
    return out.channelData[0]!.slice(0, out.samplesDecoded);
  }

  /** `samples` of concealment continuing the last decoded audio (PLC yields up to 120 ms per call). */
  conceal(samples: number): Float32Array {
    const out = new Float32Array(samples);
    let filled = 0;
    while (filled < samples) {
      const plc = this.#decoder.decodeFrame(new Uint8Array(0));
      if (plc.samplesDecoded === 0) break; // nothing to conceal from yet: leave silence
      const take = Math.min(plc.samplesDecoded, samples - filled);
      out.set(plc.channelData[0]!.subarray(0, take), filled);
      filled += take;
    }
    return out;
  }

  free(): void {
    try {
      this.#decoder.free();
    } catch (err) {
      throw new AppError('internal', `opus decoder free failed: ${(err as Error).message}`, undefined, {
        cause: err,
      });
    }
  }
}
