// The glovebox: insurance, registration and other papers, encrypted on the node under this vehicle's
// key. Apps see them only with the "VIN and documents" privilege (5) that you grant.
import { useRef, useState } from 'react';
import { api, request } from '../../../api/http.ts';
import { dateTime } from '../../../app/format.ts';
import { useAsync } from '../../../app/useAsync.ts';
import { Button, useAction } from '../../../components/Button.tsx';
import { SelectField } from '../../../components/Field.tsx';
import { ErrorBox, Loading, Notice } from '../../../components/Notice.tsx';

interface DocumentInfo {
  id: string;
  kind: string;
  name: string;
  mediaType: string;
  size: number;
  createdAt: number;
}

const KINDS = [
  { id: 'insurance', title: 'Insurance' },
  { id: 'registration', title: 'Registration' },
  { id: 'inspection', title: 'Inspection' },
  { id: 'other', title: 'Other' },
];

export function GloveboxPanel({ vehicleId }: { vehicleId: string }) {
  const base = `/v1/owner/vehicles/${vehicleId}/documents`;
  const docs = useAsync((signal) => api<{ documents: DocumentInfo[] }>(base, { signal }), [vehicleId]);
  const [kind, setKind] = useState('insurance');
  const file = useRef<HTMLInputElement>(null);
  const [run, busy, error] = useAction();
  const [done, setDone] = useState<string>();

  const upload = () =>
    run(async () => {
      const f = file.current?.files?.[0];
      if (!f) throw new Error('Choose a file first.');
      if (f.size > 5 * 1024 * 1024) throw new Error('Files are limited to 5 MiB.');
      await api(`${base}?kind=${kind}&name=${encodeURIComponent(f.name)}`, { method: 'POST', raw: f, contentType: f.type || 'application/octet-stream' });
      if (file.current) file.current.value = '';
      setDone(`${f.name} is in the glovebox, encrypted.`);
      docs.reload();
    });

  const download = (d: DocumentInfo) =>
    run(async () => {
      const res = await request(`${base}/${d.id}`);
      const url = URL.createObjectURL(await res.blob());
      const a = document.createElement('a');
      a.href = url;
      a.download = d.name;
      a.click();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
    });

  const remove = (d: DocumentInfo) =>
    run(async () => {
      if (!window.confirm(`Delete ${d.name}?`)) return;
      await api(`${base}/${d.id}`, { method: 'DELETE' });
      docs.reload();
    });

  return (
    <div className="glovebox">
      <p>
        Keep your papers with the car. They are encrypted on this node like all its data, and deleted with it. An app can read them only if you grant it{' '}
        <strong>VIN and documents</strong> access.
      </p>
      <form
        className="card upload"
        onSubmit={(e) => {
          e.preventDefault();
          void upload();
        }}
      >
        <SelectField label="Kind of document" value={kind} onChange={(e) => setKind(e.target.value)}>
          {KINDS.map((k) => (
            <option key={k.id} value={k.id}>
              {k.title}
            </option>
          ))}
        </SelectField>
        <div className="field">
          <label htmlFor="glovebox-file">File (PDF or image, up to 5 MiB)</label>
          <input id="glovebox-file" ref={file} type="file" accept="application/pdf,image/*,text/plain" />
        </div>
        <Button type="submit" busy={busy} busyLabel="Uploading…">
          Add to glovebox
        </Button>
      </form>
      {done ? <Notice kind="ok">{done}</Notice> : null}
      <ErrorBox error={error ?? docs.error} />
      {docs.loading && !docs.data ? <Loading what="Loading documents" /> : null}
      {docs.data && docs.data.documents.length === 0 ? <p className="muted">The glovebox is empty.</p> : null}
      {docs.data && docs.data.documents.length > 0 ? (
        <table className="data">
          <caption className="sr-only">Documents</caption>
          <thead>
            <tr>
              <th scope="col">Document</th>
              <th scope="col">Kind</th>
              <th scope="col">Size</th>
              <th scope="col">Added</th>
              <th scope="col">
                <span className="sr-only">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {docs.data.documents.map((d) => (
              <tr key={d.id}>
                <td>{d.name}</td>
                <td>{d.kind}</td>
                <td>{(d.size / 1024).toFixed(0)} KiB</td>
                <td>{dateTime(d.createdAt)}</td>
                <td className="row-actions">
                  <button type="button" className="link" onClick={() => void download(d)}>
                    Download<span className="sr-only"> {d.name}</span>
                  </button>{' '}
                  <button type="button" className="link" onClick={() => void remove(d)}>
                    Delete<span className="sr-only"> {d.name}</span>
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </div>
  );
}
