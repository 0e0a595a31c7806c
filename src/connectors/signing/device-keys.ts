// The synthetic devices' signing keys. One node seed (64 random bytes) is stored sealed under the KEK;
// each connection's key is derived from it by BIP-32 hardened derivation along a path chosen for this
// (owner, OEM, OEM vehicle, generation):
//
//   m / 1397' / oem' / h1' / h2' / generation'      h1, h2 = two 31-bit halves of
//                                                   sha256("opendimo-device" ‖ owner ‖ oem ‖ oem vehicle id)
//
// Only the path and the address are stored. Private keys never leave this module: callers ask it to sign
// (EIP-712 typed data for the on-chain mint, DIMO's data signature for status events). A reconnection
// after a disconnect takes the next generation, because a device address, once registered on chain,
// can never be used again.
import { createHash, randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { getAddress, type Address, type Hex, type TypedDataDefinition } from 'viem';
import { HDKey, privateKeyToAccount } from 'viem/accounts';
import type { Clock } from '../../core/clock.ts';
import { OdmError } from '../../core/errors.ts';
import type { Store } from '../../store/store.ts';
import { createKeccak } from '../../ingest/verify/keccak-wasm.ts';
import type { ConnectorSealing } from '../tokens/sealing.ts';

interface NativeSecp256k1 {
  ecdsaSign(msg32: Uint8Array, privateKey: Uint8Array): { signature: Uint8Array; recid: number };
  publicKeyCreate(privateKey: Uint8Array, compressed: boolean): Uint8Array;
}
const secp256k1: NativeSecp256k1 = createRequire(import.meta.url)('secp256k1/bindings');

const SEED_NAME = 'device-hd-seed';
const PURPOSE = 1397;
export const OEM_INDEX = { tesla: 1, smartcar: 2 } as const;
const HARDENED = 0x8000_0000;

export class DeviceKeys {
  readonly #root: HDKey;
  /** path → private key (bounded only by the number of connections this node runs). */
  readonly #keys = new Map<string, Uint8Array>();
  readonly #addresses = new Map<string, Address>();
  readonly #keccak = createKeccak();

  private constructor(seed: Uint8Array) {
    this.#root = HDKey.fromMasterSeed(seed).derive(`m/${PURPOSE}'`);
  }

  /** Loads the sealed seed, creating it on first use. */
  static async open(store: Store, sealing: ConnectorSealing, clock: Clock): Promise<DeviceKeys> {
    const db = store.db;
    let row = await db.selectFrom('connector_secrets').select('sealed').where('name', '=', SEED_NAME).executeTakeFirst();
    if (!row) {
      const seed = randomBytes(64);
      await db.insertInto('connector_secrets').values({ name: SEED_NAME, sealed: sealing.sealSecret(SEED_NAME, seed), created_at: clock.now() }).onConflict((oc) => oc.column('name').doNothing()).execute();
      seed.fill(0);
      row = await db.selectFrom('connector_secrets').select('sealed').where('name', '=', SEED_NAME).executeTakeFirstOrThrow();
    }
    let seed: Buffer;
    try {
      seed = sealing.openSecret(SEED_NAME, row.sealed);
    } catch (cause) {
      throw new OdmError('ODM_ERR_VAULT_KEYRING', "the connectors' device seed does not open with this node's key-encryption key", { cause });
    }
    const keys = new DeviceKeys(seed);
    seed.fill(0);
    return keys;
  }

  /** The derivation path for a connection (see the file comment). */
  static pathFor(owner: string, oem: keyof typeof OEM_INDEX, oemVehicleId: string, generation: number): string {
    const h = createHash('sha256').update(`opendimo-device\0${owner.toLowerCase()}\0${oem}\0${oemVehicleId}`).digest();
    const h1 = h.readUInt32BE(0) & 0x7fff_ffff;
    const h2 = h.readUInt32BE(4) & 0x7fff_ffff;
    return `m/${PURPOSE}'/${OEM_INDEX[oem]}'/${h1}'/${h2}'/${generation}'`;
  }

  #key(path: string): Uint8Array {
    let key = this.#keys.get(path);
    if (key) return key;
    const m = /^m\/1397'\/(\d+)'\/(\d+)'\/(\d+)'\/(\d+)'$/.exec(path);
    if (!m) throw new OdmError('ODM_ERR_INTERNAL', `not a device key path: ${path}`);
    let node = this.#root;
    for (const part of m.slice(1)) node = node.deriveChild(HARDENED + Number(part));
    if (!node.privateKey) throw new OdmError('ODM_ERR_INTERNAL', 'derived key has no private part');
    key = Uint8Array.from(node.privateKey);
    this.#keys.set(path, key);
    return key;
  }

  /** The device's signing address (checksummed). */
  address(path: string): Address {
    let a = this.#addresses.get(path);
    if (a) return a;
    const pub = secp256k1.publicKeyCreate(this.#key(path), false);
    a = getAddress('0x' + this.#keccak.hash(Buffer.from(pub.subarray(1))).subarray(12).toString('hex'));
    this.#addresses.set(path, a);
    return a;
  }

  /** EIP-712 signature by the device key (the SyntheticDevice mint). */
  signTypedData(path: string, typed: TypedDataDefinition): Promise<Hex> {
    const account = privateKeyToAccount(('0x' + Buffer.from(this.#key(path)).toString('hex')) as Hex);
    return account.signTypedData(typed as Parameters<typeof account.signTypedData>[0]);
  }

  /** DIMO's data signature: 0x ‖ r ‖ s ‖ v (27/28) over keccak256 of the exact `data` bytes. */
  signData(path: string, data: Buffer): string {
    const s = secp256k1.ecdsaSign(this.#keccak.hash(data), this.#key(path));
    return '0x' + Buffer.from(s.signature).toString('hex') + (27 + s.recid).toString(16);
  }

  /** Drops a key from memory (after its connection is disconnected). */
  forget(path: string): void {
    this.#keys.get(path)?.fill(0);
    this.#keys.delete(path);
  }
}
