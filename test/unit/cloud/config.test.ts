import { describe, expect, it } from 'vitest';
import { ConfigError } from '#common/config';
import { loadCloudConfig } from '../../../server/src/config.ts';
import { iceServersFor } from '../../../server/src/calls/turn.ts';
import { createHmac } from 'node:crypto';

const secret = { JWT_SECRET: 'x'.repeat(40) };

describe('loadCloudConfig', () => {
  it('has documented defaults', () => {
    const c = loadCloudConfig({ ...secret });
    expect(c).toMatchObject({
      port: 8080,
      redisUrl: 'redis://127.0.0.1:6390',
      redisPrefix: 'be:',
      accessTokenTtlS: 900,
      serveClient: true,
    });
  });

  it('refuses access tokens longer than 15 minutes and names every bad variable', () => {
    expect(() => loadCloudConfig({ ...secret, ACCESS_TOKEN_TTL_S: '3600', CLOUD_PORT: 'abc' })).toThrow(
      ConfigError,
    );
    try {
      loadCloudConfig({ ...secret, ACCESS_TOKEN_TTL_S: '3600', CLOUD_PORT: 'abc' });
    } catch (err) {
      expect((err as ConfigError).issues.join(' ')).toMatch(
        /ACCESS_TOKEN_TTL_S.*CLOUD_PORT|CLOUD_PORT.*ACCESS_TOKEN_TTL_S/,
      );
    }
  });

  it('requires a secret in production', () => {
    expect(() => loadCloudConfig({ NODE_ENV: 'production' })).toThrow(/JWT_SECRET/);
  });

  it('parses lists and flags', () => {
    const c = loadCloudConfig({
      ...secret,
      CORS_ORIGINS: 'http://a, http://b',
      SERVE_CLIENT: '0',
      TURN_URLS: 'turn:t:3478',
    });
    expect(c.corsOrigins).toEqual(['http://a', 'http://b']);
    expect(c.serveClient).toBe(false);
    expect(c.turn.urls).toEqual(['turn:t:3478']);
  });
});

describe('iceServersFor', () => {
  it('issues coturn use-auth-secret credentials that expire', () => {
    const [stun, turn] = iceServersFor(
      'p1',
      ['stun:s:3478', 'turn:t:3478?transport=udp'],
      'shh',
      600,
      1_000_000,
    );
    expect(stun).toEqual({ urls: ['stun:s:3478'] });
    expect(turn?.username).toBe(`${1000 + 600}:p1`);
    expect(turn?.credential).toBe(createHmac('sha1', 'shh').update(`${1600}:p1`).digest('base64'));
  });
  it('gives no TURN entry without a secret', () => {
    expect(iceServersFor('p1', ['turn:t:3478'], undefined, 600)).toEqual([]);
  });
});
