/**
 * The layers of the platform, in deployment order. Each stack deploys exactly one layer (its
 * `ml-platform:layer` config key) and reads what it needs from earlier layers by StackReference.
 */
// The ops layer joins this list when it lands.
export const LAYERS = ["management", "research", "classification", "search"] as const;
export type Layer = (typeof LAYERS)[number];
