// Where the routes and the owner's export and deletion find the node's glovebox.
import { OdmError } from '../core/errors.ts';
import type { NodeServices } from '../node/start-node.ts';
import type { Glovebox } from './glovebox.ts';

const running = new WeakMap<NodeServices, Glovebox>();

export function setGlovebox(services: NodeServices, glovebox: Glovebox | undefined): void {
  if (glovebox) running.set(services, glovebox);
  else running.delete(services);
}

export function getGlovebox(services: NodeServices): Glovebox {
  const found = running.get(services);
  if (!found) throw new OdmError('ODM_ERR_UNAVAILABLE', 'the glovebox is starting; try again in a moment', { retryable: true });
  return found;
}
