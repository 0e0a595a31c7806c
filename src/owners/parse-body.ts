// Validation at the boundary for the dashboard's routes: a zod schema or ODM_ERR_VALIDATION with the issues.
import type { z } from 'zod';
import { OdmError } from '../core/errors.ts';

export function parseBody<T extends z.ZodType>(schema: T, body: unknown, what = 'the request body'): z.infer<T> {
  const parsed = schema.safeParse(body);
  if (!parsed.success) {
    throw new OdmError('ODM_ERR_VALIDATION', `${what} is not valid`, {
      details: { issues: parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })) },
    });
  }
  return parsed.data;
}

const TOKEN_ID = /^(0|[1-9][0-9]{0,77})$/;

/** A decimal token id from route params; ODM_ERR_VALIDATION otherwise. */
export function tokenIdParam(params: unknown, name = 'tokenId'): bigint {
  const raw = (params as Record<string, string | undefined>)[name] ?? '';
  if (!TOKEN_ID.test(raw)) throw new OdmError('ODM_ERR_VALIDATION', `${name} must be a decimal token id`);
  return BigInt(raw);
}
