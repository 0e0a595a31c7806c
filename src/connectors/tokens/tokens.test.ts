// OEM tokens over real HTTP against the emulator: proactive refresh at 75 % with rotation stored before
// use, single-flight across an account's vehicles, 401 → one refresh and one retry, dead refresh tokens.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { CallRecord } from '../../../emulator/index.ts';
import { control, smartcarConnect, startTestEmulator, teslaLogin, type TestEmulator } from '../../../emulator/testing.ts';
import type { AccountRow, VehicleRow } from '../store/connector-store.ts';
import { startConnectorHarness, type ConnectorHarness } from '../testing.ts';

let emu: TestEmulator;
before(async () => {
  emu = await startTestEmulator({ seed: 'connectors-tokens', fleet: { tesla: 10, smartcar: 6 } });
});
after(async () => {
  await emu.stop();
});

const HOUR = 3_600_000;

async function since(seq: number, filter = ''): Promise<CallRecord[]> {
  return (await control<{ calls: CallRecord[] }>(emu, 'GET', `/calls?sinceSeq=${seq}&limit=100000${filter}`)).calls;
}
async function lastSeq(): Promise<number> {
  return (await control<{ calls: CallRecord[] }>(emu, 'GET', '/calls?limit=1')).calls.at(-1)?.seq ?? 0;
}
const tokenCalls = (log: CallRecord[], oem: 'tesla' | 'smartcar') => log.filter((c) => c.method === 'POST' && c.path === (oem === 'tesla' ? '/oauth2/v3/token' : '/oauth/token'));

function teslaAccount(minVehicles = 1): string {
  const a = emu.state.fleet.accounts.find((x) => x.oem === 'tesla' && x.vehicleKeys.length >= minVehicles && !usedAccounts.has(x.id));
  assert.ok(a, `a Tesla account with ${minVehicles}+ vehicles`);
  usedAccounts.add(a.id);
  return a.id;
}
const usedAccounts = new Set<string>();

test('tokens are refreshed at 75 % of their lifetime, and the rotated refresh token is stored before the new access token is used', async () => {
  const h = await startConnectorHarness({ urls: emu.urls, clock: emu.base });
  try {
    const login = await teslaLogin(emu, teslaAccount());
    // Record the order of "stored" and "used" for every token.
    const order: string[] = [];
    const replace = h.connectors.replaceTokens.bind(h.connectors);
    h.connectors.replaceTokens = async (...args) => {
      const ok = await replace(...args);
      order.push(`stored v${args[2].version}`);
      return ok;
    };
    const state = h.tesla.vehicleState.bind(h.tesla);
    h.tesla.vehicleState = (token, ...rest) => {
      order.push(`used ${token}`);
      return state(token, ...rest);
    };
    const seq = await lastSeq();
    const { accountId } = await h.connectAccount('tesla', login);
    await h.advance(6 * HOUR - 60_000, 60_000);
    assert.equal(tokenCalls(await since(seq), 'tesla').length, 0, 'no refresh before 6 h (75 % of 8 h)');
    await h.advance(2 * 60_000, 60_000);
    assert.equal(tokenCalls(await since(seq), 'tesla').length, 1, 'one refresh at 6 h');

    const row = (await h.connectors.getAccount(accountId)) as AccountRow;
    assert.equal(row.token_version, 2);
    const stored = h.sealing.openTokens(h.sealing.unwrapAccountKey(accountId, row.token_key!), accountId, 2, row.tokens!);
    assert.notEqual(stored.accessToken, login.access_token);
    assert.notEqual(stored.refreshToken, login.refresh_token);
    // The emulator agrees: the first refresh token is spent, the stored one is live.
    const grants = (await control<{ grants: Array<{ refresh: Array<{ token: string; status: string }> }> }>(emu, 'GET', `/tokens?oem=tesla`)).grants;
    const refresh = grants.flatMap((g) => g.refresh);
    assert.equal(refresh.find((t) => t.token === login.refresh_token)?.status, 'used');
    assert.equal(refresh.find((t) => t.token === stored.refreshToken)?.status, 'active');
    // Stored before first used; the old access token never used after.
    const storedAt = order.indexOf('stored v2');
    const firstUse = order.indexOf(`used ${stored.accessToken}`);
    assert.ok(storedAt >= 0 && firstUse > storedAt, 'stored, then used');
    assert.equal(order.slice(storedAt).filter((o) => o === `used ${login.access_token}`).length, 0);

    await h.advance(6 * HOUR, 60_000);
    assert.equal(tokenCalls(await since(seq), 'tesla').length, 2, 'the next refresh 6 h after the first');
    assert.equal(((await h.connectors.getAccount(accountId)) as AccountRow).token_version, 3);
  } finally {
    await h.close();
  }
});

test('rotated tokens that cannot be stored yet are not used until they are', async () => {
  const h = await startConnectorHarness({ urls: emu.urls, clock: emu.base });
  try {
    const login = await teslaLogin(emu, teslaAccount());
    const seq = await lastSeq();
    const { accountId } = await h.connectAccount('tesla', login);
    let failures = 4;
    const replace = h.connectors.replaceTokens.bind(h.connectors);
    h.connectors.replaceTokens = async (...args) => {
      if (failures-- > 0) throw new Error('disk full');
      return replace(...args);
    };
    const used: string[] = [];
    const state = h.tesla.vehicleState.bind(h.tesla);
    h.tesla.vehicleState = (token, ...rest) => {
      used.push(token);
      return state(token, ...rest);
    };
    await h.advance(6 * HOUR + 60_000, 60_000);
    assert.equal(tokenCalls(await since(seq), 'tesla').length, 1);
    const row = (await h.connectors.getAccount(accountId)) as AccountRow;
    const stored = h.sealing.openTokens(h.sealing.unwrapAccountKey(accountId, row.token_key!), accountId, row.token_version, row.tokens!);
    assert.equal(row.token_version, 2, 'stored on a later attempt');
    assert.equal(row.state, 'active');
    // Every call used either the first token or, once stored, the rotated one; nothing else.
    assert.ok(used.every((t) => t === login.access_token || t === stored.accessToken));
    assert.ok(used.includes(stored.accessToken));
  } finally {
    await h.close();
  }
});

test('two vehicles of one account share one refresh (single flight)', async () => {
  const h = await startConnectorHarness({ urls: emu.urls, clock: emu.base });
  try {
    const login = await teslaLogin(emu, teslaAccount(2));
    const seq = await lastSeq();
    const { vehicles } = await h.connectAccount('tesla', login);
    assert.ok(vehicles.length >= 2);
    await h.advance(6 * HOUR + 60_000, 60_000);
    const log = await since(seq);
    assert.equal(tokenCalls(log, 'tesla').length, 1, 'one refresh for the whole account');
    // After it, each vehicle kept being checked.
    const refreshedAt = tokenCalls(log, 'tesla')[0]!.at;
    for (const v of vehicles) {
      assert.ok(log.some((c) => c.at >= refreshedAt && c.path.includes(v.oem_vehicle_id) && c.status === 200), `vehicle ${v.oem_vehicle_id} polled after the refresh`);
    }
  } finally {
    await h.close();
  }
});

test('an unexpected 401 leads to one refresh and one retry', async () => {
  const h = await startConnectorHarness({ urls: emu.urls, clock: emu.base });
  try {
    const login = await teslaLogin(emu, teslaAccount());
    const seq = await lastSeq();
    await h.connectAccount('tesla', login);
    await control(emu, 'POST', '/faults', { token: login.access_token, status: 401, times: 1 });
    await h.runtime.runDue();
    const log = await since(seq);
    assert.equal(tokenCalls(log, 'tesla').length, 1);
    const api = log.filter((c) => c.path.startsWith('/api/1/vehicles/'));
    assert.equal(api[0]!.status, 401);
    assert.equal(api[1]!.status, 200, 'retried once with the new token');
    assert.equal(h.runtime.stats.outcomes.ok, h.runtime.stats.polls);

    // A 401 that persists: one refresh, one retry, then backoff (no refresh loop).
    const seq2 = await lastSeq();
    const vehicle = emu.state.fleet.vehicles.find((v) => v.accountId === api[0]!.account)!;
    await control(emu, 'POST', '/faults', { vehicle: vehicle.key, status: 401, times: 2 });
    await h.advance(60_000, 60_000);
    const log2 = await since(seq2);
    assert.equal(tokenCalls(log2, 'tesla').length, 1);
    assert.deepEqual(log2.filter((c) => c.vehicle === vehicle.key).map((c) => c.status), [401, 401]);
    assert.equal(h.runtime.stats.outcomes.ODM_ERR_OEM_AUTH, 1);
  } finally {
    await h.close();
  }
});

test('a dead refresh token puts the account in reauth_required, stops polling and tells the owner', async () => {
  const told: Array<{ account: AccountRow; vehicles: VehicleRow[]; reason: string }> = [];
  const h: ConnectorHarness = await startConnectorHarness({ urls: emu.urls, clock: emu.base, notifyReauth: async (account, vehicles, reason) => void told.push({ account, vehicles, reason }) });
  try {
    const tesla = teslaAccount();
    const smartcar = emu.state.fleet.accounts.find((a) => a.oem === 'smartcar')!.id;
    const t = await h.connectAccount('tesla', await teslaLogin(emu, tesla));
    const s = await h.connectAccount('smartcar', await smartcarConnect(emu, smartcar));
    await h.runtime.runDue();
    // The owner revokes our access at both OEMs: access tokens answer 401, refresh tokens are dead.
    await control(emu, 'POST', '/tokens/revoke', { account: tesla });
    await control(emu, 'POST', '/tokens/revoke', { account: smartcar });
    await h.advance(10 * 60_000, 60_000);
    const stopped = emu.base.now();
    for (const [accountId, reason] of [[t.accountId, 'login_required'], [s.accountId, 'invalid_grant']] as const) {
      const row = (await h.connectors.getAccount(accountId))!;
      assert.equal(row.state, 'reauth_required');
      assert.equal(row.state_reason, reason);
      for (const v of await h.connectors.vehiclesOfAccount(accountId)) {
        assert.equal(v.state, 'reauth_required');
        assert.equal(h.runtime.vehicles.has(v.connection_id), false);
      }
      assert.equal(told.filter((x) => x.account.account_id === accountId && x.reason === reason).length, 1, `owner told once (${reason})`);
    }
    const seq = await lastSeq();
    await h.advance(2 * HOUR, 60_000);
    const later = (await since(seq)).filter((c) => c.account === tesla || c.account === smartcar || c.path.includes('token'));
    assert.deepEqual(later, [], `nothing called after ${new Date(stopped).toISOString()}`);
  } finally {
    await h.close();
  }
});
