/**
 * Records every resource registration the program sends to the (mock) resource monitor, with
 * what the public mock API hides: the parent, the URN and the explicit and implicit dependencies.
 */
import * as pulumi from "@pulumi/pulumi";
import { decodeProviderInputs, toPlainJson } from "./plain-json";
import type { PlannedResource } from "./types";

interface RegisterRequest {
  getType(): string;
  getName(): string;
  getParent(): string;
  getProvider(): string;
  getDependenciesList(): string[];
  getPropertydependenciesMap(): { forEach(fn: (deps: { getUrnsList(): string[] }, key: string) => void): void };
  getObject(): { toJavaScript(): Record<string, unknown> } | undefined;
}
interface RegisterResponse {
  getUrn(): string;
}
type Callback = (err: Error | null, resp?: RegisterResponse) => void;
interface ReadRequest {
  getType(): string;
  getName(): string;
}
interface Monitor {
  registerResource(req: RegisterRequest, cb: Callback): void;
  readResource(req: ReadRequest, cb: (err: Error | null, resp?: unknown) => void): void;
}

export interface Registrations {
  resources: PlannedResource[];
  /** Registrations the mocks refused, e.g. a StackReference to a stack not planned. */
  errors: string[];
}

export function captureRegistrations(): Registrations {
  const monitor = pulumi.runtime.getMonitor() as unknown as Monitor;
  const original = monitor.registerResource.bind(monitor);
  const recorded: Registrations = { resources: [], errors: [] };
  monitor.registerResource = (req, cb) => {
    original(req, (err, resp) => {
      if (err) recorded.errors.push(`${req.getType()} "${req.getName()}": ${err.message}`);
      else if (resp) recorded.resources.push(describe(req, resp.getUrn()));
      cb(err, resp);
    });
  };
  // Reads (StackReference, Resource.get) are not part of the plan, but their failures are.
  const originalRead = monitor.readResource.bind(monitor);
  monitor.readResource = (req, cb) => {
    originalRead(req, (err, resp) => {
      if (err) recorded.errors.push(`${req.getType()} "${req.getName()}": ${err.message}`);
      cb(err, resp);
    });
  };
  return recorded;
}

function describe(req: RegisterRequest, urn: string): PlannedResource {
  const deps = new Set(req.getDependenciesList());
  req.getPropertydependenciesMap().forEach((d) => d.getUrnsList().forEach((u) => deps.add(u)));
  const inputs = toPlainJson(req.getObject()?.toJavaScript() ?? {}) as Record<string, unknown>;
  return {
    type: req.getType(),
    name: req.getName(),
    urn,
    parent: req.getParent() || null,
    // Provider references are "<urn>::<id>"; the URN is what the plan can point at.
    provider: req.getProvider() ? req.getProvider().replace(/::[^:]*$/, "") : null,
    inputs: req.getType().startsWith("pulumi:providers:") ? decodeProviderInputs(inputs) : inputs,
    dependencies: [...deps].sort(),
  };
}
