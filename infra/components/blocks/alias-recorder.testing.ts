/**
 * Test support (not shipped): Pulumi's mocks with a recorder of what the (mock) engine is told about
 * each resource — its URN, parent, inputs and its aliases resolved to URNs — for tests that prove a
 * moved resource is aliased to where it was (`pulumi up` on an existing stack then moves nothing).
 */
import * as pulumi from "@pulumi/pulumi";

export interface Registered {
  type: string;
  name: string;
  urn: string;
  parent: string;
  aliases: string[];
  inputs: Record<string, unknown>;
}

interface AliasSpec {
  getName(): string;
  getType(): string;
  getParenturn(): string;
  getNoparent(): boolean;
}
interface MockMonitor {
  newUrn(parent: string, type: string, name: string): string;
  registerResource(
    req: {
      getType(): string;
      getName(): string;
      getParent(): string;
      getAliasesList(): Array<{ getUrn(): string; getSpec(): AliasSpec | undefined }>;
      getObject(): { toJavaScript(): Record<string, unknown> } | undefined;
    },
    cb: (err: Error | null, resp?: { getUrn(): string }) => void,
  ): void;
}

/** Installs the mocks (ARNs in the state, so blocks that read them resolve) and returns the growing record. */
export async function recordRegistrations(): Promise<Registered[]> {
  const registered: Registered[] = [];
  await pulumi.runtime.setMocks(
    {
      newResource: (args) => ({ id: `${args.name}-id`, state: { ...args.inputs, arn: `arn:aws:test:::${args.name}` } }),
      call: (args) => args.inputs,
    },
    "project",
    "stack",
    false,
  );
  const monitor = pulumi.runtime.getMonitor() as unknown as MockMonitor;
  const original = monitor.registerResource.bind(monitor);
  monitor.registerResource = (req, cb) =>
    original(req, (err, resp) => {
      if (resp) {
        const aliases = req.getAliasesList().map((a) => {
          const spec = a.getSpec();
          if (spec === undefined) return a.getUrn();
          const parent = spec.getNoparent() ? "" : spec.getParenturn() || req.getParent();
          return monitor.newUrn(parent, spec.getType() || req.getType(), spec.getName() || req.getName());
        });
        registered.push({
          type: req.getType(),
          name: req.getName(),
          urn: resp.getUrn(),
          parent: req.getParent(),
          aliases,
          inputs: req.getObject()?.toJavaScript() ?? {},
        });
      }
      cb(err, resp);
    });
  return registered;
}

/** Resolves once registrations have stopped arriving (component children register asynchronously). */
export async function settled(registered: readonly Registered[]): Promise<void> {
  let seen = -1;
  while (seen !== registered.length) {
    seen = registered.length;
    await new Promise((done) => setTimeout(done, 50));
  }
}
