// Validates control-plane input with zod, failing as ODM_ERR_VALIDATION with every issue listed.
import type { z } from 'zod';
import { OdmError } from '../../src/core/errors.ts';

export function parse<T>(schema: z.ZodType<T>, value: unknown): T {
  const result = schema.safeParse(value ?? {});
  if (!result.success) {
    throw new OdmError('ODM_ERR_VALIDATION', result.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; '), { details: { issues: result.error.issues } });
  }
  return result.data;
}
