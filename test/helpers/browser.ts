// Real Chromium (Debian's /usr/bin/chromium) driven by playwright-core, with a
// fake camera and microphone fed from files.
import { chromium, type Browser } from 'playwright-core';
import { fakeSpeechWav, fakeVideoY4m } from './fake-media.ts';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export async function launchChromium(
  options: { audioFile?: string; videoFile?: string } = {},
): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--autoplay-policy=no-user-gesture-required',
      '--use-fake-ui-for-media-stream',
      '--use-fake-device-for-media-stream',
      `--use-file-for-fake-video-capture=${options.videoFile ?? fakeVideoY4m()}`,
      `--use-file-for-fake-audio-capture=${options.audioFile ?? fakeSpeechWav()}`,
    ],
  });
}
