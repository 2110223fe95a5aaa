import { z } from 'zod';

/** Who a participant is in a call. `observer` is the compliance officer: receive-only, invisible. */
export const CallRole = z.enum(['customer', 'manager', 'expert', 'observer']);
export type CallRole = z.infer<typeof CallRole>;

/** Staff roles that log in to the cloud. Customers never have accounts: they hold an invite. */
export const StaffRole = z.enum(['manager', 'expert', 'compliance', 'ops']);
export type StaffRole = z.infer<typeof StaffRole>;
