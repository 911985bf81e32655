import { expect } from "chai";
import { Counter, Registry } from "prom-client";
import { OpsServer, type Readiness } from "./ops-server";

describe("ops server", () => {
  const servers: OpsServer[] = [];
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((s) => s.stop()));
  });

  async function started(options: Partial<ConstructorParameters<typeof OpsServer>[0]> = {}) {
    const ops = new OpsServer({ host: "127.0.0.1", port: 0, ...options });
    servers.push(ops);
    const port = await ops.start();
    const get = async (path: string, method = "GET") => {
      const res = await fetch(`http://127.0.0.1:${port}${path}`, { method });
      return { status: res.status, type: res.headers.get("content-type"), body: await res.text() };
    };
    return { ops, port, get };
  }

  it("answers liveness from the unhealthy callback, with the reason on 503", async () => {
    const state: { why?: string } = {};
    const { get } = await started({ unhealthy: () => state.why });
    expect(await get("/healthz")).to.include({ status: 200, body: "ok" });
    state.why = "inference thread exited with code 1";
    expect(await get("/healthz")).to.include({ status: 503, body: state.why });
  });

  it("answers readiness from a boolean or a {ready, detail} callback", async () => {
    let answer: Readiness = false;
    const { get } = await started({ ready: () => answer });
    expect(await get("/readyz")).to.include({ status: 503, body: JSON.stringify({ ready: false, draining: false }) });
    answer = true;
    expect(await get("/readyz")).to.include({ status: 200 });
    answer = { ready: false, detail: { shards: 2, loaded: 1 } };
    const res = await get("/readyz");
    expect(res.status).to.equal(503);
    expect(JSON.parse(res.body)).to.deep.equal({ ready: false, draining: false, detail: { shards: 2, loaded: 1 } });
  });

  it("is ready by default and turns 503 on drain, while liveness and metrics still answer", async () => {
    const { ops, get } = await started();
    expect((await get("/readyz")).status).to.equal(200);
    ops.drain();
    expect(ops.isDraining).to.equal(true);
    expect(await get("/readyz")).to.include({ status: 503, body: JSON.stringify({ ready: false, draining: true }) });
    expect((await get("/healthz")).status).to.equal(200);
    expect((await get("/metrics")).status).to.equal(200);
  });

  it("draining wins over a callback that says ready", async () => {
    const { ops, get } = await started({ ready: () => ({ ready: true, detail: "all shards" }) });
    ops.drain();
    expect(ops.readiness()).to.deep.equal({ ready: false, draining: true });
    expect((await get("/readyz")).status).to.equal(503);
  });

  it("serves the given registry as Prometheus text", async () => {
    const registry = new Registry();
    const counter = new Counter({ name: "ops_test_things_total", help: "things", registers: [registry] });
    counter.inc(3);
    const { ops, get } = await started({ registry });
    expect(ops.registry).to.equal(registry);
    const res = await get("/metrics");
    expect(res.status).to.equal(200);
    expect(res.type).to.equal(registry.contentType);
    expect(res.body).to.contain("ops_test_things_total 3");
  });

  it("answers 500 on /metrics when a collect callback throws, and keeps serving", async () => {
    const registry = new Registry();
    new Counter({
      name: "ops_test_broken_total",
      help: "broken",
      registers: [registry],
      collect: () => {
        throw new Error("collector broke");
      },
    });
    const { get } = await started({ registry });
    expect(await get("/metrics")).to.include({ status: 500, body: "collector broke" });
    expect((await get("/healthz")).status).to.equal(200);
  });

  it("refuses unknown paths with 404 and writes with 405", async () => {
    const { get } = await started();
    expect((await get("/nope")).status).to.equal(404);
    expect((await get("/healthz", "POST")).status).to.equal(405);
    expect((await get("/healthz?verbose=1")).status).to.equal(200);
  });

  it("resolves start() with the bound port and refuses to report one before", async () => {
    const ops = new OpsServer({ host: "127.0.0.1", port: 0 });
    servers.push(ops);
    expect(() => ops.port).to.throw(/before start/);
    const port = await ops.start();
    expect(port).to.be.greaterThan(0);
    expect(ops.port).to.equal(port);
  });

  it("rejects start() when the port is taken, naming the port", async () => {
    const { port } = await started();
    const second = new OpsServer({ host: "127.0.0.1", port });
    await second.start().then(
      () => expect.fail("second bind should fail"),
      (err: Error) => expect(err.message).to.contain(String(port)),
    );
  });

  it("stop() closes the port, also with a keep-alive connection open, and is idempotent", async () => {
    const { ops, port, get } = await started();
    await get("/healthz"); // fetch keeps the connection alive
    await ops.stop();
    await fetch(`http://127.0.0.1:${port}/healthz`).then(
      () => expect.fail("port still open"),
      (err: Error) => expect(err).to.be.instanceOf(Error),
    );
    await ops.stop();
  });

  it("stopAfter() drains first, keeps /metrics answering while the work finishes, then closes the port", async () => {
    const { ops, port, get } = await started();
    const during: { readyz?: number; metrics?: number } = {};
    const result = await ops.stopAfter(async () => {
      during.readyz = (await get("/readyz")).status;
      during.metrics = (await get("/metrics")).status;
      return "drained 3 calls";
    });
    expect(result).to.equal("drained 3 calls");
    expect(during).to.deep.equal({ readyz: 503, metrics: 200 });
    await fetch(`http://127.0.0.1:${port}/healthz`).then(
      () => expect.fail("port still open"),
      (err: Error) => expect(err).to.be.instanceOf(Error),
    );
  });

  it("stopAfter() leaves the port open and passes the error on when the work fails to finish", async () => {
    const { ops, get } = await started();
    await ops
      .stopAfter(() => Promise.reject(new Error("drain timed out")))
      .then(
        () => expect.fail("stopAfter resolved"),
        (err: Error) => expect(err.message).to.equal("drain timed out"),
      );
    expect(await get("/readyz")).to.include({ status: 503 });
    expect((await get("/healthz")).status).to.equal(200);
  });
});
