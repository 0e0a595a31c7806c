// Where other modules (and the routes) find the running node's owner accounts.
import { OdmError } from '../../core/errors.ts';
import type { NodeServices } from '../../node/start-node.ts';
import type { OwnerAccounts } from './owner-accounts.ts';

const running = new WeakMap<NodeServices, OwnerAccounts>();

export function setOwnerAccounts(services: NodeServices, accounts: OwnerAccounts | undefined): void {
  if (accounts) running.set(services, accounts);
  else running.delete(services);
}

export function getOwnerAccounts(services: NodeServices): OwnerAccounts {
  const found = running.get(services);
  if (!found) throw new OdmError('ODM_ERR_UNAVAILABLE', 'owner accounts are starting; try again in a moment', { retryable: true });
  return found;
}
