/** Pulumi entry point (Pulumi.yaml `main: infra/`): deploys the layer this stack is configured for. */
import { deployLayer } from "./stacks";

export = deployLayer();
