// Text in and out of Whisper: domain hints as an initial prompt, and the
// non-speech annotations Whisper emits ("[BLANK_AUDIO]", "(music)") removed.

/**
 * Characters of domain hints put in a final's prompt. The decoder reads every
 * prompt token before the first word (measured with tiny.en's compute, 1
 * thread: 600 characters add ~0.66 s to every recognition, more than the audio
 * itself; 100 characters ~0.15 s, bench:transcription §2b). 100 characters
 * carry the pack's vocabulary, which comes first in its hints.
 */
export const DEFAULT_PROMPT_CHARS = 100;
/** Whisper's prompt holds at most 224 tokens; ~600 characters stays well inside. */
const MAX_PROMPT_CHARS = 600;

export function hintsToPrompt(hints: string[] | undefined, maxChars = DEFAULT_PROMPT_CHARS): string {
  if (!hints || hints.length === 0 || maxChars <= 0) return '';
  const limit = Math.min(maxChars, MAX_PROMPT_CHARS);
  let prompt = '';
  for (const h of hints) {
    const next = prompt ? `${prompt}, ${h}` : h;
    if (next.length + 1 > limit) break;
    prompt = next;
  }
  return prompt ? `${prompt}.` : '';
}

export function cleanWhisperText(raw: string): string {
  return raw
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/\([^)]*\)/g, ' ')
    .replace(/\*[^*]*\*/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

/** Tokens per second of audio a recognition may decode, before the fixed allowance. */
export const TOKENS_PER_SECOND = { english: 7, multilingual: 12 } as const;
const TOKEN_ALLOWANCE = 8;
/** A partial is a preview, replaced within a second: a tighter budget, still above speech's rate. */
const PARTIAL_TOKENS_PER_SECOND = { english: 5, multilingual: 9 } as const;
const PARTIAL_TOKEN_ALLOWANCE = 4;

/**
 * The most tokens a recognition of `durationMs` of audio may decode. Speech
 * carries ~3–5 English tokens a second (up to ~10 for Mandarin, whose characters
 * often take two); Whisper's known failure is a repetition loop that decodes up
 * to the 224-token context, holding a worker for seconds while finals wait. The
 * budget leaves fast talkers room and bounds that loop to the audio's length.
 */
export function tokenBudget(durationMs: number, multilingual: boolean, partial = false): number {
  const rates = partial ? PARTIAL_TOKENS_PER_SECOND : TOKENS_PER_SECOND;
  const rate = multilingual ? rates.multilingual : rates.english;
  const allowance = partial ? PARTIAL_TOKEN_ALLOWANCE : TOKEN_ALLOWANCE;
  return Math.min(224, Math.ceil((durationMs / 1000) * rate) + allowance);
}
