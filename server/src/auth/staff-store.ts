// Staff accounts in Redis: one hash per account plus an index set.
import { CreateStaffRequest, StaffProfile } from '#protocol/api';
import { AppError, validate } from '#protocol/errors';
import type { StaffRole } from '#protocol/roles';
import type { RedisClient } from '../redis/client.ts';
import type { Keys } from '../redis/keys.ts';
import { hashPassword } from './passwords.ts';
import { permissionsFor } from './permissions.ts';

export interface StaffRecord {
  id: string;
  displayName: string;
  role: StaffRole;
  branchId: string | undefined;
  skills: string[];
  languages: string[];
  maxConcurrentCalls: number;
  passwordHash: string;
  disabled: boolean;
}

export function toProfile(r: StaffRecord): StaffProfile {
  return {
    id: r.id,
    displayName: r.displayName,
    role: r.role,
    ...(r.branchId ? { branchId: r.branchId } : {}),
    skills: r.skills,
    languages: r.languages,
    maxConcurrentCalls: r.maxConcurrentCalls,
    permissions: permissionsFor(r.role),
  };
}

export class StaffStore {
  constructor(
    private readonly redis: RedisClient,
    private readonly keys: Keys,
  ) {}

  /** Creates or (with `upsert`) replaces an account; usernames are case-insensitive. */
  async create(input: CreateStaffRequest, opts: { upsert?: boolean } = {}): Promise<StaffProfile> {
    const req = validate(CreateStaffRequest, input, 'staff account');
    if (req.role === 'manager' && !req.branchId) {
      throw new AppError('bad_request', 'a manager needs a branchId');
    }
    const id = req.username.toLowerCase();
    const record: Record<string, string> = {
      id,
      displayName: req.displayName,
      role: req.role,
      branchId: req.branchId ?? '',
      skills: JSON.stringify(req.skills.map((s) => s.toLowerCase())),
      languages: JSON.stringify(req.languages.map((s) => s.toLowerCase())),
      maxConcurrentCalls: String(req.maxConcurrentCalls),
      passwordHash: await hashPassword(req.password),
      disabled: '0',
    };
    const key = this.keys.staff(id);
    if (!opts.upsert) {
      const created = await this.redis.hSetNX(key, 'id', id);
      if (!created) throw new AppError('conflict', `staff account ${id} already exists`);
    }
    await this.redis.multi().hSet(key, record).sAdd(this.keys.staffIndex(), id).exec();
    return toProfile(parse(record));
  }

  async get(id: string): Promise<StaffRecord | undefined> {
    const h = await this.redis.hGetAll(this.keys.staff(id.toLowerCase()));
    return h.id ? parse(h) : undefined;
  }

  async list(): Promise<StaffProfile[]> {
    const ids = (await this.redis.sMembers(this.keys.staffIndex())).sort();
    const records = await Promise.all(ids.map((id) => this.get(id)));
    return records.filter((r): r is StaffRecord => r !== undefined).map(toProfile);
  }

  async setDisabled(id: string, disabled: boolean): Promise<void> {
    if (!(await this.get(id))) throw new AppError('not_found', `no staff account ${id}`);
    await this.redis.hSet(this.keys.staff(id.toLowerCase()), 'disabled', disabled ? '1' : '0');
  }
}

function parse(h: Record<string, string>): StaffRecord {
  return {
    id: h.id ?? '',
    displayName: h.displayName ?? h.id ?? '',
    role: h.role as StaffRole,
    branchId: h.branchId || undefined,
    skills: JSON.parse(h.skills ?? '[]') as string[],
    languages: JSON.parse(h.languages ?? '[]') as string[],
    maxConcurrentCalls: Number(h.maxConcurrentCalls ?? 1),
    passwordHash: h.passwordHash ?? '',
    disabled: h.disabled === '1',
  };
}
