// Helpers for the `after` hooks of deploy steps: send a transaction to a deployed contract and wait
// until it is mined, failing with a clear error when it reverts.
import { BaseError, ContractFunctionRevertedError, isAddress, keccak256, toHex, zeroHash, type Abi, type Address, type Hex, type TransactionReceipt } from 'viem';
import { OdmError } from '../core/errors.ts';
import { getArtifact } from './artifacts.ts';
import type { DeployContext } from './deploy-types.ts';

export interface WriteCall {
  /** Deployed step name (key in ctx.contracts) or an address. */
  target: string;
  /** Artifact whose ABI to use; defaults to `target` (step and contract usually share a name). */
  artifact?: string;
  functionName: string;
  args?: readonly unknown[];
  value?: bigint;
}

/** Address of a deployed step, or the address itself. */
export function addressOf(ctx: Pick<DeployContext, 'contracts'>, target: string): Address {
  if (isAddress(target)) return target;
  const address = ctx.contracts[target];
  if (!address) {
    throw new OdmError('ODM_ERR_CONTRACT_NOT_DEPLOYED', `${target} is not deployed yet; deploy steps can only use earlier steps`, {
      details: { target, deployed: Object.keys(ctx.contracts) },
    });
  }
  return address;
}

export async function writeAndWait(ctx: DeployContext, call: WriteCall): Promise<TransactionReceipt> {
  const address = addressOf(ctx, call.target);
  const abi: Abi = getArtifact(ctx.artifacts, call.artifact ?? call.target).abi;
  const what = `${call.target}.${call.functionName}`;
  try {
    const hash = await ctx.walletClient.writeContract({
      address,
      abi,
      functionName: call.functionName,
      args: call.args ?? [],
      ...(call.value === undefined ? {} : { value: call.value }),
    } as Parameters<DeployContext['walletClient']['writeContract']>[0]);
    const receipt = await ctx.publicClient.waitForTransactionReceipt({ hash, timeout: 120_000 });
    if (receipt.status !== 'success') throw new Error(`transaction ${hash} reverted`);
    ctx.logger.debug({ call: what, tx: hash }, 'deploy transaction mined');
    return receipt;
  } catch (err) {
    if (err instanceof OdmError) throw err;
    throw new OdmError('ODM_ERR_CONTRACT_DEPLOY', `${what} failed: ${shortMessage(err)}`, { details: { call: what, address }, cause: err });
  }
}

/** OpenZeppelin AccessControl role id: keccak256 of the role's name, 0x00… for the default admin. */
export function roleId(role: string): Hex {
  return role === 'DEFAULT_ADMIN_ROLE' ? zeroHash : keccak256(toHex(role));
}

/** Grants `role` on `target` to `to` (an address or a deployed step name). */
export async function grantRole(ctx: DeployContext, opts: { target: string; artifact?: string; role: string; to: string }): Promise<TransactionReceipt> {
  return writeAndWait(ctx, {
    target: opts.target,
    ...(opts.artifact ? { artifact: opts.artifact } : {}),
    functionName: 'grantRole',
    args: [roleId(opts.role), addressOf(ctx, opts.to)],
  });
}

/** One line for a viem error: its summary plus the decoded revert reason, if the contract gave one. */
export function shortMessage(err: unknown): string {
  if (err instanceof BaseError) {
    const revert = err.walk((e) => e instanceof ContractFunctionRevertedError);
    if (revert instanceof ContractFunctionRevertedError) {
      const name = revert.data?.errorName;
      const reason = name ? `${name}(${(revert.data?.args ?? []).map(String).join(', ')})` : revert.reason;
      if (reason) return `${err.shortMessage} ${reason}`;
    }
    return err.shortMessage;
  }
  return err instanceof Error ? (err.message.split('\n')[0] ?? err.message) : String(err);
}
