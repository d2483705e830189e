import { z } from 'zod';

/** How big the simulated store is and how the simulated platform behaves; stored in `integrations.settings`. */
export const sandboxSettingsSchema = z
  .object({
    /** Products in the simulated ERP; each has `variantsPerProduct` SKUs. */
    products: z.number().int().min(0).max(100_000).default(50),
    variantsPerProduct: z.number().int().min(1).max(10).default(2),
    /** Stock is kept per warehouse and pushed to the channel summed per SKU. */
    warehouses: z.number().int().min(1).max(5).default(1),
    orders: z.number().int().min(0).max(100_000).default(20),
    /** Simulated latency of every connector call. */
    latencyMs: z.number().int().min(0).max(60_000).default(5),
    /** Probability that a connector call fails with a retryable 503. */
    failureRate: z.number().min(0).max(1).default(0),
    /** Largest page the simulated platform serves, whatever the caller asks for. */
    pageSize: z.number().int().min(1).max(500).default(100),
  })
  .strict();

export type SandboxSettings = z.infer<typeof sandboxSettingsSchema>;
/** What a client may send: every field is optional. */
export type SandboxSettingsInput = z.input<typeof sandboxSettingsSchema>;
