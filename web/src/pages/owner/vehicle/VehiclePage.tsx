// One vehicle: status and connection controls, charts, trips on a map, privacy zones, the glovebox,
// and deletion, as tabs (the tab is in the URL, so it survives a reload and can be linked to).
import { api } from '../../../api/http.ts';
import type { VehicleSummary } from '../../../api/types.ts';
import { Layout } from '../../../app/Layout.tsx';
import { navigate, useLocation } from '../../../app/router.ts';
import { useAsync } from '../../../app/useAsync.ts';
import { ErrorBox, Loading } from '../../../components/Notice.tsx';
import { TabPanel, Tabs } from '../../../components/Tabs.tsx';
import { VehicleStatus } from '../../../components/VehicleStatus.tsx';
import { Headline, useCatalog } from '../VehiclesPage.tsx';
import { ChartsPanel } from './ChartsPanel.tsx';
import { ConnectionControls } from './ConnectionControls.tsx';
import { DeleteVehiclePanel } from './DeleteVehiclePanel.tsx';
import { GloveboxPanel } from './GloveboxPanel.tsx';
import { PrivacyPanel } from './PrivacyPanel.tsx';
import { TripsPanel } from './TripsPanel.tsx';

const TABS = [
  { id: 'data', title: 'Data' },
  { id: 'trips', title: 'Trips' },
  { id: 'privacy', title: 'Privacy' },
  { id: 'glovebox', title: 'Glovebox' },
  { id: 'delete', title: 'Delete' },
];

export function VehiclePage({ id }: { id: string }) {
  const { query } = useLocation();
  const tab = TABS.some((t) => t.id === query.get('tab')) ? query.get('tab')! : 'data';
  const summary = useAsync((signal) => api<VehicleSummary>(`/v1/owner/vehicles/${id}`, { signal }), [id], { pollMs: 5_000 });
  const catalog = useCatalog();
  const v = summary.data;
  const title = v ? `${v.year} ${v.make} ${v.model}` : `Vehicle ${id}`;
  return (
    <Layout title={title}>
      <ErrorBox error={summary.error} />
      {!v && summary.loading ? <Loading what="Loading the vehicle" /> : null}
      {v ? (
        <>
          <div className="vehicle-head">
            <VehicleStatus vehicle={v} />
            <Headline vehicle={v} catalog={catalog} max={6} />
            <ConnectionControls vehicle={v} onChange={summary.reload} />
          </div>
          <Tabs tabs={TABS} active={tab} onChange={(t) => navigate(`/vehicles/${id}?tab=${t}`, { replace: true })} label="Vehicle sections" idPrefix="vehicle" />
          <TabPanel id="data" active={tab} idPrefix="vehicle">
            <ChartsPanel vehicle={v} catalog={catalog} />
          </TabPanel>
          <TabPanel id="trips" active={tab} idPrefix="vehicle">
            <TripsPanel vehicle={v} />
          </TabPanel>
          <TabPanel id="privacy" active={tab} idPrefix="vehicle">
            <PrivacyPanel vehicle={v} onSaved={summary.reload} />
          </TabPanel>
          <TabPanel id="glovebox" active={tab} idPrefix="vehicle">
            <GloveboxPanel vehicleId={v.tokenId} />
          </TabPanel>
          <TabPanel id="delete" active={tab} idPrefix="vehicle">
            <DeleteVehiclePanel vehicle={v} onDeleted={summary.reload} />
          </TabPanel>
        </>
      ) : null}
    </Layout>
  );
}
