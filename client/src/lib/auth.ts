// The staff session: access + refresh tokens kept in sessionStorage (one per
// tab, gone with it), refreshed a minute before expiry. Refresh tokens are
// single-use, so one refresh runs at a time.
import type { LoginResponse, StaffProfile } from '#protocol/api';
import { ApiError, apiFetch, type ApiOptions } from './api.ts';
import { Emitter } from './Emitter.ts';

export interface Session {
  accessToken: string;
  refreshToken: string;
  /** Epoch ms. */
  expiresAt: number;
  user: StaffProfile;
}

const KEY = 'branchedge.session';

class AuthStore extends Emitter<{ change: [Session | null] }> {
  #session: Session | null = null;
  #refreshing?: Promise<Session | null>;
  #timer?: ReturnType<typeof setTimeout>;

  constructor() {
    super();
    try {
      const raw = sessionStorage.getItem(KEY);
      if (raw) this.#set(JSON.parse(raw) as Session);
    } catch {
      sessionStorage.removeItem(KEY);
    }
  }

  get session(): Session | null {
    return this.#session;
  }

  async login(username: string, password: string): Promise<Session> {
    const res = await apiFetch<LoginResponse>('/auth/login', { body: { username, password } });
    const session = {
      accessToken: res.accessToken,
      refreshToken: res.refreshToken,
      expiresAt: Date.now() + res.expiresInS * 1000,
      user: res.user,
    };
    this.#set(session);
    return session;
  }

  async logout(): Promise<void> {
    const s = this.#session;
    this.#set(null);
    if (s)
      await apiFetch('/auth/logout', { body: { refreshToken: s.refreshToken }, token: s.accessToken }).catch(
        () => undefined,
      );
  }

  /** A valid access token, refreshed first when it is about to expire. */
  async token(): Promise<string> {
    const s = this.#session;
    if (!s) throw new ApiError(401, 'unauthenticated', 'not logged in');
    if (s.expiresAt - Date.now() > 30_000) return s.accessToken;
    const next = await this.refresh();
    if (!next) throw new ApiError(401, 'unauthenticated', 'session expired');
    return next.accessToken;
  }

  refresh(): Promise<Session | null> {
    this.#refreshing ??= (async () => {
      const s = this.#session;
      if (!s) return null;
      try {
        const res = await apiFetch<Omit<LoginResponse, 'user'>>('/auth/refresh', {
          body: { refreshToken: s.refreshToken },
        });
        const next = {
          ...s,
          accessToken: res.accessToken,
          refreshToken: res.refreshToken,
          expiresAt: Date.now() + res.expiresInS * 1000,
        };
        this.#set(next);
        return next;
      } catch (err) {
        if (err instanceof ApiError && err.status === 401) this.#set(null);
        return null;
      } finally {
        this.#refreshing = undefined;
      }
    })();
    return this.#refreshing;
  }

  #set(session: Session | null): void {
    this.#session = session;
    clearTimeout(this.#timer);
    if (session) {
      sessionStorage.setItem(KEY, JSON.stringify(session));
      this.#timer = setTimeout(
        () => void this.refresh(),
        Math.max(5_000, session.expiresAt - Date.now() - 60_000),
      );
    } else sessionStorage.removeItem(KEY);
    this.emit('change', session);
  }
}

export const auth = new AuthStore();

/** REST call as the logged-in staff member; one retry after a refresh if the token was refused. */
export async function authedFetch<T>(path: string, o: Omit<ApiOptions, 'token'> = {}): Promise<T> {
  try {
    return await apiFetch<T>(path, { ...o, token: await auth.token() });
  } catch (err) {
    if (!(err instanceof ApiError) || err.status !== 401 || !(await auth.refresh())) throw err;
    return apiFetch<T>(path, { ...o, token: await auth.token() });
  }
}
