// The developer console: the license (status, stake, trust ratio) or an application for one; its API
// keys and redirect URIs; the consent-link builder; the query explorer; webhooks and their deliveries.
import { useState } from 'react';
import { api } from '../../api/http.ts';
import type { License } from '../../api/types.ts';
import { Layout } from '../../app/Layout.tsx';
import { navigate, useLocation } from '../../app/router.ts';
import { useAsync } from '../../app/useAsync.ts';
import { SelectField } from '../../components/Field.tsx';
import { LicenseCard } from '../../components/LicenseCard.tsx';
import { ErrorBox, Loading } from '../../components/Notice.tsx';
import { TabPanel, Tabs } from '../../components/Tabs.tsx';
import { useSession } from '../../session/SessionProvider.tsx';
import { ApplicationPanel } from './ApplicationPanel.tsx';
import { ConsentBuilder } from './ConsentBuilder.tsx';
import type { DeveloperToken } from './dev-auth.ts';
import { KeysPanel } from './KeysPanel.tsx';
import { QueryExplorer } from './QueryExplorer.tsx';
import { WebhooksPanel } from './WebhooksPanel.tsx';

const TABS = [
  { id: 'license', title: 'License' },
  { id: 'keys', title: 'API keys' },
  { id: 'consent', title: 'Consent link' },
  { id: 'query', title: 'Query explorer' },
  { id: 'webhooks', title: 'Webhooks' },
];

export function DeveloperPage() {
  const { session } = useSession();
  const { query } = useLocation();
  const tab = TABS.some((t) => t.id === query.get('tab')) ? query.get('tab')! : 'license';
  const licenses = useAsync((signal) => api<{ licenses: License[] }>(`/v1/licenses?holder=${session!.address}`, { signal }), [session?.address]);
  const [picked, setPicked] = useState<string>();
  const [dev, setDev] = useState<DeveloperToken>();
  const list = licenses.data?.licenses ?? [];
  const license = list.find((l) => l.licenseId === picked) ?? list.find((l) => l.kind === 'app') ?? list[0];

  return (
    <Layout title="Developer console">
      <ErrorBox error={licenses.error} />
      {licenses.loading && !licenses.data ? <Loading what="Looking for your licenses" /> : null}
      {licenses.data && !license ? (
        <>
          <p>
            Your address <code>{session?.address}</code> holds no license yet. Apps need one — and enough stake — before any owner's data reaches them.
          </p>
          <ApplicationPanel onChange={licenses.reload} />
        </>
      ) : null}
      {license ? (
        <>
          {list.length > 1 ? (
            <SelectField label="License" value={license.licenseId} onChange={(e) => setPicked(e.target.value)}>
              {list.map((l) => (
                <option key={l.licenseId} value={l.licenseId}>
                  #{l.licenseId} {l.legalName} ({l.kind})
                </option>
              ))}
            </SelectField>
          ) : null}
          <Tabs tabs={TABS} active={tab} onChange={(t) => navigate(`/developer?tab=${t}`, { replace: true })} label="Console sections" idPrefix="dev" />
          <TabPanel id="license" active={tab} idPrefix="dev">
            <LicenseCard license={license}>
              <p className="muted">
                Stake more with <code>opendimo license stake {license.licenseId} &lt;DIMO&gt;</code>; below a trust ratio of 1 no owner's data reaches the app.
              </p>
            </LicenseCard>
            <ApplicationPanel />
          </TabPanel>
          <TabPanel id="keys" active={tab} idPrefix="dev">
            <KeysPanel license={license} />
          </TabPanel>
          <TabPanel id="consent" active={tab} idPrefix="dev">
            <ConsentBuilder license={license} />
          </TabPanel>
          <TabPanel id="query" active={tab} idPrefix="dev">
            <QueryExplorer license={license} dev={dev} onDev={setDev} />
          </TabPanel>
          <TabPanel id="webhooks" active={tab} idPrefix="dev">
            <WebhooksPanel dev={dev} />
          </TabPanel>
        </>
      ) : null}
    </Layout>
  );
}
