// A typed EventEmitter whose `safeEmit` never lets a listener's exception escape
// into media callbacks or timers (mediasoup's enhancedEvents pattern).
import { EventEmitter } from 'node:events';
import type { Logger } from '#common/logger';

type EventMap = Record<string, unknown[]>;

export class SafeEmitter<E extends EventMap> extends EventEmitter<{ [K in keyof E]: E[K] }> {
  constructor(protected readonly emitterLogger?: Logger) {
    super();
  }

  safeEmit<K extends keyof E & string>(event: K, ...args: E[K]): boolean {
    try {
      // EventEmitter's typing over a generic map cannot be narrowed further here.
      return (this.emit as (e: string, ...a: unknown[]) => boolean)(event, ...args);
    } catch (err) {
      this.emitterLogger?.error({ err, event }, 'event listener threw');
      return true;
    }
  }
}
