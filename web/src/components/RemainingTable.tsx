// "Show that nothing remains": the counts the node read back from its own tables after a deletion.
const LABELS: Record<string, string> = {
  telemetryChunks: 'Stored readings (encrypted chunks)',
  latestValues: 'Latest values',
  locationChunks: 'Stored positions',
  dataKeys: 'Encryption keys',
  privacySettings: 'Privacy settings',
  documents: 'Glovebox documents',
  liveConnections: 'Live connections to the car maker',
  vehicleDataKeys: 'Vehicle encryption keys',
  activityEntries: 'Activity log entries',
  consentDocuments: 'Consent documents',
  oemTokens: 'Car maker login tokens',
  account: 'Email account and sealed wallet',
};

export function RemainingTable({ remaining, caption }: { remaining: Record<string, number>; caption: string }) {
  return (
    <table className="data remaining" data-testid="remaining">
      <caption>{caption}</caption>
      <thead>
        <tr>
          <th scope="col">What</th>
          <th scope="col">Remaining</th>
        </tr>
      </thead>
      <tbody>
        {Object.entries(remaining).map(([k, n]) => (
          <tr key={k}>
            <td>{LABELS[k] ?? k}</td>
            <td className={n === 0 ? 'ok' : 'bad'}>{n === 0 ? 'none' : n}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
