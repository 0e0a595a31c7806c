// The dashboard's acceptance test, in a real browser against a real dev node (`opendimo dev`): an owner
// signs up → connects an emulated Tesla → sees data arrive → draws a privacy zone and sees a drive inside
// it redacted → a developer's app asks for access → the owner approves, seeing the trust ratio → the app
// queries → the owner sees that access in the activity log → revokes → the app is refused → the owner
// exports a zip and deletes the vehicle. A screenshot of each step goes to test-artifacts/web/.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import JSZip from 'jszip';
import type { Page } from 'playwright-core';
import { ANVIL_DEV_KEYS } from '../../src/chain/constants.ts';
import { freePort } from '../../src/core/ports.ts';
import { REPO_ROOT, runCli, waitForHealthy } from '../support/cli-process.ts';
import { browserMissing, launchBrowser } from './support/browser.ts';
import { startJourneyCar } from './support/journey-emulator.ts';
import { stakeLicense } from './support/stake.ts';

const ARTIFACTS = join(REPO_ROOT, 'test-artifacts', 'web');
const TEAM_KEY = ANVIL_DEV_KEYS[0]!; // the embedded chain's licensing team and arbiter
const DEVELOPER_KEY = ANVIL_DEV_KEYS[1]!; // a funded dev account: it pays for its own API-key transactions
const EMAIL = 'owner@journey.test';
const PASSWORD = 'a long owner passphrase';

async function shot(page: Page, name: string): Promise<void> {
  // From the top, so the sticky header sits where it belongs in a full-page capture.
  await page.evaluate(() => (globalThis as unknown as { scrollTo(x: number, y: number): void }).scrollTo(0, 0));
  await page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
}

async function signInWithKey(page: Page, base: string, key: string, next: string): Promise<void> {
  await page.goto(`${base}/signin?next=${encodeURIComponent(next)}`);
  await page.getByRole('tab', { name: 'Private key' }).click();
  await page.getByLabel('Private key (0x…)').fill(key);
  await page.getByRole('button', { name: 'Sign in with this key' }).click();
  await page.waitForURL(`**${next}`);
}

/** What app access still lacks on this node (routes answering "no route"), or undefined when it is there. */
async function appAccessMissing(base: string, dataDir: string): Promise<string | undefined> {
  const missing: string[] = [];
  for (const path of ['/auth/web3/generate_challenge', '/auth/web3/submit_challenge', '/v1/tokens/exchange', '/query']) {
    const res = await fetch(`${base}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    const body = (await res.json().catch(() => ({}))) as { code?: string; message?: string };
    if (res.status === 404 && body.code === 'ODM_ERR_NOT_FOUND' && /^no route/.test(body.message ?? '')) missing.push(`POST ${path}`);
  }
  const deployment = JSON.parse(readFileSync(join(dataDir, 'chain', 'deployment.json'), 'utf8')) as { contracts: Record<string, string> };
  if (!deployment.contracts.LicenseSigners) missing.push('the LicenseSigners contract (API keys)');
  return missing.length ? missing.join(', ') : undefined;
}

test('owner journey in the browser: sign up, connect, privacy, consent, access, revoke, export, delete', { timeout: 900_000 }, async (t) => {
  const missing = browserMissing();
  if (missing) {
    if (process.env.CI === 'true') assert.fail(`the browser test needs chromium in CI: ${missing}`);
    t.skip(missing);
    return;
  }
  mkdirSync(ARTIFACTS, { recursive: true });

  const car = await startJourneyCar();
  t.after(() => car.stop());
  const dataDir = mkdtempSync(join(tmpdir(), 'odm-web-journey-'));
  t.after(() => rmSync(dataDir, { recursive: true, force: true }));
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const node = runCli(['dev', '--port', String(port), '--data-dir', dataDir], { ...car.env, OPENDIMO_LOG_LEVEL: process.env.OPENDIMO_LOG_LEVEL ?? 'warn' });
  t.after(async () => {
    // The node's own account of the run, beside the screenshots.
    writeFileSync(join(ARTIFACTS, 'node-output.log'), node.output());
    node.proc.kill('SIGTERM');
    await Promise.race([node.exited, new Promise((r) => setTimeout(r, 15_000))]);
    node.proc.kill('SIGKILL');
  });
  await waitForHealthy(`${base}/health`, 180_000, node);
  const rpcUrl = /chain RPC\s+(http:\/\/\S+)/.exec(node.output())?.[1];
  assert.ok(rpcUrl, `the node printed its chain RPC:\n${node.output()}`);
  // The dashboard is built at install; a changed checkout is rebuilt at start, in the background.
  for (let i = 0; ; i++) {
    const res = await fetch(`${base}/vehicles`);
    if (res.status === 200 && (await res.text()).includes('id="root"')) break;
    assert.ok(i < 240, 'the dashboard is served within two minutes');
    await new Promise((r) => setTimeout(r, 500));
  }

  const browser = await launchBrowser();
  t.after(() => browser.close());
  const errors: string[] = [];
  const watch = (page: Page, who: string) => page.on('pageerror', (e) => errors.push(`${who}: ${e.message}`));
  // Separate tabs keep separate sessions (the session lives in sessionStorage).
  const owner = await browser.context.newPage();
  const developer = await browser.context.newPage();
  const team = await browser.context.newPage();
  watch(owner, 'owner');
  watch(developer, 'developer');
  watch(team, 'team');
  const gap = await appAccessMissing(base, dataDir);
  let vehicleId = '';
  let consentLink = '';

  await t.test('1. the owner signs up with email and password (an embedded wallet is made in the browser)', async () => {
    await owner.goto(`${base}/`);
    await owner.getByRole('tab', { name: 'Create account' }).click();
    await owner.getByRole('textbox', { name: 'Email' }).fill(EMAIL);
    await owner.getByLabel('Password', { exact: true }).fill(PASSWORD);
    await owner.getByLabel('Password again').fill(PASSWORD);
    await owner.getByRole('button', { name: 'Create account' }).click();
    await owner.waitForURL('**/vehicles');
    await owner.getByRole('heading', { name: 'Your vehicles' }).waitFor();
    await shot(owner, '01-signed-up');
  });

  await t.test('2. connects an emulated Tesla (OEM login, then signing in the browser)', async () => {
    await car.startDriving();
    await owner.getByRole('link', { name: 'Connect a car' }).click();
    await owner.getByRole('button', { name: 'Connect with Tesla' }).click();
    await owner.waitForURL(/\/oauth2\/v3\/authorize/);
    await owner.getByLabel(/Account/).fill(car.account);
    await shot(owner, '02a-tesla-login');
    await owner.getByRole('button', { name: 'Allow' }).click();
    await owner.waitForURL('**/connect/tesla/callback**');
    await owner.getByRole('button', { name: 'Sign and connect' }).click();
    await owner.getByRole('link', { name: 'Go to your vehicles' }).waitFor({ timeout: 90_000 });
    const item = owner.getByRole('listitem').filter({ hasText: car.displayName });
    const link = item.getByRole('link', { name: /open vehicle \d+/ });
    vehicleId = /open vehicle (\d+)/.exec((await link.textContent()) ?? '')?.[1] ?? '';
    assert.match(vehicleId, /^\d+$/);
    await shot(owner, '02b-connected');
    await link.click();
    await owner.waitForURL(`**/vehicles/${vehicleId}`);
  });

  await t.test('3. sees data arrive', async () => {
    await owner.locator('[data-signal="speed"]').waitFor({ timeout: 120_000 });
    await owner.getByText('Driving', { exact: true }).waitFor({ timeout: 60_000 });
    await owner.getByRole('img', { name: /^Speed: \d+ readings/ }).first().waitFor({ timeout: 60_000 });
    await shot(owner, '03-data-arrives');
    // Phone width: the same page, one column.
    await owner.setViewportSize({ width: 390, height: 844 });
    await shot(owner, '03b-phone-width');
    await owner.setViewportSize({ width: 1280, height: 900 });
  });

  await t.test('4. draws a privacy zone and sees a drive inside it redacted', async () => {
    await owner.getByRole('tab', { name: 'Privacy' }).click();
    const map = owner.getByTestId('map');
    await map.waitFor();
    await owner.getByTestId('trip-summary').waitFor();
    await map.scrollIntoViewIfNeeded();
    // Wide enough that the rest of the drive stays inside: zoom out twice, then a 300-pixel radius.
    await owner.getByRole('button', { name: 'Zoom out' }).click();
    await owner.getByRole('button', { name: 'Zoom out' }).click();
    await owner.waitForTimeout(500);
    await owner.getByRole('button', { name: 'Draw a circle' }).click();
    const box = (await map.boundingBox())!;
    await owner.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
    await owner.mouse.click(box.x + box.width / 2 + 300, box.y + box.height / 2);
    await owner.getByText(/^Circle of .* positions blurred/).waitFor();
    await owner.getByRole('button', { name: 'Save privacy settings' }).click();
    await owner.getByText(/^Saved\./).waitFor();
    let redacted = 0;
    for (let i = 0; i < 60 && redacted === 0; i++) {
      await owner.waitForTimeout(3_000);
      redacted = Number(/^(\d+) redacted/.exec((await owner.getByTestId('redacted-count').textContent()) ?? '')?.[1] ?? 0);
    }
    assert.ok(redacted > 0, 'positions reported inside the zone are shown redacted');
    await map.scrollIntoViewIfNeeded();
    await shot(owner, '04-privacy-zone-redacted');
  });

  await t.test("5. a developer's app requests access (license applied for, issued, staked; consent link built)", async () => {
    await signInWithKey(developer, base, DEVELOPER_KEY, '/developer');
    await developer.getByLabel('Legal name').fill('Journey Mobility GmbH');
    await developer.getByLabel('Doing business as').fill('Journey Logbook');
    await developer.getByLabel('Website').fill('https://logbook.example');
    await developer.getByLabel('Support email').fill('help@logbook.example');
    await developer.getByRole('button', { name: 'Send application' }).click();
    await developer.getByText('Application sent.').waitFor();

    await signInWithKey(team, base, TEAM_KEY, '/licensing');
    await team.getByRole('heading', { name: /Journey Mobility GmbH/ }).waitFor();
    await team.getByRole('button', { name: 'Issue license' }).click();
    const issued = await team.getByText(/Issued license #\d+ to Journey Mobility GmbH/).textContent({ timeout: 60_000 });
    const licenseId = BigInt(/#(\d+)/.exec(issued ?? '')![1]!);
    await shot(team, '05a-licensing-team-issued');
    await stakeLicense(rpcUrl!, dataDir, licenseId, 10_000n);

    await developer.reload();
    await developer.getByText('active: may receive data').waitFor({ timeout: 30_000 });
    if (!gap) {
      // The console's own key becomes an API key of the license, and this origin a redirect URI.
      await developer.getByRole('tab', { name: 'API keys' }).click();
      await developer.getByRole('button', { name: 'Enable key' }).click();
      await developer.getByText(/^Key enabled/).waitFor({ timeout: 60_000 });
      await developer.getByRole('button', { name: 'Add redirect URI' }).click();
      await developer.getByText(/^Redirect URI added/).waitFor({ timeout: 60_000 });
    }
    await developer.getByRole('tab', { name: 'Consent link' }).click();
    await developer.getByLabel('Location history (4)').check();
    await developer.getByLabel('Purpose (shown to the owner)').fill('A logbook of your trips for your tax return.');
    consentLink = await developer.getByTestId('consent-link').inputValue();
    assert.match(consentLink, new RegExp(`^${base}/consent\\?request=[A-Za-z0-9_-]+$`));
    await shot(developer, '05b-developer-consent-link');
  });

  await t.test('6. the owner approves, seeing who asks, what for, and the trust ratio', async () => {
    await owner.goto(consentLink);
    await owner.getByTestId('trust-ratio').waitFor();
    assert.equal(await owner.getByTestId('trust-ratio').textContent(), '1');
    assert.equal(await owner.getByTestId('legal-name').textContent(), 'Journey Mobility GmbH');
    assert.equal(await owner.getByTestId('dba').textContent(), 'Journey Logbook');
    await owner.getByText('Location history').first().waitFor();
    await owner.getByLabel(new RegExp(`\\(vehicle ${vehicleId}\\)`)).check();
    await shot(owner, '06a-consent-request');
    await owner.getByRole('button', { name: 'Approve' }).click();
    await owner.getByText(/^Access granted to Journey Logbook/).waitFor({ timeout: 60_000 });
    await shot(owner, '06b-consent-approved');
  });

  await t.test('7. the app queries successfully', async (st) => {
    if (gap) {
      st.skip(`waiting for app access: ${gap}`);
      return;
    }
    await developer.getByRole('tab', { name: 'Query explorer' }).click();
    await developer.getByRole('button', { name: 'Get developer token' }).click();
    await developer.getByText(/^Developer token for/).waitFor({ timeout: 30_000 });
    await developer.getByRole('option', { name: new RegExp(`^${vehicleId}:`) }).waitFor({ state: 'attached', timeout: 30_000 });
    await developer.getByRole('button', { name: 'Run query' }).click();
    await developer.getByTestId('query-status').filter({ hasText: 'answered' }).waitFor({ timeout: 30_000 });
    assert.match((await developer.getByTestId('query-result').textContent()) ?? '', /"speed"/);
    await shot(developer, '07-app-query-answered');
  });

  await t.test('8. the owner sees that access in the activity log', async (st) => {
    if (gap) {
      st.skip(`waiting for app access: ${gap}`);
      return;
    }
    await owner.goto(`${base}/activity`);
    await owner.getByLabel('App reads').check();
    await owner.getByRole('button', { name: 'Apply filters' }).click();
    const row = owner.locator('tr[data-kind="read"]').first();
    await row.waitFor({ timeout: 60_000 });
    assert.match((await row.textContent()) ?? '', new RegExp(vehicleId));
    await owner.getByTestId('chain-status').filter({ hasText: 'Hash chain verified' }).waitFor();
    await shot(owner, '08-activity-shows-access');
  });

  await t.test('9. the owner revokes the access', async () => {
    await owner.goto(`${base}/access`);
    await owner.getByRole('button', { name: `Revoke Journey Logbook's access to vehicle ${vehicleId}` }).click();
    await owner.getByText(`Access revoked for vehicle ${vehicleId}.`).waitFor({ timeout: 60_000 });
    await owner.getByText('No app has access to your vehicles.').waitFor();
    await shot(owner, '09-access-revoked');
  });

  await t.test('10. the app is refused', async (st) => {
    if (gap) {
      st.skip(`waiting for app access: ${gap}`);
      return;
    }
    await developer.getByRole('button', { name: 'Run query' }).click();
    await developer.getByTestId('query-status').filter({ hasText: 'refused' }).waitFor({ timeout: 30_000 });
    assert.match((await developer.getByTestId('query-result').textContent()) ?? '', /ODM_ERR_CONSENT_MISSING|not granted|consent/i);
    await shot(developer, '10-app-refused');
  });

  await t.test('11. the owner exports everything as a zip', async () => {
    await owner.goto(`${base}/account`);
    const download = owner.waitForEvent('download', { timeout: 120_000 });
    await owner.getByRole('button', { name: 'Download my data' }).click();
    const file = await download;
    const path = join(ARTIFACTS, 'export.zip');
    await file.saveAs(path);
    await owner.getByText(/^Downloaded opendimo-export-/).waitFor();
    await shot(owner, '11-exported');
    const zip = await JSZip.loadAsync(readFileSync(path));
    const names = Object.keys(zip.files);
    const find = (suffix: string) => names.find((n) => n.endsWith(suffix));
    for (const f of ['README.txt', 'account.json', 'activity.json', 'grants.json', `vehicles/${vehicleId}/vehicle.json`, `vehicles/${vehicleId}/signals.csv`, `vehicles/${vehicleId}/locations.csv`]) {
      assert.ok(find(f), `${f} is in the export (${names.join(', ')})`);
    }
    const signals = await zip.file(find(`vehicles/${vehicleId}/signals.csv`)!)!.async('string');
    assert.match(signals, /^time,epoch_ms,signal,value\r\n/);
    assert.ok(signals.split('\r\n').length > 10, 'readings are exported');
    const locations = await zip.file(find(`vehicles/${vehicleId}/locations.csv`)!)!.async('string');
    assert.match(locations, /,true\r\n/, 'redacted positions are exported as redacted');
    const account = JSON.parse(await zip.file(find('account.json')!)!.async('string')) as { email: string };
    assert.equal(account.email, EMAIL);
  });

  await t.test('11b. sets data retention to 30 days, which the node keeps', async () => {
    await owner.goto(`${base}/account`);
    const current = owner.getByTestId('retention-current');
    await current.filter({ hasText: 'Keep everything' }).waitFor();
    await owner.getByLabel('Delete data older than a number of days').check();
    // Out of bounds is refused in the browser, with the bounds said.
    await owner.getByLabel('Days to keep', { exact: true }).fill('0');
    await owner.getByRole('button', { name: 'Save retention' }).click();
    await owner.getByText('A whole number of days from 1 to 3650.').waitFor();
    await owner.getByLabel('Days to keep', { exact: true }).fill('30');
    await owner.getByRole('button', { name: 'Save retention' }).click();
    await owner.getByText(/^Saved\. Data older than 30 days will be deleted/).waitFor();
    await current.filter({ hasText: 'Delete data older than 30 days' }).waitFor();

    await owner.reload();
    await current.filter({ hasText: 'Delete data older than 30 days' }).waitFor();
    assert.equal(await owner.getByLabel('Delete data older than a number of days').isChecked(), true);
    assert.equal(await owner.getByLabel('Days to keep', { exact: true }).inputValue(), '30');
    await owner.getByRole('region', { name: 'Data retention' }).scrollIntoViewIfNeeded();
    await shot(owner, '11b-retention-30-days');
    await owner.setViewportSize({ width: 390, height: 844 });
    await shot(owner, '11c-retention-phone-width');
    await owner.setViewportSize({ width: 1280, height: 900 });

    const stored = await owner.evaluate(() => (globalThis as unknown as { sessionStorage: { getItem(k: string): string | null } }).sessionStorage.getItem('opendimo.session'));
    const { token } = JSON.parse(stored ?? '{}') as { token?: string };
    assert.ok(token, 'the owner is signed in');
    const res = await fetch(`${base}/v1/owner/retention`, { headers: { authorization: `Bearer ${token}` } });
    assert.equal(res.status, 200);
    assert.equal(((await res.json()) as { days: unknown }).days, 30);
  });

  await t.test('12. and deletes the vehicle, then sees that nothing remains', async () => {
    await owner.goto(`${base}/vehicles/${vehicleId}?tab=delete`);
    await owner.getByLabel(/Type delete vehicle/).fill(`delete vehicle ${vehicleId}`);
    await owner.getByRole('button', { name: "Delete this vehicle's data" }).click();
    await owner.getByText('Deleted. Nothing of this vehicle remains on this node.').waitFor({ timeout: 120_000 });
    const cells = await owner.getByTestId('remaining').locator('tbody td:nth-child(2)').allTextContents();
    assert.ok(cells.length >= 5 && cells.every((c) => c === 'none'), `nothing remains: ${cells.join(', ')}`);
    await shot(owner, '12-vehicle-deleted');
  });

  assert.deepEqual(errors, [], 'no script error in any page');
  assert.ok(existsSync(join(ARTIFACTS, '12-vehicle-deleted.png')));
});
