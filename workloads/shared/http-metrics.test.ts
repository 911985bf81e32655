import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { expect } from "chai";
import { Registry } from "prom-client";
import { HttpMetrics } from "./http-metrics";

/** A server answering a few fixed routes through HttpMetrics, on a free port; its registry and base URL. */
async function instrumented(): Promise<{ server: Server; base: string; registry: Registry }> {
  const registry = new Registry();
  const routeOf = (_method: string, path: string) =>
    path.startsWith("/things/") ? "/things/:id" : path === "/boom" ? "/boom" : undefined;
  const server = createServer(
    new HttpMetrics(registry, "test_svc", routeOf).instrument((req, res) => {
      if (req.url === "/boom") return void res.writeHead(500).end("no");
      if (req.url === "/cut") return void res.destroy();
      if (req.url?.startsWith("/things/")) return void setTimeout(() => res.writeHead(200).end("ok"), 20);
      res.writeHead(404).end();
    }),
  );
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return { server, registry, base: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

describe("HTTP request metrics", () => {
  let running: Awaited<ReturnType<typeof instrumented>>;
  beforeEach(async () => {
    running = await instrumented();
  });
  afterEach(async () => {
    running.server.closeAllConnections();
    await new Promise((r) => running.server.close(r));
  });
  const get = (path: string, init?: RequestInit) => fetch(`${running.base}${path}`, init);

  const value = async (name: string, labels: Record<string, string>) => {
    const metric = (await running.registry.getSingleMetric(name)?.get())?.values ?? [];
    return metric
      .filter((v) => Object.entries(labels).every(([k, l]) => v.labels[k] === l))
      .reduce((sum, v) => sum + v.value, 0);
  };

  it("counts requests by route template and status, never by raw path", async () => {
    await get("/things/a");
    await get("/things/b?x=1");
    await get("/unknown/path");
    expect(await value("test_svc_http_requests_total", { route: "/things/:id", status: "200" })).to.equal(2);
    expect(await value("test_svc_http_requests_total", { route: "other", status: "404" })).to.equal(1);
    const text = await running.registry.metrics();
    expect(text).not.to.contain("/things/a");
    expect(text).not.to.contain("/unknown/path");
  });

  it("observes latency per route", async () => {
    await get("/things/a");
    const values =
      (await running.registry.getSingleMetric("test_svc_http_request_duration_seconds")?.get())?.values ?? [];
    const sum = values.find(
      (v) => (v as { metricName?: string }).metricName === "test_svc_http_request_duration_seconds_sum",
    );
    expect(sum?.labels).to.deep.equal({ method: "GET", route: "/things/:id" });
    expect(sum?.value).to.be.at.least(0.015);
  });

  it("counts 5xx answers and cut connections as errors, 4xx not", async () => {
    await get("/boom");
    await get("/cut").catch(() => undefined);
    await get("/nowhere");
    await new Promise((r) => setTimeout(r, 20)); // the close of the cut connection is seen after the client's error
    expect(await value("test_svc_http_request_errors_total", { route: "/boom" })).to.equal(1);
    expect(await value("test_svc_http_request_errors_total", { route: "other" })).to.equal(1);
    expect(await value("test_svc_http_requests_total", { status: "aborted" })).to.equal(1);
  });

  it("labels an unknown method `other`", async () => {
    await get("/things/a", { method: "PROPFIND" });
    expect(await value("test_svc_http_requests_total", { method: "other", route: "/things/:id" })).to.equal(1);
  });
});
