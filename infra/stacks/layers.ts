/**
 * The layers of the platform, in deployment order. Each stack deploys exactly one layer (its
 * `ml-platform:layer` config key) and reads what it needs from earlier layers by StackReference.
 */
// The search (EKS) layer joins this list when it lands. ops needs research only.
export const LAYERS = ["management", "research", "classification", "ops"] as const;
export type Layer = (typeof LAYERS)[number];
