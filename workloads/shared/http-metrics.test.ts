import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { expect } from "chai";
import { Registry } from "prom-client";
import { HttpMetrics } from "./http-metrics";

describe("HTTP request metrics", () => {
  let server: Server;
  let base: string;
  let registry: Registry;

  beforeEach(async () => {
    registry = new Registry();
    const metrics = new HttpMetrics(registry, "test_svc", (_method, path) =>
      path.startsWith("/things/") ? "/things/:id" : path === "/boom" ? "/boom" : undefined,
    );
    server = createServer(
      metrics.instrument((req, res) => {
        if (req.url === "/boom") return void res.writeHead(500).end("no");
        if (req.url === "/cut") return void res.destroy();
        if (req.url?.startsWith("/things/")) return void setTimeout(() => res.writeHead(200).end("ok"), 20);
        res.writeHead(404).end();
      }),
    );
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterEach(async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });

  const value = async (name: string, labels: Record<string, string>) => {
    const metric = (await registry.getSingleMetric(name)?.get())?.values ?? [];
    return metric
      .filter((v) => Object.entries(labels).every(([k, l]) => v.labels[k] === l))
      .reduce((sum, v) => sum + v.value, 0);
  };

  it("counts requests by route template and status, never by raw path", async () => {
    await fetch(`${base}/things/a`);
    await fetch(`${base}/things/b?x=1`);
    await fetch(`${base}/unknown/path`);
    expect(await value("test_svc_http_requests_total", { route: "/things/:id", status: "200" })).to.equal(2);
    expect(await value("test_svc_http_requests_total", { route: "other", status: "404" })).to.equal(1);
    const text = await registry.metrics();
    expect(text).not.to.contain("/things/a");
    expect(text).not.to.contain("/unknown/path");
  });

  it("observes latency per route", async () => {
    await fetch(`${base}/things/a`);
    const values = (await registry.getSingleMetric("test_svc_http_request_duration_seconds")?.get())?.values ?? [];
    const sum = values.find(
      (v) => (v as { metricName?: string }).metricName === "test_svc_http_request_duration_seconds_sum",
    );
    expect(sum?.labels).to.deep.equal({ method: "GET", route: "/things/:id" });
    expect(sum?.value).to.be.at.least(0.015);
  });

  it("counts 5xx answers and cut connections as errors, 4xx not", async () => {
    await fetch(`${base}/boom`);
    await fetch(`${base}/cut`).catch(() => undefined);
    await fetch(`${base}/nowhere`);
    await new Promise((r) => setTimeout(r, 20)); // the close of the cut connection is seen after the client's error
    expect(await value("test_svc_http_request_errors_total", { route: "/boom" })).to.equal(1);
    expect(await value("test_svc_http_request_errors_total", { route: "other" })).to.equal(1);
    expect(await value("test_svc_http_requests_total", { status: "aborted" })).to.equal(1);
  });

  it("labels an unknown method `other`", async () => {
    await fetch(`${base}/things/a`, { method: "PROPFIND" });
    expect(await value("test_svc_http_requests_total", { method: "other", route: "/things/:id" })).to.equal(1);
  });
});
