// DIMO's permission names for privilege ids, as the token exchange and vehicle tokens carry them.
import { OdmError } from '../../core/errors.ts';
import { PRIVILEGE_IDS, type PrivilegeId } from '../../consent/privileges.ts';

export const PERMISSION_NAMES: Record<PrivilegeId, string> = {
  1: 'privilege:GetNonLocationHistory',
  2: 'privilege:ExecuteCommands',
  3: 'privilege:GetCurrentLocation',
  4: 'privilege:GetLocationHistory',
  5: 'privilege:GetVINCredential',
  6: 'privilege:GetLiveData',
  7: 'privilege:GetRawData',
  8: 'privilege:GetApproximateLocation',
};

const BY_NAME = new Map<string, PrivilegeId>(PRIVILEGE_IDS.map((id) => [PERMISSION_NAMES[id].toLowerCase(), id]));

/** A permission name (with or without the `privilege:` prefix, any case) as a privilege id. */
export function permissionToPrivilege(name: unknown): PrivilegeId {
  const text = typeof name === 'string' ? name.trim().toLowerCase() : '';
  const id = BY_NAME.get(text) ?? BY_NAME.get(`privilege:${text}`);
  if (id === undefined) {
    throw new OdmError('ODM_ERR_PRIVILEGE_UNKNOWN', `unknown permission ${JSON.stringify(String(name).slice(0, 80))}; known: ${PRIVILEGE_IDS.map((i) => PERMISSION_NAMES[i]).join(', ')}`, {
      details: { permission: String(name).slice(0, 80) },
    });
  }
  return id;
}

/** Privilege ids from a request: integers 1–8 (numbers or numeric strings), deduplicated and sorted. */
export function parsePrivilegeIds(value: unknown): PrivilegeId[] {
  if (!Array.isArray(value) || value.length === 0 || value.length > 64) {
    throw new OdmError('ODM_ERR_VALIDATION', 'privileges must be a non-empty array of privilege ids (1–8)');
  }
  const out = new Set<PrivilegeId>();
  for (const raw of value) {
    const n = typeof raw === 'string' && /^\d{1,4}$/.test(raw) ? Number(raw) : raw;
    if (typeof n !== 'number' || !Number.isInteger(n)) throw new OdmError('ODM_ERR_VALIDATION', 'privileges must be integers', { details: { privilege: String(raw).slice(0, 40) } });
    if (n < 1 || n > 8) {
      throw new OdmError('ODM_ERR_PRIVILEGE_UNKNOWN', `unknown privilege id ${n}; known ids are 1–8`, { details: { privilegeId: String(n) } });
    }
    out.add(n as PrivilegeId);
  }
  return [...out].sort((a, b) => a - b);
}
