// Narrowing helpers for route handlers.
import type { CustomerPrincipal, Principal, StaffPrincipal } from '../auth/tokens.ts';
import { authError } from '../errors.ts';

export function staffOf(p: Principal | undefined): StaffPrincipal {
  if (p?.kind !== 'staff') throw authError('wrong_token_type', 'a staff token is required');
  return p;
}

export function callPrincipalOf(p: Principal | undefined): StaffPrincipal | CustomerPrincipal {
  if (p?.kind !== 'staff' && p?.kind !== 'customer')
    throw authError('wrong_token_type', 'a staff or customer token is required');
  return p;
}
