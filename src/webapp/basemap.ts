// The map background the dashboard draws under trips and privacy zones, as GeoJSON: no tile server is
// reachable offline. A dev node draws the streets of the emulator's simulated cities (the only roads its
// cars drive on); a production node answers an empty collection and the map shows a plain grid.
//   GET /v1/map/basemap → FeatureCollection of LineStrings {kind: local|arterial|highway} and Points {kind: place, name}
import type { FastifyInstance } from 'fastify';
import { CITIES, gridNode, isArterial } from '../../emulator/fleet/cities.ts';
import type { CapabilityContext } from '../node/capability.ts';

type Feature = {
  type: 'Feature';
  properties: { kind: string; name?: string };
  geometry: { type: 'LineString'; coordinates: Array<[number, number]> } | { type: 'Point'; coordinates: [number, number] };
};

const lngLat = ([lat, lng]: readonly [number, number]): [number, number] => [Number(lng.toFixed(6)), Number(lat.toFixed(6))];

/** The emulator's street grids and highways (GeoJSON is [lng, lat]). */
export function emulatorBasemap(): { type: 'FeatureCollection'; features: Feature[] } {
  const features: Feature[] = [];
  for (const city of CITIES) {
    const last = city.size - 1;
    for (let i = 0; i < city.size; i++) {
      const kind = isArterial(i) ? 'arterial' : 'local';
      features.push({ type: 'Feature', properties: { kind }, geometry: { type: 'LineString', coordinates: [lngLat(gridNode(city, i, 0)), lngLat(gridNode(city, i, last))] } });
      features.push({ type: 'Feature', properties: { kind }, geometry: { type: 'LineString', coordinates: [lngLat(gridNode(city, 0, i)), lngLat(gridNode(city, last, i))] } });
    }
    const join = gridNode(city, city.highwayJoin[0], city.highwayJoin[1]);
    features.push({ type: 'Feature', properties: { kind: 'highway' }, geometry: { type: 'LineString', coordinates: [join, ...city.highway].map(lngLat) } });
    features.push({ type: 'Feature', properties: { kind: 'place', name: city.name }, geometry: { type: 'Point', coordinates: lngLat(city.center) } });
    features.push({ type: 'Feature', properties: { kind: 'place', name: city.suburbName }, geometry: { type: 'Point', coordinates: lngLat(city.highway[city.highway.length - 1]!) } });
  }
  return { type: 'FeatureCollection', features };
}

export function basemapRoutes(app: FastifyInstance, ctx: CapabilityContext): void {
  let cached: string | undefined;
  app.get('/v1/map/basemap', async (_request, reply) => {
    const dev = ctx.services().config.mode === 'dev';
    cached ??= JSON.stringify(emulatorBasemap());
    void reply.header('cache-control', 'public, max-age=3600').type('application/geo+json');
    return dev ? cached : JSON.stringify({ type: 'FeatureCollection', features: [] });
  });
}
