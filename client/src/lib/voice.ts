// Voice control for AR glasses: the browser's speech recognition (where it
// exists) mapped onto a handful of commands, in English and Chinese.
export type VoiceCommand =
  'mute' | 'unmute' | 'expert' | 'document' | 'lowBandwidth' | 'fullBandwidth' | 'leave';

const PHRASES: Array<[VoiceCommand, RegExp]> = [
  ['unmute', /\bunmute\b|取消静音|打开麦克风/i],
  ['mute', /\bmute\b|静音|关闭麦克风/i],
  ['fullBandwidth', /\b(full|high) (quality|bandwidth)\b|高清/i],
  ['lowBandwidth', /\blow (quality|bandwidth)\b|省流|低带宽/i],
  ['document', /\b(document|paper|annotation)s?\b|文件|文档|标注/i],
  ['expert', /\bexpert\b|专家/i],
  ['leave', /\b(leave|hang up|end call)\b|离开|挂断/i],
];

/** The first command a recognised phrase contains (order matters: "unmute" before "mute"). */
export function matchCommand(phrase: string): VoiceCommand | null {
  for (const [cmd, re] of PHRASES) if (re.test(phrase)) return cmd;
  return null;
}

interface Recognition {
  lang: string;
  continuous: boolean;
  interimResults: boolean;
  onresult:
    ((e: { resultIndex: number; results: ArrayLike<ArrayLike<{ transcript: string }>> }) => void) | null;
  onend: (() => void) | null;
  onerror: ((e: { error: string }) => void) | null;
  start(): void;
  stop(): void;
}

/** Starts listening; returns a stop function, or null where the browser has no speech recognition. */
export function listenForCommands(
  lang: 'en' | 'zh',
  onCommand: (cmd: VoiceCommand, phrase: string) => void,
): (() => void) | null {
  const w = window as unknown as {
    SpeechRecognition?: new () => Recognition;
    webkitSpeechRecognition?: new () => Recognition;
  };
  const Ctor = w.SpeechRecognition ?? w.webkitSpeechRecognition;
  if (!Ctor) return null;
  const rec = new Ctor();
  let stopped = false;
  rec.lang = lang === 'zh' ? 'zh-CN' : 'en-US';
  rec.continuous = true;
  rec.interimResults = false;
  rec.onresult = (e) => {
    for (let i = e.resultIndex; i < e.results.length; i++) {
      const phrase = e.results[i]?.[0]?.transcript ?? '';
      const cmd = matchCommand(phrase);
      if (cmd) onCommand(cmd, phrase);
    }
  };
  // Recognition stops after silence; keep it going while the AR view is open.
  rec.onend = () => !stopped && rec.start();
  rec.onerror = (e) => {
    if (e.error === 'not-allowed' || e.error === 'service-not-allowed') stopped = true;
  };
  rec.start();
  return () => {
    stopped = true;
    rec.stop();
  };
}
