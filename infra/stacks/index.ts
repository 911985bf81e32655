/**
 * Maps a stack to its layer program. The layer comes from config, not from the stack's name,
 * so users can name stacks as they like (research-alpha, classification-prod).
 */
import * as pulumi from "@pulumi/pulumi";
import { ConfigError, PROJECT } from "../config/load";
import { classification } from "./classification";
import { LAYERS, type Layer } from "./layers";
import { management } from "./management";
import { ops } from "./ops";
import { research } from "./research";
import { search } from "./search";

export type StackOutputs = Record<string, unknown>;

const programs: Record<Layer, () => Promise<StackOutputs>> = { management, research, ops, classification, search };

export async function deployLayer(): Promise<StackOutputs> {
  const layer = new pulumi.Config(PROJECT).get("layer");
  if (layer === undefined || !(LAYERS as readonly string[]).includes(layer)) {
    throw new ConfigError(pulumi.getStack(), [
      `${PROJECT}:layer: ${layer === undefined ? "missing" : `"${layer}" is not a layer`}; expected one of ${LAYERS.join(", ")}`,
    ]);
  }
  return programs[layer as Layer]();
}
