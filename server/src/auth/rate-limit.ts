// Fixed-window rate limiter in Redis, so the limit holds across all instances
// behind the load balancer (an attacker can't multiply it by hitting N instances).
import { AppError } from '#protocol/errors';
import type { RedisClient } from '../redis/client.ts';
import type { Keys } from '../redis/keys.ts';

export class RateLimiter {
  constructor(
    private readonly redis: RedisClient,
    private readonly keys: Keys,
  ) {}

  /** Counts one hit for `bucket`; throws `rate_limited` (with retryAfterS) past `max` per `windowS`. */
  async hit(bucket: string, max: number, windowS: number): Promise<void> {
    const now = Date.now();
    const window = Math.floor(now / (windowS * 1000));
    const key = this.keys.rate(bucket, window);
    const [count] = (await this.redis
      .multi()
      .incr(key)
      .expire(key, windowS + 1)
      .exec()) as unknown as [number, number];
    if (count > max) {
      const retryAfterS = Math.max(1, Math.ceil(((window + 1) * windowS * 1000 - now) / 1000));
      throw new AppError('rate_limited', `too many attempts, retry in ${retryAfterS} s`, { retryAfterS });
    }
  }
}
