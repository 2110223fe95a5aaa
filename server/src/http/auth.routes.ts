// Login, token refresh, logout, who-am-I, and staff account management.
import { z } from 'zod';
import { CreateStaffRequest, LoginRequest, LoginResponse, RefreshRequest, StaffProfile } from '#protocol/api';
import { AppError } from '#protocol/errors';
import { toProfile } from '../auth/staff-store.ts';
import type { Services } from '../services.ts';
import type { ApiRouter } from './api-router.ts';
import { staffOf } from './principals.ts';

export function authRoutes(api: ApiRouter, s: Services): void {
  api.add({
    method: 'post',
    path: '/auth/login',
    tag: 'auth',
    summary:
      'Staff login: returns a short-lived access JWT (role, branch, permissions) and a single-use refresh token. Rate-limited per username and per IP.',
    auth: 'public',
    body: LoginRequest,
    response: LoginResponse,
    handler: async ({ body, req }) => {
      const { loginMax, windowS } = s.config.rate;
      await s.rate.hit(`login:user:${body.username.toLowerCase()}`, loginMax, windowS);
      await s.rate.hit(`login:ip:${req.ip}`, loginMax * 5, windowS);
      const res = await s.sessions.login(body.username, body.password);
      s.logger.info({ userId: res.user.id, role: res.user.role }, 'staff login');
      return res;
    },
  });
  api.add({
    method: 'post',
    path: '/auth/refresh',
    tag: 'auth',
    summary: 'Swap a refresh token (single use) for a new token pair.',
    auth: 'public',
    body: RefreshRequest,
    response: LoginResponse,
    handler: async ({ body }) => s.sessions.refresh(body.refreshToken),
  });
  api.add({
    method: 'post',
    path: '/auth/logout',
    tag: 'auth',
    summary: 'Revoke a refresh token.',
    auth: 'public',
    body: RefreshRequest,
    response: z.object({ ok: z.literal(true) }),
    handler: async ({ body }) => {
      await s.sessions.logout(body.refreshToken);
      return { ok: true as const };
    },
  });
  api.add({
    method: 'get',
    path: '/auth/me',
    tag: 'auth',
    summary: 'The signed-in staff member.',
    auth: { kinds: ['staff'] },
    response: StaffProfile,
    handler: async ({ principal }) => {
      const record = await s.staff.get(staffOf(principal).userId);
      if (!record) throw new AppError('not_found', 'account no longer exists');
      return toProfile(record);
    },
  });
  api.add({
    method: 'post',
    path: '/staff',
    tag: 'staff',
    summary: 'Create a staff account (ops).',
    auth: { kinds: ['staff'], permission: 'staff:manage' },
    body: CreateStaffRequest,
    response: StaffProfile,
    status: 201,
    handler: async ({ body }) => s.staff.create(body),
  });
  api.add({
    method: 'get',
    path: '/staff',
    tag: 'staff',
    summary: 'List staff accounts (ops).',
    auth: { kinds: ['staff'], permission: 'staff:manage' },
    response: z.array(StaffProfile),
    handler: async () => s.staff.list(),
  });
}
