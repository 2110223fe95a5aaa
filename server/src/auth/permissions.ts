// What each staff role may do. Routes and socket events check permissions, not roles,
// so a new role is one line here.
import type { Permission } from '#protocol/api';
import type { StaffRole } from '#protocol/roles';

export const ROLE_PERMISSIONS: Record<StaffRole, readonly Permission[]> = {
  manager: ['call:start', 'call:join', 'call:read', 'call:invite', 'dispatch:request', 'branch:read'],
  expert: ['call:join', 'call:read', 'dispatch:accept', 'presence:set', 'branch:read'],
  compliance: ['call:observe', 'call:read', 'events:read', 'branch:read'],
  ops: ['edge:manage', 'deploy:manage', 'staff:manage', 'call:read', 'events:read', 'branch:read'],
};

export function permissionsFor(role: StaffRole): Permission[] {
  return [...ROLE_PERMISSIONS[role]];
}
