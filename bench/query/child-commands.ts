// Commands the query bench's node child answers over IPC (harness.ts `command(name, args)`), for
// sections that must act inside the node process (e.g. driving ingest for live latency). Register a
// handler here, from its own file: COMMANDS.set('name', async (node, args) => result).
import type { AppNode } from '../../test/apps/support/app-node.ts';

export const COMMANDS = new Map<string, (n: AppNode, args: unknown) => Promise<unknown>>();
