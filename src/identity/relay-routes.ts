// HTTP endpoints of the relayer: owners (or their apps) post an EIP-712-signed action and the node sends
// it on chain, paying the gas. Answers carry the transaction hash and whether the node's mirror already
// reflects it; refusals carry stable ODM_ERR_* codes (see relay-errors.ts).
import type { FastifyInstance } from 'fastify';
import { getAddress, type Address } from 'viem';
import { OdmError } from '../core/errors.ts';
import { EIP712_DOMAIN_NAMES, type SigningContract } from '../consent/eip712-types.ts';
import type { CapabilityContext } from '../node/capability.ts';
import { getIdentityRuntime, waitMirrored, type IdentityRuntime } from './identity-runtime.ts';
import type { RelayCall, Relayer } from './relayer.ts';
import {
  accountGrantBody,
  accountGrantCall,
  accountRevokeBody,
  accountRevokeCall,
  grantBody,
  grantCall,
  mintVehicleBody,
  mintVehicleCall,
  parseBody,
  revokeBody,
  revokeCall,
} from './relay-requests.ts';

function relayerOf(runtime: IdentityRuntime): Relayer {
  if (!runtime.relayer) {
    throw new OdmError('ODM_ERR_RELAYER_UNAVAILABLE', 'this node relays no actions: set OPENDIMO_RELAYER_KEY to a funded key');
  }
  return runtime.relayer;
}

async function submit(runtime: IdentityRuntime, call: RelayCall) {
  const result = await relayerOf(runtime).relay(call);
  const mirrored = await waitMirrored(runtime, result.blockNumber);
  return { result, body: { txHash: result.txHash, blockNumber: result.blockNumber.toString(), mirrored } };
}

export function relayRoutes(app: FastifyInstance, ctx: CapabilityContext): void {
  const runtime = () => getIdentityRuntime(ctx.services());
  const vehicleIdOf = (r: IdentityRuntime): Address => r.contracts.VehicleId!;

  app.post('/v1/relay/vehicles', async (request, reply) => {
    const body = parseBody(mintVehicleBody, request.body);
    const { result, body: out } = await submit(runtime(), mintVehicleCall(body));
    const minted = result.events.find((e) => e.eventName === 'VehicleMinted');
    return reply.status(201).send({ ...out, vehicleId: minted ? String(minted.args.vehicleId) : null });
  });

  app.post('/v1/relay/grants', async (request, reply) => {
    const r = runtime();
    const { body: out } = await submit(r, grantCall(parseBody(grantBody, request.body), vehicleIdOf(r)));
    return reply.status(201).send(out);
  });

  app.post('/v1/relay/revocations', async (request) => {
    const r = runtime();
    return (await submit(r, revokeCall(parseBody(revokeBody, request.body), vehicleIdOf(r)))).body;
  });

  app.post('/v1/relay/account-grants', async (request, reply) => {
    const { body: out } = await submit(runtime(), accountGrantCall(parseBody(accountGrantBody, request.body)));
    return reply.status(201).send(out);
  });

  app.post('/v1/relay/account-revocations', async (request) => {
    return (await submit(runtime(), accountRevokeCall(parseBody(accountRevokeBody, request.body)))).body;
  });

  // What a wallet needs to sign an action for this node: chain id, each contract's EIP-712 domain and the
  // signer's next nonce there.
  app.get<{ Params: { signer: string } }>('/v1/relay/signing/:signer', async (request) => {
    if (!/^0x[0-9a-fA-F]{40}$/.test(request.params.signer)) {
      throw new OdmError('ODM_ERR_VALIDATION', 'signer must be a 0x-prefixed 20-byte hex address');
    }
    const signer = getAddress(request.params.signer.toLowerCase());
    const services = ctx.services();
    const r = getIdentityRuntime(services);
    const contracts: Record<string, unknown> = {};
    for (const name of Object.keys(EIP712_DOMAIN_NAMES) as SigningContract[]) {
      const address = r.contracts[name];
      if (!address) continue;
      const nonce = await services.chain.clients.publicClient.readContract({
        address,
        abi: [{ type: 'function', name: 'nonces', stateMutability: 'view', inputs: [{ name: 'owner', type: 'address' }], outputs: [{ type: 'uint256' }] }],
        functionName: 'nonces',
        args: [signer],
      });
      contracts[name] = { domain: { name: EIP712_DOMAIN_NAMES[name], version: '1', chainId: r.chainId, verifyingContract: address }, nonce: nonce.toString() };
    }
    return { chainId: r.chainId, signer, relayer: r.relayer?.address ?? null, contracts };
  });
}
