// A Leaflet map without tiles: the node's GeoJSON streets underneath, then privacy zones, trips (redacted
// points marked), and the car's position. In a drawing mode clicks draw a zone: a circle takes its
// centre then a point on its edge; a polygon takes corners until "Finish" (or a double click).
import L from 'leaflet';
import { useEffect, useRef } from 'react';
import type { TripPoint } from '../api/types.ts';
import { loadBasemap } from './basemap.ts';
import type { Zone } from './zones.ts';
import { MAX_RADIUS_M, MIN_RADIUS_M } from './zones.ts';

export type DrawMode = 'circle' | 'polygon' | undefined;

export interface MapViewProps {
  label: string;
  trips?: Array<{ points: TripPoint[] }>;
  zones?: Zone[];
  position?: TripPoint | null;
  draw?: DrawMode;
  /** Polygon corners so far are finished from outside (a button) by bumping this number. */
  finishPolygon?: number;
  onDrawn?(zone: { kind: 'circle'; lat: number; lng: number; radiusM: number } | { kind: 'polygon'; points: Array<[number, number]> }): void;
  className?: string;
}

const STYLE = {
  arterial: { color: '#9aa7b4', weight: 3 },
  local: { color: '#c7d0d9', weight: 1.5 },
  highway: { color: '#d9a441', weight: 4 },
};

export function MapView(p: MapViewProps) {
  const el = useRef<HTMLDivElement>(null);
  const map = useRef<L.Map | undefined>(undefined);
  const layers = useRef<{ data: L.LayerGroup; draft: L.LayerGroup } | undefined>(undefined);
  const fitted = useRef(false);
  const drawState = useRef<{ center?: L.LatLng; corners: L.LatLng[] }>({ corners: [] });
  const props = useRef(p);
  props.current = p;

  // The map itself, once.
  useEffect(() => {
    if (!el.current) return;
    const m = L.map(el.current, { zoomControl: true, attributionControl: false, doubleClickZoom: false, keyboard: true, minZoom: 3, maxZoom: 18 }).setView([30.2672, -97.7431], 12);
    const base = L.layerGroup().addTo(m);
    layers.current = { data: L.layerGroup().addTo(m), draft: L.layerGroup().addTo(m) };
    map.current = m;
    void loadBasemap().then((fc) => {
      if (!map.current) return;
      L.geoJSON(fc, {
        style: (f) => STYLE[(f?.properties?.kind as keyof typeof STYLE) ?? 'local'] ?? STYLE.local,
        pointToLayer: (f, latlng) =>
          L.marker(latlng, { interactive: false, keyboard: false, icon: L.divIcon({ className: 'place-label', html: String(f.properties?.name ?? ''), iconSize: [120, 16] }) }),
      }).addTo(base);
    });
    const onClick = (e: L.LeafletMouseEvent) => handleClick(e.latlng);
    const onMove = (e: L.LeafletMouseEvent) => preview(e.latlng);
    const onDbl = () => finish();
    m.on('click', onClick);
    m.on('mousemove', onMove);
    m.on('dblclick', onDbl);
    return () => {
      m.remove();
      map.current = undefined;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  function handleClick(at: L.LatLng) {
    const mode = props.current.draw;
    if (!mode) return;
    const s = drawState.current;
    if (mode === 'circle') {
      if (!s.center) {
        s.center = at;
        preview(at);
        return;
      }
      const radius = Math.min(MAX_RADIUS_M, Math.max(MIN_RADIUS_M, s.center.distanceTo(at)));
      const c = s.center;
      drawState.current = { corners: [] };
      layers.current?.draft.clearLayers();
      props.current.onDrawn?.({ kind: 'circle', lat: c.lat, lng: c.lng, radiusM: Math.round(radius) });
      return;
    }
    s.corners.push(at);
    preview(at);
  }

  function preview(at: L.LatLng) {
    const draft = layers.current?.draft;
    const s = drawState.current;
    if (!draft || !props.current.draw) return;
    draft.clearLayers();
    if (props.current.draw === 'circle' && s.center) {
      L.circle(s.center, { radius: Math.max(MIN_RADIUS_M, s.center.distanceTo(at)), className: 'zone-draft', interactive: false }).addTo(draft);
    }
    if (props.current.draw === 'polygon' && s.corners.length > 0) {
      L.polyline([...s.corners, at], { className: 'zone-draft', interactive: false }).addTo(draft);
      for (const c of s.corners) L.circleMarker(c, { radius: 4, className: 'zone-corner', interactive: false }).addTo(draft);
    }
  }

  function finish() {
    const s = drawState.current;
    if (props.current.draw !== 'polygon' || s.corners.length < 3) return;
    const points = s.corners.map((c) => [c.lat, c.lng] as [number, number]);
    drawState.current = { corners: [] };
    layers.current?.draft.clearLayers();
    props.current.onDrawn?.({ kind: 'polygon', points });
  }

  // A new mode starts a fresh drawing; "Finish" from outside closes the polygon.
  useEffect(() => {
    drawState.current = { corners: [] };
    layers.current?.draft.clearLayers();
    el.current?.classList.toggle('drawing', !!p.draw);
  }, [p.draw]);
  useEffect(() => {
    if (p.finishPolygon) finish();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [p.finishPolygon]);

  // Data layers.
  useEffect(() => {
    const m = map.current;
    const group = layers.current?.data;
    if (!m || !group) return;
    group.clearLayers();
    const bounds = L.latLngBounds([]);
    for (const z of p.zones ?? []) {
      const cls = z.action === 'drop' ? 'zone zone-drop' : 'zone zone-redact';
      const layer = z.kind === 'circle' ? L.circle([z.lat, z.lng], { radius: z.radiusM, className: cls, interactive: false }) : L.polygon(z.points, { className: cls, interactive: false });
      layer.addTo(group);
      bounds.extend(layer.getBounds());
    }
    for (const t of p.trips ?? []) {
      const exact = t.points.filter((x) => !x.redacted).map((x) => [x.lat, x.lng] as [number, number]);
      if (exact.length > 1) L.polyline(exact, { className: 'trip', interactive: false }).addTo(group);
      for (const x of t.points) {
        bounds.extend([x.lat, x.lng]);
        if (x.redacted) L.circleMarker([x.lat, x.lng], { radius: 7, className: 'point-redacted', interactive: false }).addTo(group);
      }
    }
    if (p.position) {
      L.circleMarker([p.position.lat, p.position.lng], { radius: 8, className: p.position.redacted ? 'position position-redacted' : 'position', interactive: false }).addTo(group);
      bounds.extend([p.position.lat, p.position.lng]);
    }
    if (!fitted.current && bounds.isValid()) {
      fitted.current = true;
      m.fitBounds(bounds.pad(0.3), { maxZoom: 14 });
    }
  }, [p.trips, p.zones, p.position]);

  return <div ref={el} className={`map ${p.className ?? ''}`} role="application" aria-label={p.label} tabIndex={0} data-testid="map" />;
}
