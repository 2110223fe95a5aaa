import { createClient } from 'redis';
import { expect, inject, test } from 'vitest';

test('the harness redis-server answers PING and keeps an append-only file', async () => {
  const client = createClient({ url: inject('redisUrl') });
  await client.connect();
  try {
    expect(await client.ping()).toBe('PONG');
    expect(await client.configGet('appendonly')).toEqual({ appendonly: 'yes' });
  } finally {
    await client.close();
  }
});
