/**
 * Records every resource registration the program sends to the (mock) resource monitor, with
 * what the public mock API hides: the parent, the URN and the explicit and implicit dependencies.
 * Also every resource the program declares but never registers: when an input's apply throws
 * (a typed StackReference reader refusing a missing output, say), the SDK drops the registration
 * without an unhandled rejection, and the plan would look complete without that resource.
 */
import { createRequire } from "node:module";
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
  /**
   * Registrations the mocks refused (e.g. a StackReference to a stack not planned), and resources
   * declared but never registered because preparing their inputs failed.
   */
  errors: string[];
  /** Resolves once every declared resource has registered or failed to. */
  settled(): Promise<void>;
}

/** The SDK's registration entry point; `Resource`'s constructor looks it up on the module at each call. */
interface ResourceRuntime {
  registerResource(res: pulumi.Resource, parent: unknown, type: string, name: string, ...rest: unknown[]): void;
}
interface InternalOutput {
  promise(): Promise<unknown>;
}

export function captureRegistrations(): Registrations {
  const monitor = pulumi.runtime.getMonitor() as unknown as Monitor;
  const original = monitor.registerResource.bind(monitor);
  const declared: Promise<void>[] = [];
  const refused = new Set<string>();
  const recorded: Registrations = {
    resources: [],
    errors: [],
    settled: async () => {
      // Registrations can declare more resources (component children) while we wait.
      let n = 0;
      while (n < declared.length) {
        const batch = declared.slice(n);
        n = declared.length;
        await Promise.all(batch);
      }
    },
  };
  const runtime = createRequire(__filename)("@pulumi/pulumi/runtime/resource") as ResourceRuntime;
  const register = runtime.registerResource.bind(runtime);
  runtime.registerResource = (res, parent, type, name, ...rest) => {
    register(res, parent, type, name, ...rest);
    const label = `${type} "${name}"`;
    declared.push(
      (res.urn as unknown as InternalOutput).promise().then(
        () => undefined,
        (err: unknown) => {
          if (!refused.has(label))
            recorded.errors.push(`${label} was not registered: ${err instanceof Error ? err.message : String(err)}`);
        },
      ),
    );
  };
  monitor.registerResource = (req, cb) => {
    original(req, (err, resp) => {
      if (err) {
        refused.add(`${req.getType()} "${req.getName()}"`);
        recorded.errors.push(`${req.getType()} "${req.getName()}": ${err.message}`);
      }
      if (!err && resp) recorded.resources.push(describe(req, resp.getUrn()));
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
