// Control plane: faults, call log, billing.
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { OdmError } from '../../src/core/errors.ts';
import type { FaultSpec } from '../server/faults.ts';
import type { EmulatorState } from '../state.ts';
import { parse } from './parse.ts';

const faultSpec = z.object({
  status: z.number().int().optional(),
  retryAfterS: z.number().int().min(0).optional(),
  delayMs: z.number().int().min(0).max(120_000).optional(),
  reset: z.boolean().optional(),
  body: z.unknown().optional(),
  oem: z.enum(['tesla', 'smartcar']).optional(),
  api: z.enum(['auth', 'api']).optional(),
  vehicle: z.string().optional(),
  token: z.string().optional(),
  account: z.string().optional(),
  method: z.string().optional(),
  path: z.string().optional(),
  pathRegex: z.string().optional(),
  times: z.number().int().min(1).optional(),
  untilMs: z.number().optional(),
}).strict();

const callQuery = z.object({
  oem: z.enum(['tesla', 'smartcar']).optional(),
  vehicle: z.string().optional(),
  account: z.string().optional(),
  path: z.string().optional(),
  method: z.string().optional(),
  status: z.coerce.number().int().optional(),
  sinceSeq: z.coerce.number().int().optional(),
  sinceMs: z.coerce.number().optional(),
  limit: z.coerce.number().int().min(1).max(100_000).optional(),
});

export function registerControlObservability(app: FastifyInstance, state: EmulatorState): void {
  app.get('/_emulator/faults', async () => ({ faults: state.faults.list() }));
  app.post('/_emulator/faults', async (request, reply) => {
    const body = request.body;
    const specs = Array.isArray(body) ? body.map((b) => parse(faultSpec, b)) : [parse(faultSpec, body)];
    const added = specs.map((s) => state.faults.add(s as FaultSpec, state.now()));
    return reply.status(201).send(Array.isArray(body) ? { faults: added } : added[0]);
  });
  app.delete('/_emulator/faults', async () => {
    state.faults.clear();
    return { faults: [] };
  });
  app.delete('/_emulator/faults/:id', async (request) => {
    const id = (request.params as { id: string }).id;
    if (!state.faults.remove(id)) throw new OdmError('ODM_ERR_NOT_FOUND', `no fault ${id}`);
    return { removed: id };
  });

  app.get('/_emulator/calls', async (request) => {
    const q = parse(callQuery, request.query);
    let vehicle = q.vehicle;
    if (vehicle !== undefined) vehicle = state.fleet.vehicle(vehicle)?.key ?? vehicle;
    const calls = state.calls.list({ ...q, ...(vehicle !== undefined ? { vehicle } : {}) });
    return { total: state.calls.total, count: calls.length, calls };
  });
  app.delete('/_emulator/calls', async () => {
    state.calls.clear();
    return { calls: [] };
  });

  app.get('/_emulator/billing', async () => state.billing.report());
  app.delete('/_emulator/billing', async () => {
    state.billing.clear();
    return state.billing.report();
  });
}
