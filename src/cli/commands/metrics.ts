// `opendimo metrics licensing [--month YYYY-MM]`: the monthly licensing metrics a running node publishes
// at /v1/metrics/licensing — users per client, opted-in users per node, users per app, the licensed
// parties and every licensing decision of the month with its published reason.
import type { Command } from 'commander';
import { DEFAULT_HTTP_PORT } from '../../config/load-config.ts';
import { OdmError } from '../../core/errors.ts';
import { output } from '../protocol/cli-values.ts';

interface MetricsFlags {
  month?: string;
  url?: string;
  json?: boolean;
}

interface Row {
  licenseId: string;
  businessName: string;
  status: string;
  users: number;
}

export function registerMetrics(program: Command): void {
  const metrics = program.command('metrics').description('published network metrics');
  metrics
    .command('licensing')
    .description('monthly licensing metrics: users per client, opted-in users per node, users per app, licensed parties, decisions with reasons')
    .option('--month <YYYY-MM>', 'the month (default: the month under way)')
    .option('--url <url>', `the node's API (env OPENDIMO_NODE_URL; default http://127.0.0.1:${DEFAULT_HTTP_PORT})`)
    .option('--json', 'print the JSON document as published')
    .action(async (flags: MetricsFlags) => {
      if (flags.month !== undefined && !/^\d{4}-(0[1-9]|1[0-2])$/.test(flags.month)) throw new OdmError('ODM_ERR_VALIDATION', '--month must be YYYY-MM');
      const base = (flags.url ?? process.env.OPENDIMO_NODE_URL ?? `http://127.0.0.1:${DEFAULT_HTTP_PORT}`).replace(/\/$/, '');
      const url = `${base}/v1/metrics/licensing${flags.month ? `?month=${flags.month}` : ''}`;
      let res: Response;
      try {
        res = await fetch(url);
      } catch (cause) {
        throw new OdmError('ODM_ERR_UNAVAILABLE', `no node answers at ${base}; start one (npm start) or pass --url`, { cause });
      }
      const doc = (await res.json()) as Record<string, unknown>;
      if (!res.ok) throw new OdmError((doc.code as `ODM_ERR_${string}`) ?? 'ODM_ERR_INTERNAL', String(doc.message ?? `HTTP ${res.status}`));
      const rows = (title: string, list: Row[]) => [
        `${title}:`,
        ...(list.length ? list.map((r) => `  #${r.licenseId} ${r.businessName} (${r.status}): ${r.users}`) : ['  —']),
      ];
      const parties = doc.licensedParties as Array<{ licenseId: string; kind: string; status: string; businessName: string; website: string; supportEmail: string }>;
      const decisions = doc.decisions as Array<{ at: number; decision: string; licenseId: string | null; identity: string | null; status: string | null; reason: string }>;
      output(flags, doc, [
        `licensing metrics for ${String(doc.month)} (${doc.final ? 'final' : `as of ${new Date(Number(doc.asOf)).toISOString()}`})`,
        ...rows('users per client', doc.usersPerClient as Row[]),
        ...rows('opted-in users per node', doc.optedInUsersPerNode as Row[]),
        ...rows('users per app', doc.usersPerApp as Row[]),
        'licensed parties:',
        ...parties.map((p) => `  #${p.licenseId} ${p.kind} ${p.businessName} (${p.status}) ${p.website} ${p.supportEmail}`),
        'decisions:',
        ...(decisions.length
          ? decisions.map((d) => `  ${new Date(d.at).toISOString()} ${d.decision}${d.status ? ` → ${d.status}` : ''} ${d.licenseId ? `#${d.licenseId}` : d.identity ?? ''}${d.reason ? `: ${d.reason}` : ''}`)
          : ['  —']),
      ]);
    });
}
