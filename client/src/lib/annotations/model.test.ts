import { describe, expect, test } from 'vitest';
import {
  EMPTY,
  parseMessage,
  reduce,
  simplify,
  visibleOn,
  type Annotation,
  type AnnotationMessage,
} from './model.ts';

const cam = { peerId: 'p-mgr', source: 'camera' as const };
const arrow: Annotation = {
  id: 'a1',
  target: cam,
  shape: { kind: 'arrow', from: { x: 0.1, y: 0.2 }, to: { x: 0.5, y: 0.5 } },
  color: '#ff3b30',
  author: 'Eli',
  at: 1,
};

describe('parseMessage', () => {
  test('accepts each shape', () => {
    const shapes = [
      arrow.shape,
      { kind: 'circle', center: { x: 0.5, y: 0.5 }, edge: { x: 0.6, y: 0.5 } },
      {
        kind: 'freehand',
        points: [
          { x: 0, y: 0 },
          { x: 1, y: 1 },
        ],
      },
      { kind: 'text', at: { x: 0.3, y: 0.3 }, text: '签名处 sign here' },
    ];
    for (const shape of shapes)
      expect(parseMessage({ type: 'add', annotation: { ...arrow, shape } })).toEqual({
        type: 'add',
        annotation: { ...arrow, shape },
      });
  });

  test('rejects malformed or hostile messages', () => {
    const bad: unknown[] = [
      null,
      'x',
      { type: 'add' },
      { type: 'add', annotation: { ...arrow, color: 'red; background:url(x)' } },
      { type: 'add', annotation: { ...arrow, target: { peerId: 'p', source: 'mic' } } },
      {
        type: 'add',
        annotation: { ...arrow, shape: { kind: 'arrow', from: { x: NaN, y: 0 }, to: { x: 0, y: 0 } } },
      },
      { type: 'add', annotation: { ...arrow, shape: { kind: 'freehand', points: [{ x: 0, y: 0 }] } } },
      {
        type: 'add',
        annotation: { ...arrow, shape: { kind: 'text', at: { x: 0, y: 0 }, text: 'x'.repeat(500) } },
      },
      { type: 'freeze', target: cam, frame: { frameId: 'f', image: 'javascript:alert(1)' } },
      { type: 'nope' },
    ];
    for (const b of bad) expect(parseMessage(b)).toBeNull();
  });

  test('clamps points into the frame', () => {
    const msg = parseMessage({
      type: 'add',
      annotation: { ...arrow, shape: { kind: 'arrow', from: { x: -1, y: 2 }, to: { x: 0.5, y: 0.5 } } },
    });
    expect(msg?.type === 'add' && msg.annotation.shape.kind === 'arrow' && msg.annotation.shape.from).toEqual(
      { x: 0, y: 1 },
    );
  });
});

describe('reduce', () => {
  test('add is idempotent, remove and clear work per target', () => {
    const other = { ...arrow, id: 'a2', target: { peerId: 'p-cust', source: 'camera' as const } };
    let s = reduce(EMPTY, { type: 'add', annotation: arrow });
    s = reduce(s, { type: 'add', annotation: arrow });
    s = reduce(s, { type: 'add', annotation: other });
    expect(s.items).toHaveLength(2);
    expect(reduce(s, { type: 'remove', id: 'a1' }).items.map((a) => a.id)).toEqual(['a2']);
    expect(reduce(s, { type: 'clear', target: cam }).items.map((a) => a.id)).toEqual(['a2']);
  });

  test('marks on a frozen frame show only while it is frozen and go with it', () => {
    const frame = { frameId: 'f1', image: 'data:image/jpeg;base64,AAAA' };
    const msgs: AnnotationMessage[] = [
      { type: 'add', annotation: arrow },
      { type: 'freeze', target: cam, frame },
      { type: 'add', annotation: { ...arrow, id: 'a3', frameId: 'f1' } },
    ];
    const s = msgs.reduce(reduce, EMPTY);
    expect(visibleOn(s, cam).map((a) => a.id)).toEqual(['a3']);
    const after = reduce(s, { type: 'unfreeze', target: cam });
    expect(after.frozen).toEqual({});
    expect(visibleOn(after, cam).map((a) => a.id)).toEqual(['a1']);
  });
});

test('simplify keeps the ends and drops jitter', () => {
  const pts = [
    { x: 0, y: 0 },
    { x: 0.001, y: 0 },
    { x: 0.002, y: 0 },
    { x: 0.1, y: 0 },
    { x: 0.1005, y: 0 },
  ];
  expect(simplify(pts)).toEqual([
    { x: 0, y: 0 },
    { x: 0.1, y: 0 },
    { x: 0.1005, y: 0 },
  ]);
});

test('sync adds the marks a receiver missed, once, in drawing order', () => {
  const later = { ...arrow, id: 'a9', at: 5 };
  const s = reduce(reduce(EMPTY, { type: 'add', annotation: later }), {
    type: 'sync',
    items: [arrow, later],
  });
  expect(s.items.map((a) => a.id)).toEqual(['a1', 'a9']);
  expect(parseMessage({ type: 'sync', items: [arrow, { bad: true }] })).toBeNull();
  expect(parseMessage({ type: 'sync', items: [arrow] })).toEqual({ type: 'sync', items: [arrow] });
});
