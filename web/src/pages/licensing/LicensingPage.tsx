// The licensing team's console: applications to decide, licenses to suspend, revoke or ban (each with a
// reason that is recorded on chain and published), challenges to rule on, and monthly figures. Anyone
// may look; only holders of the team's roles can act (the chain checks, the console tells).
import { api } from '../../api/http.ts';
import { Layout } from '../../app/Layout.tsx';
import { navigate, useLocation } from '../../app/router.ts';
import { useAsync } from '../../app/useAsync.ts';
import { Notice } from '../../components/Notice.tsx';
import { TabPanel, Tabs } from '../../components/Tabs.tsx';
import { useSession } from '../../session/SessionProvider.tsx';
import { ApplicationsTab } from './ApplicationsTab.tsx';
import { ChallengesTab } from './ChallengesTab.tsx';
import { DecisionsTab } from './DecisionsTab.tsx';
import { LicensesTab } from './LicensesTab.tsx';
import { MetricsTab } from './MetricsTab.tsx';

const TABS = [
  { id: 'applications', title: 'Applications' },
  { id: 'licenses', title: 'Licenses' },
  { id: 'challenges', title: 'Challenges' },
  { id: 'decisions', title: 'Published decisions' },
  { id: 'metrics', title: 'Monthly metrics' },
];

export interface Roles {
  licensing: boolean;
  arbiter: boolean;
  governance: boolean;
}

export function LicensingPage() {
  const { session } = useSession();
  const { query } = useLocation();
  const tab = TABS.some((t) => t.id === query.get('tab')) ? query.get('tab')! : 'applications';
  const roles = useAsync((signal) => api<Roles>(`/v1/licensing/roles/${session!.address}`, { signal }), [session?.address]);
  const r = roles.data ?? { licensing: false, arbiter: false, governance: false };
  return (
    <Layout title="Licensing">
      {roles.data && !r.licensing && !r.arbiter ? (
        <Notice kind="warn">
          {session?.address} holds neither the licensing team's role nor the arbiter's: you can read everything here, but not act. On a development node the team is the
          chain's first dev account (sign in with its private key).
        </Notice>
      ) : null}
      {roles.data && (r.licensing || r.arbiter) ? (
        <Notice kind="ok">
          Acting as {[r.licensing ? 'the licensing team' : '', r.arbiter ? 'arbiter' : ''].filter(Boolean).join(' and ')}. Every action is a transaction signed in this browser; its reason is published.
        </Notice>
      ) : null}
      <Tabs tabs={TABS} active={tab} onChange={(t) => navigate(`/licensing?tab=${t}`, { replace: true })} label="Licensing sections" idPrefix="lic" />
      <TabPanel id="applications" active={tab} idPrefix="lic">
        <ApplicationsTab roles={r} />
      </TabPanel>
      <TabPanel id="licenses" active={tab} idPrefix="lic">
        <LicensesTab roles={r} />
      </TabPanel>
      <TabPanel id="challenges" active={tab} idPrefix="lic">
        <ChallengesTab roles={r} />
      </TabPanel>
      <TabPanel id="decisions" active={tab} idPrefix="lic">
        <DecisionsTab />
      </TabPanel>
      <TabPanel id="metrics" active={tab} idPrefix="lic">
        <MetricsTab />
      </TabPanel>
    </Layout>
  );
}
