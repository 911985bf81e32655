/**
 * The layers of the platform, in deployment order. Each stack deploys exactly one layer (its
 * `ml-platform:layer` config key) and reads what it needs from earlier layers by StackReference.
 */
// Search (EKS) and ops layers join this list, after classification, when they land.
export const LAYERS = ["management", "research", "classification"] as const;
export type Layer = (typeof LAYERS)[number];
