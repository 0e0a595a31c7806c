// How other node modules reach the licensing mirror of a running node: the license gate and the combined
// data-access decision. Set by the licensing capability once its mirror is loaded.
import { OdmError } from '../core/errors.ts';
import { getAccessCheck } from '../consent/access-check.ts';
import type { NodeServices } from '../node/start-node.ts';
import { createDataAccessGate, type DataAccessDecision, type DataAccessGate, type DataAccessRequest } from './data-access.ts';
import type { LicenseGate } from './license-gate.ts';
import type { LicensingMirror } from './licensing-mirror.ts';

interface Entry {
  mirror: LicensingMirror;
  dataAccess: DataAccessGate;
}

const entries = new WeakMap<NodeServices, Entry>();

export function setLicensingMirror(services: NodeServices, mirror: LicensingMirror | undefined): void {
  if (!mirror) {
    entries.delete(services);
    return;
  }
  // The consent check is looked up per call: the identity capability may register it after us.
  const dataAccess = createDataAccessGate({ gate: mirror.gate, index: mirror.index, access: () => getAccessCheck(services) });
  entries.set(services, { mirror, dataAccess });
}

function entry(services: NodeServices): Entry {
  const found = entries.get(services);
  if (!found) throw new OdmError('ODM_ERR_UNAVAILABLE', 'the licensing mirror is not running on this node');
  return found;
}

/** The node's licensing mirror; ODM_ERR_UNAVAILABLE (503) if the licensing capability is not running. */
export function getLicensingMirror(services: NodeServices): LicensingMirror {
  return entry(services).mirror;
}

export function getLicenseGate(services: NodeServices): LicenseGate {
  return entry(services).mirror.gate;
}

/** License gate, then consent; see DataAccessGate. Fails closed (503) while either mirror is down. */
export function authorizeDataAccess(services: NodeServices, request: DataAccessRequest): DataAccessDecision {
  return entry(services).dataAccess.authorizeDataAccess(request);
}
