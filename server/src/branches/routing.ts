// "Online dispatching offline": pick the branch a customer should visit —
// near, and not busy. Pure ranking over (branch, distance, busyness); the
// busyness comes from each branch's edges' heartbeats.
import type { Branch, BranchRecommendation } from '#protocol/api';

const EARTH_RADIUS_KM = 6371;

/** Great-circle distance (haversine), km. */
export function distanceKm(a: { lat: number; lon: number }, b: { lat: number; lon: number }): number {
  const rad = (d: number) => (d * Math.PI) / 180;
  const dLat = rad(b.lat - a.lat);
  const dLon = rad(b.lon - a.lon);
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(rad(a.lat)) * Math.cos(rad(b.lat)) * Math.sin(dLon / 2) ** 2;
  return 2 * EARTH_RADIUS_KM * Math.asin(Math.min(1, Math.sqrt(h)));
}

export interface BranchLoad {
  branch: Branch;
  /** null: no online edge reports busyness for this branch. */
  busyness: number | null;
}

/**
 * Ranks branches by cost = distance + penaltyKm × busyness. Branches whose
 * busyness is unknown (edge offline) rank after every known one — the visit
 * would land somewhere we cannot see. Ties break on distance, then id.
 */
export function rankBranches(
  origin: { lat: number; lon: number },
  loads: BranchLoad[],
  opts: { penaltyKm: number; maxDistanceKm?: number | undefined; limit: number },
): BranchRecommendation[] {
  const ranked = loads
    .map(({ branch, busyness }) => {
      const d = distanceKm(origin, branch);
      return {
        branchId: branch.id,
        name: branch.name,
        distanceKm: Math.round(d * 100) / 100,
        busyness,
        online: busyness !== null,
        cost: Math.round((d + opts.penaltyKm * (busyness ?? 1)) * 100) / 100,
      };
    })
    .filter((r) => opts.maxDistanceKm === undefined || r.distanceKm <= opts.maxDistanceKm);
  ranked.sort(
    (a, b) =>
      Number(b.online) - Number(a.online) ||
      a.cost - b.cost ||
      a.distanceKm - b.distanceKm ||
      a.branchId.localeCompare(b.branchId),
  );
  return ranked.slice(0, opts.limit);
}
