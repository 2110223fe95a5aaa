import { describe, expect, test } from 'vitest';
import { isVisible, mayPublish, maySee, maySend, sourceMatchesKind } from './permissions.ts';

describe('role permissions', () => {
  test('customers publish camera and microphone, not screen', () => {
    expect(mayPublish('customer', 'mic')).toBe(true);
    expect(mayPublish('customer', 'camera')).toBe(true);
    expect(mayPublish('customer', 'screen')).toBe(false);
  });

  test('staff may share their screen; observers publish nothing', () => {
    expect(mayPublish('manager', 'screen')).toBe(true);
    expect(mayPublish('expert', 'screen')).toBe(true);
    for (const s of ['mic', 'camera', 'screen'] as const) expect(mayPublish('observer', s)).toBe(false);
  });

  test('annotations come from staff only; everyone but observers may chat', () => {
    expect(maySend('expert', 'annotations')).toBe(true);
    expect(maySend('customer', 'annotations')).toBe(false);
    expect(maySend('customer', 'chat')).toBe(true);
    expect(maySend('observer', 'chat')).toBe(false);
  });

  test('observers see everyone and are seen by no one', () => {
    expect(isVisible('observer')).toBe(false);
    expect(maySee('observer', 'customer')).toBe(true);
    expect(maySee('customer', 'observer')).toBe(false);
  });

  test('a source carries the matching track kind', () => {
    expect(sourceMatchesKind('mic', 'audio')).toBe(true);
    expect(sourceMatchesKind('mic', 'video')).toBe(false);
    expect(sourceMatchesKind('screen', 'video')).toBe(true);
  });
});
