// Wire constants of the protocol, repeated here so the browser bundle does not
// pull in the protocol modules' zod schemas (≈90 kB) just for a few strings.
// wire.test.ts checks they match protocol/src.
export const API_PREFIX = '/api/v1';
export const CLIENT_NAMESPACE = '/client';
export const SFU_NAMESPACE = '/sfu';
export const SFU_REQUEST_EVENT = 'sfu:request';
export const SFU_NOTIFY_EVENT = 'sfu:notify';
