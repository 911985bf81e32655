/** The offline plan file: what `npm run plan` writes per stack and what tests and the policy gate read. */
import type { PlanProvenance } from "./provenance";

export interface PlannedResource {
  type: string;
  name: string;
  urn: string;
  parent: string | null;
  /** URN of the explicit provider the resource uses (null: the default provider). */
  provider: string | null;
  /** Inputs as plain JSON: secrets masked, resource references as URNs, computed values as "<computed>". */
  inputs: Record<string, unknown>;
  dependencies: string[];
}

export interface StackPlan {
  stack: string;
  /** What the file was built from (`infra/plan/provenance.ts`); absent in plans other tools write. */
  provenance?: PlanProvenance;
  resources: PlannedResource[];
  /** The stack's exports, resolved; later stacks' StackReferences read them. */
  outputs: Record<string, unknown>;
}

export const SECRET_MASK = "[secret]";
export const COMPUTED = "<computed>";
