// Finds the anvil executable shipped by the @foundry-rs/anvil npm package. The package installs the
// binary through a per-platform optional dependency (@foundry-rs/anvil-<os>-<arch>), the same way its
// own bin.mjs does; we spawn the binary directly so signals reach anvil and not a wrapper process.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { OdmError } from '../core/errors.ts';

const ARCH: Record<string, string> = { x64: 'amd64', arm64: 'arm64' };

export function anvilBinaryPath(): string {
  const arch = ARCH[process.arch];
  const exe = process.platform === 'win32' ? 'anvil.exe' : 'anvil';
  const pkg = arch ? `@foundry-rs/anvil-${process.platform === 'win32' ? 'win32' : process.platform}-${arch}` : undefined;
  const require = createRequire(import.meta.url);
  const tried: string[] = [];
  if (pkg) {
    try {
      const candidate = require.resolve(`${pkg}/bin/${exe}`);
      if (existsSync(candidate)) return candidate;
      tried.push(candidate);
    } catch {
      tried.push(`${pkg}/bin/${exe}`);
    }
  }
  // Fallback used by @foundry-rs/anvil when the platform package is absent: a downloaded dist/ binary.
  try {
    const wrapper = require.resolve('@foundry-rs/anvil/package.json');
    const candidate = join(wrapper, '..', 'dist', exe);
    if (existsSync(candidate)) return candidate;
    tried.push(candidate);
  } catch {
    tried.push('@foundry-rs/anvil');
  }
  throw new OdmError('ODM_ERR_CHAIN_START_FAILED', `No anvil binary for ${process.platform}/${process.arch}; reinstall dependencies (npm install) so @foundry-rs/anvil can fetch it`, {
    details: { platform: process.platform, arch: process.arch, tried },
  });
}
