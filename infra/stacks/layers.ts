/**
 * The layers of the platform, in deployment order. Each stack deploys exactly one layer (its
 * `ml-platform:layer` config key) and reads what it needs from earlier layers by StackReference.
 */
// ops needs research only; search follows classification.
export const LAYERS = ["management", "research", "ops", "classification", "search"] as const;
export type Layer = (typeof LAYERS)[number];
