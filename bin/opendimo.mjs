#!/usr/bin/env node
// Entry for the `opendimo` bin. The CLI is TypeScript run by Node's type stripping (Node >= 24).
const [major] = process.versions.node.split('.').map(Number);
if (major < 24) {
  console.error(`opendimo needs Node 24 or newer (this is ${process.version}); run it through npm (npm run opendimo -- ...) to use the pinned Node.`);
  process.exit(1);
}
await import('../src/cli/main.ts');
