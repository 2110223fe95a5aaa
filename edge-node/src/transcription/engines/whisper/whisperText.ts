// Text in and out of Whisper: domain hints as an initial prompt, and the
// non-speech annotations Whisper emits ("[BLANK_AUDIO]", "(music)") removed.

/** Whisper's prompt holds at most 224 tokens; ~600 characters stays well inside. */
const MAX_PROMPT_CHARS = 600;

export function hintsToPrompt(hints: string[] | undefined): string {
  if (!hints || hints.length === 0) return '';
  let prompt = '';
  for (const h of hints) {
    const next = prompt ? `${prompt}, ${h}` : h;
    if (next.length > MAX_PROMPT_CHARS) break;
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
