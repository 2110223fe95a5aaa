import { expect, test } from 'vitest';
import * as api from '#protocol/api';
import * as control from '#protocol/control';
import * as signaling from '#protocol/signaling';
import * as wire from './wire.ts';

test('the client’s wire constants are the protocol’s', () => {
  expect(wire.API_PREFIX).toBe(api.API_PREFIX);
  expect(wire.CLIENT_NAMESPACE).toBe(control.CLIENT_NAMESPACE);
  expect(wire.SFU_NAMESPACE).toBe(signaling.SFU_NAMESPACE);
  expect(wire.SFU_REQUEST_EVENT).toBe(signaling.SFU_REQUEST_EVENT);
  expect(wire.SFU_NOTIFY_EVENT).toBe(signaling.SFU_NOTIFY_EVENT);
});
