import { describe, expect, test } from 'vitest';
import { compileFacesPresent, rolesCovered } from '../../../edge-node/src/compliance/checks/frame-checks.ts';
import type { CallState, FrameObservation } from '../../../edge-node/src/compliance/engine/call-state.ts';
import { FacesPresentCheck } from '../../../edge-node/src/compliance/pack/schema.ts';

const roles = ['manager', 'customer'];

describe('rolesCovered (one sampled instant)', () => {
  test('each role’s own camera must show a face', () => {
    expect(
      rolesCovered(
        [
          { atMs: 0, camera: 'manager', faces: 1 },
          { atMs: 0, camera: 'customer', faces: 1 },
        ],
        roles,
      ),
    ).toBe(true);
    expect(
      rolesCovered(
        [
          { atMs: 0, camera: 'manager', faces: 1 },
          { atMs: 0, camera: 'customer', faces: 0 },
        ],
        roles,
      ),
    ).toBe(false);
  });

  test('a shared camera, or a second face on a role camera, covers a role without a camera', () => {
    expect(rolesCovered([{ atMs: 0, camera: 'main', faces: 2 }], roles)).toBe(true);
    expect(rolesCovered([{ atMs: 0, camera: 'customer', faces: 2 }], roles)).toBe(true);
    expect(rolesCovered([{ atMs: 0, camera: 'customer', faces: 1 }], roles)).toBe(false);
  });

  test('the remote expert’s face does not stand in for the manager', () => {
    expect(
      rolesCovered(
        [
          { atMs: 0, camera: 'customer', faces: 1 },
          { atMs: 0, camera: 'expert', faces: 1 },
        ],
        roles,
      ),
    ).toBe(false);
    expect(
      rolesCovered(
        [
          { atMs: 0, camera: 'customer', faces: 1 },
          { atMs: 0, camera: 'manager', faces: 1 },
          { atMs: 0, camera: 'expert', faces: 0 },
        ],
        roles,
      ),
    ).toBe(true);
  });
});

describe('faces-present over a call', () => {
  const check = compileFacesPresent(
    FacesPresentCheck.parse({
      id: 'faces-present',
      title: 'Faces',
      severity: 'major',
      kind: 'faces-present',
      roles,
    }),
  );
  const finalOutcome = (frames: FrameObservation[]) =>
    check({ frames } as unknown as CallState, new Map(), true);
  /** Both faces at every 2 s instant of 20 s, but for the instants listed. */
  const call = (customerGone: number[], customerUnsampled: number[]) => {
    const frames: FrameObservation[] = [];
    for (let t = 0; t < 20_000; t += 2000) {
      frames.push({ atMs: t + 100, camera: 'manager', faces: 1 });
      if (customerUnsampled.includes(t)) frames.push({ atMs: t, camera: 'customer', unsampled: true });
      else if (!customerGone.includes(t)) frames.push({ atMs: t + 150, camera: 'customer', faces: 1 });
    }
    return frames;
  };

  test('an instant whose camera the edge was too busy to sample is not counted; one where the camera sent nothing is a missing face', () => {
    expect(finalOutcome(call([], [4000, 12_000])).reason).toMatch(/visible in 8 of 8 sampled instants/);
    expect(finalOutcome(call([], [4000, 12_000])).status).toBe('pass');
    // The same two instants without the busy marker: the customer's camera showed nothing.
    expect(finalOutcome(call([4000, 12_000], [])).reason).toMatch(/visible in 8 of 10 sampled instants/);
    expect(finalOutcome(call([4000, 12_000], [])).status).toBe('fail');
  });

  test('a busy marker does not hide a sample that was analysed in the same instant', () => {
    const frames = call([], []);
    frames.push({ atMs: 4000, camera: 'customer', unsampled: true }); // the instant still has its analysed frame
    expect(finalOutcome(frames).reason).toMatch(/visible in 10 of 10 sampled instants/);
  });

  test('no instant with every camera sampled: not-applicable, not a 0 % (or NaN %) failure', () => {
    const all = [0, 2000, 4000, 6000, 8000, 10_000, 12_000, 14_000, 16_000, 18_000];
    const outcome = finalOutcome(call([], all));
    expect(outcome.status).toBe('not-applicable');
    expect(outcome.reason).toMatch(/No instant had every camera sampled/);
  });
});
