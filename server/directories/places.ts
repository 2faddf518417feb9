/**
 * Where the towns of the region are, to sort the directory by distance to a patient's postcode.
 * A deployment loads the official base of postcodes (La Poste « base officielle des codes
 * postaux » with the IGN town centres); this table holds the main towns of PACA, enough for the
 * demo and the tests. Coordinates: WGS 84, town centre, 4 decimals (about 10 m).
 */
const TOWNS: Record<string, { city: string; latitude: number; longitude: number }> = {
  '04000': { city: 'Digne-les-Bains', latitude: 44.0925, longitude: 6.2356 },
  '04100': { city: 'Manosque', latitude: 43.8283, longitude: 5.7868 },
  '04200': { city: 'Sisteron', latitude: 44.195, longitude: 5.9437 },
  '05000': { city: 'Gap', latitude: 44.5594, longitude: 6.0786 },
  '05100': { city: 'Briançon', latitude: 44.8986, longitude: 6.6436 },
  '06000': { city: 'Nice', latitude: 43.7102, longitude: 7.262 },
  '06100': { city: 'Nice', latitude: 43.7262, longitude: 7.2556 },
  '06130': { city: 'Grasse', latitude: 43.6589, longitude: 6.9226 },
  '06400': { city: 'Cannes', latitude: 43.5528, longitude: 7.0174 },
  '06500': { city: 'Menton', latitude: 43.7747, longitude: 7.4975 },
  '06600': { city: 'Antibes', latitude: 43.5808, longitude: 7.1251 },
  '13001': { city: 'Marseille', latitude: 43.2965, longitude: 5.3698 },
  '13005': { city: 'Marseille', latitude: 43.2925, longitude: 5.3946 },
  '13007': { city: 'Marseille', latitude: 43.2848, longitude: 5.3614 },
  '13009': { city: 'Marseille', latitude: 43.2437, longitude: 5.4322 },
  '13013': { city: 'Marseille', latitude: 43.3486, longitude: 5.4327 },
  '13100': { city: 'Aix-en-Provence', latitude: 43.5297, longitude: 5.4474 },
  '13200': { city: 'Arles', latitude: 43.6766, longitude: 4.6278 },
  '13300': { city: 'Salon-de-Provence', latitude: 43.6403, longitude: 5.0973 },
  '13400': { city: 'Aubagne', latitude: 43.2927, longitude: 5.5708 },
  '13500': { city: 'Martigues', latitude: 43.4053, longitude: 5.0476 },
  '13600': { city: 'La Ciotat', latitude: 43.1748, longitude: 5.6046 },
  '13800': { city: 'Istres', latitude: 43.5151, longitude: 4.9895 },
  '83000': { city: 'Toulon', latitude: 43.1242, longitude: 5.928 },
  '83170': { city: 'Brignoles', latitude: 43.4058, longitude: 6.0615 },
  '83300': { city: 'Draguignan', latitude: 43.5366, longitude: 6.4646 },
  '83400': { city: 'Hyères', latitude: 43.1204, longitude: 6.1286 },
  '83600': { city: 'Fréjus', latitude: 43.433, longitude: 6.737 },
  '84000': { city: 'Avignon', latitude: 43.9493, longitude: 4.8055 },
  '84100': { city: 'Orange', latitude: 44.1381, longitude: 4.8075 },
  '84120': { city: 'Pertuis', latitude: 43.6946, longitude: 5.5016 },
  '84200': { city: 'Carpentras', latitude: 44.0556, longitude: 5.0481 },
  '84300': { city: 'Cavaillon', latitude: 43.8375, longitude: 5.0381 },
  '84400': { city: 'Apt', latitude: 43.8764, longitude: 5.3964 },
};

export interface Position {
  latitude: number;
  longitude: number;
}

export function townOf(postalCode: string): { city: string; position: Position } | undefined {
  const town = TOWNS[postalCode];
  return town ? { city: town.city, position: { latitude: town.latitude, longitude: town.longitude } } : undefined;
}

/** Great-circle distance in km (haversine; the Earth as a sphere of 6371 km is precise enough to sort by). */
export function distanceKm(a: Position, b: Position): number {
  const rad = (d: number) => (d * Math.PI) / 180;
  const dLat = rad(b.latitude - a.latitude);
  const dLon = rad(b.longitude - a.longitude);
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(rad(a.latitude)) * Math.cos(rad(b.latitude)) * Math.sin(dLon / 2) ** 2;
  return 2 * 6371 * Math.asin(Math.min(1, Math.sqrt(h)));
}
