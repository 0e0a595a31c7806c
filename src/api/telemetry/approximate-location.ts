// Approximate location: the centre of the H3 cell of resolution 6 (about 36 km², edge ~3.7 km) holding a
// point. What DIMO's currentLocationApproximateCoordinates returns; readable with privilege 8 or 4.
import { cellToLatLng, latLngToCell } from 'h3-js';

export const APPROXIMATE_RESOLUTION = 6;

export function approximate(lat: number, lng: number): { latitude: number; longitude: number } {
  const [latitude, longitude] = cellToLatLng(latLngToCell(lat, lng, APPROXIMATE_RESOLUTION));
  return { latitude, longitude };
}
