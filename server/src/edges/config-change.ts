// Pure config arithmetic for rollouts: apply a change to a desired config.
import type { ConfigChange } from '#protocol/api';
import type { RunningConfig } from '#protocol/edge-link';

function patch(
  base: Record<string, string>,
  change: Record<string, string | null> | undefined,
): Record<string, string> {
  const out = { ...base };
  for (const [k, v] of Object.entries(change ?? {})) {
    if (v === null) delete out[k];
    else out[k] = v;
  }
  return out;
}

/** The next desired config: entries set or (null) removed, settings shallow-merged, revision + 1. */
export function applyChange(cur: RunningConfig, change: ConfigChange): RunningConfig {
  const settings: Record<string, unknown> = { ...cur.settings };
  for (const [k, v] of Object.entries(change.settings ?? {})) {
    if (v === null) delete settings[k];
    else settings[k] = v;
  }
  return {
    revision: cur.revision + 1,
    rulePacks: patch(cur.rulePacks, change.rulePacks),
    models: patch(cur.models, change.models),
    settings,
  };
}

/** What turns `from` into `to` (used to describe a rollback as a change). */
export function diffConfig(from: RunningConfig, to: RunningConfig): ConfigChange {
  const diff = (a: Record<string, unknown>, b: Record<string, unknown>) => {
    const out: Record<string, unknown> = {};
    for (const k of new Set([...Object.keys(a), ...Object.keys(b)])) {
      if (!(k in b)) out[k] = null;
      else if (JSON.stringify(a[k]) !== JSON.stringify(b[k])) out[k] = b[k];
    }
    return out;
  };
  return {
    rulePacks: diff(from.rulePacks, to.rulePacks) as Record<string, string | null>,
    models: diff(from.models, to.models) as Record<string, string | null>,
    settings: diff(from.settings, to.settings),
  };
}

export const EMPTY_CONFIG: RunningConfig = { revision: 0, rulePacks: {}, models: {}, settings: {} };
