// The OEM login/consent page. It is tiny HTML a browser can use, but tests skip it with
// `login_hint=<account id or email>&auto=1` (approve) or `auto=deny`, which redirect at once.
import type { Account } from '../fleet/fleet.ts';

export interface LoginPageInput {
  brand: string;
  action: string;
  /** Query parameters to carry into the POST. */
  params: Record<string, string>;
  accounts: Account[];
  prefill: string;
  scopes: string[];
  error?: string;
}

const esc = (s: string): string => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export function renderLoginPage(input: LoginPageInput): string {
  const hidden = Object.entries(input.params).map(([k, v]) => `<input type="hidden" name="${esc(k)}" value="${esc(v)}">`).join('\n    ');
  const options = input.accounts.map((a) => `<option value="${esc(a.email)}">${esc(a.name)} (${esc(a.id)})</option>`).join('');
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>${esc(input.brand)} sign-in (opendimo emulator)</title>
<style>body{font-family:system-ui,sans-serif;max-width:28rem;margin:3rem auto}label,input,button{display:block;width:100%;margin:.4rem 0}
.err{color:#b00}.scopes{font-size:.9rem;color:#444}</style></head>
<body>
  <h1>${esc(input.brand)}</h1>
  <p>Emulated sign-in. Pick an account; no password is needed.</p>
  ${input.error ? `<p class="err" role="alert">${esc(input.error)}</p>` : ''}
  <form method="post" action="${esc(input.action)}">
    ${hidden}
    <label for="account">Account (email or id)</label>
    <input id="account" name="account" list="accounts" value="${esc(input.prefill)}" required>
    <datalist id="accounts">${options}</datalist>
    <p class="scopes">This app asks for: ${input.scopes.map(esc).join(', ') || '(no scopes)'}</p>
    <button type="submit" name="decision" value="approve">Allow</button>
    <button type="submit" name="decision" value="deny">Deny</button>
  </form>
</body>
</html>`;
}

/** Adds query parameters to a redirect URI, keeping any it already has. */
export function withQuery(uri: string, params: Record<string, string | undefined>): string {
  const url = new URL(uri);
  for (const [k, v] of Object.entries(params)) if (v !== undefined) url.searchParams.set(k, v);
  return url.toString();
}
