// Time-limited TURN credentials for coturn's `use-auth-secret` mode:
// username = "<expiry epoch s>:<participant>", credential = base64(HMAC-SHA1(secret, username)).
import { createHmac } from 'node:crypto';

export interface IceServer {
  urls: string[];
  username?: string;
  credential?: string;
}

export function iceServersFor(
  participantId: string,
  urls: string[],
  secret: string | undefined,
  ttlS: number,
  now = Date.now(),
): IceServer[] {
  if (urls.length === 0) return [];
  const turn = urls.filter((u) => u.startsWith('turn:') || u.startsWith('turns:'));
  const stun = urls.filter((u) => u.startsWith('stun:'));
  const out: IceServer[] = [];
  if (stun.length) out.push({ urls: stun });
  if (turn.length && secret) {
    const username = `${Math.floor(now / 1000) + ttlS}:${participantId}`;
    out.push({
      urls: turn,
      username,
      credential: createHmac('sha1', secret).update(username).digest('base64'),
    });
  }
  return out;
}
