import { describe, expect, test } from 'vitest';
import { rolesCovered } from '../../../edge-node/src/compliance/checks/frame-checks.ts';

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
