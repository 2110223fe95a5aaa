// Which products a call at a branch may be for. A product is a compliance rule
// pack: the built-in packs ship with every edge; others count once a deployment
// rolled them out to one of the branch's edges (desired config) or the edge
// reports running them. An unknown product is refused before any edge is asked
// to check a call against a pack it does not have.
import { BUILTIN_PRODUCTS } from '#protocol/products';
import { AppError } from '#protocol/errors';
import type { BranchStore } from '../branches/branch-store.ts';
import type { EdgeRegistry } from '../edges/registry.ts';
import type { Rollout } from '../edges/rollout.ts';

export class ProductCatalog {
  constructor(
    private readonly branches: BranchStore,
    private readonly edges: EdgeRegistry,
    private readonly rollout: Rollout,
  ) {}

  /** Product ids known at `branchId`, sorted. */
  async known(branchId: string): Promise<string[]> {
    const ids = new Set<string>(BUILTIN_PRODUCTS);
    for (const edgeId of await this.branches.edgeIds(branchId)) {
      const [running, desired] = await Promise.all([
        this.edges.summary(edgeId).then((s) => s?.running),
        this.rollout.desired(edgeId),
      ]);
      for (const id of Object.keys({ ...running?.rulePacks, ...desired?.rulePacks })) ids.add(id);
    }
    return [...ids].sort();
  }

  /** Throws a 400 (`details.reason: unknown_product`, the known ids) unless `product` is known at the branch. */
  async require(branchId: string, product: string): Promise<void> {
    const known = await this.known(branchId);
    if (known.includes(product)) return;
    throw new AppError('bad_request', `unknown product '${product}' at branch ${branchId}`, {
      reason: 'unknown_product',
      fields: [{ path: 'product', message: `not a rule pack known at this branch (${known.join(', ')})` }],
      known,
    });
  }
}
