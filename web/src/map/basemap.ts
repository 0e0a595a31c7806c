// The map background: GeoJSON streets from the node (no tile server, nothing fetched from elsewhere),
// loaded once per page load.
import type { FeatureCollection } from 'geojson';
import { api } from '../api/http.ts';

let cached: Promise<FeatureCollection> | undefined;

export function loadBasemap(): Promise<FeatureCollection> {
  cached ??= api<FeatureCollection>('/v1/map/basemap', { token: null }).catch(() => ({ type: 'FeatureCollection', features: [] }) as FeatureCollection);
  return cached;
}
