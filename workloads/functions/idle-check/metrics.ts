/**
 * What an instance did over the last hour, from CloudWatch: each GPU's utilisation and memory
 * and each CPU core's utilisation (the AMI's agent, namespace `MLPlatform/GPU`, one series per GPU
 * index and per core), and its network traffic (`AWS/EC2`). CloudWatch matches exact dimension
 * sets and the agent adds some of its own (host, name, index…), so the series are discovered with
 * ListMetrics by the instance's `InstanceId` dimension, then read in one GetMetricData call.
 *
 * Each series is judged by its peak 5-minute average, never by an average across GPUs or cores:
 * one busy core on a 96-core instance is 1 % of the instance, and still somebody's job.
 */
import {
  GetMetricDataCommand,
  ListMetricsCommand,
  type CloudWatchClient,
  type Dimension,
  type MetricDataQuery,
} from "@aws-sdk/client-cloudwatch";

/** Seconds per datapoint the check reads: short spikes vanish, five minutes of work does not. */
export const PERIOD_SECONDS = 300;
/** Share of the hour's periods a series must have data for, or the agent counts as down. */
export const MIN_COVERAGE = 0.75;

export const METRIC = {
  gpuUtil: "nvidia_smi_utilization_gpu",
  gpuMemory: "nvidia_smi_memory_used",
  cpu: "cpu_usage_active",
} as const;

export type Group = "gpu" | "gpuMemory" | "cpu" | "network";

export interface Series {
  group: Group;
  /** Which GPU index, core or direction, for the report. */
  label: string;
  /** One value per period with data (5-minute average; for network the 5-minute byte sum). */
  values: number[];
}

export interface Thresholds {
  /** A GPU above this utilisation (%) in any period is busy. */
  gpuUtilPercent: number;
  /** A GPU holding more memory than this (MiB, the agent's unit) counts only if `gpuMemoryHeldIsBusy`. */
  gpuMemoryMiB: number;
  /** Whether memory held at 0 % utilisation (a notebook keeping a model loaded) keeps the instance busy. */
  gpuMemoryHeldIsBusy: boolean;
  /** Any one core above this (%) in any period is busy. */
  cpuCorePercent: number;
  /** In + out above this rate (bytes/s over a period) is busy. */
  networkBytesPerSecond: number;
}

export type Verdict =
  | { kind: "busy"; reasons: string[]; missing: string[] }
  | { kind: "idle"; peaks: Record<string, number> }
  | { kind: "missing"; missing: string[] };

const peak = (values: number[]) => (values.length === 0 ? 0 : Math.max(...values));
const round = (n: number) => Math.round(n * 10) / 10;

/** Judges one instance's hour. Busy wins over missing; missing wins over idle (an agent down is not idle). */
export function judge(series: Series[], t: Thresholds, windowSeconds = 3600): Verdict {
  const needed = Math.max(1, Math.floor((windowSeconds / PERIOD_SECONDS) * MIN_COVERAGE));
  const reasons: string[] = [];
  const missing: string[] = [];
  const peaks: Record<string, number> = {};
  const groups: { group: Group; what: string; limit: number; scale: number; unit: string; required: boolean }[] = [
    { group: "gpu", what: "GPU utilisation", limit: t.gpuUtilPercent, scale: 1, unit: "%", required: true },
    {
      group: "gpuMemory",
      what: "GPU memory",
      limit: t.gpuMemoryMiB,
      scale: 1,
      unit: " MiB",
      required: t.gpuMemoryHeldIsBusy,
    },
    { group: "cpu", what: "CPU per core", limit: t.cpuCorePercent, scale: 1, unit: "%", required: true },
    {
      group: "network",
      what: "network",
      limit: t.networkBytesPerSecond,
      scale: 1 / PERIOD_SECONDS,
      unit: " B/s",
      required: true,
    },
  ];
  for (const g of groups) {
    const of = series.filter((s) => s.group === g.group);
    const thin = of.filter((s) => s.values.length < needed);
    if (g.required && (of.length === 0 || thin.length > 0)) {
      missing.push(
        of.length === 0
          ? `${g.what}: no series`
          : `${g.what}: ${thin.map((s) => `${s.label} has ${s.values.length}/${windowSeconds / PERIOD_SECONDS} periods`).join(", ")}`,
      );
    }
    if (!g.required && g.group === "gpuMemory") continue;
    // Network in and out add up: the busiest period of each, summed, bounds the busiest total.
    const value =
      g.group === "network"
        ? of.reduce((sum, s) => sum + peak(s.values), 0) * g.scale
        : Math.max(0, ...of.map((s) => peak(s.values) * g.scale));
    peaks[g.what] = round(value);
    if (g.group !== "network") {
      for (const s of of) {
        const p = peak(s.values) * g.scale;
        if (p > g.limit) reasons.push(`${g.what} ${s.label} peaked at ${round(p)}${g.unit} (> ${g.limit}${g.unit})`);
      }
    } else if (value > g.limit) {
      reasons.push(`${g.what} peaked at ${round(value)}${g.unit} (> ${g.limit}${g.unit})`);
    }
  }
  if (reasons.length > 0) return { kind: "busy", reasons, missing };
  if (missing.length > 0) return { kind: "missing", missing };
  return { kind: "idle", peaks };
}

interface Wanted {
  group: Group;
  label: string;
  query: Omit<MetricDataQuery, "Id">;
}

function dims(list: Dimension[] | undefined): Record<string, string> {
  return Object.fromEntries((list ?? []).map((d) => [d.Name ?? "", d.Value ?? ""]));
}

/** The instance's series in the agent's namespace, found by its InstanceId dimension. */
async function agentSeries(cw: CloudWatchClient, namespace: string, instanceId: string): Promise<Wanted[]> {
  const wanted: Wanted[] = [];
  let token: string | undefined;
  do {
    const page = await cw.send(
      new ListMetricsCommand({
        Namespace: namespace,
        Dimensions: [{ Name: "InstanceId", Value: instanceId }],
        NextToken: token,
      }),
    );
    for (const m of page.Metrics ?? []) {
      const d = dims(m.Dimensions);
      const stat = (group: Group, label: string): Wanted => ({
        group,
        label,
        query: { MetricStat: { Metric: m, Period: PERIOD_SECONDS, Stat: "Average" } },
      });
      if (m.MetricName === METRIC.gpuUtil) wanted.push(stat("gpu", `GPU ${d.index ?? "?"}`));
      else if (m.MetricName === METRIC.gpuMemory) wanted.push(stat("gpuMemory", `GPU ${d.index ?? "?"}`));
      // The agent's per-core series carry cpu=cpu0…; cpu-total is the average that hides a busy core.
      else if (m.MetricName === METRIC.cpu && d.cpu !== undefined && d.cpu !== "cpu-total")
        wanted.push(stat("cpu", d.cpu));
    }
    token = page.NextToken;
  } while (token);
  return wanted;
}

function networkSeries(instanceId: string): Wanted[] {
  return (["NetworkIn", "NetworkOut"] as const).map((name) => ({
    group: "network",
    label: name,
    query: {
      MetricStat: {
        Metric: { Namespace: "AWS/EC2", MetricName: name, Dimensions: [{ Name: "InstanceId", Value: instanceId }] },
        Period: PERIOD_SECONDS,
        Stat: "Sum",
      },
    },
  }));
}

/** GetMetricData takes up to 500 queries per call. */
const MAX_QUERIES = 500;

export async function readSeries(
  cw: CloudWatchClient,
  options: { namespace: string; instanceId: string; end: Date; windowSeconds?: number },
): Promise<Series[]> {
  const wanted = [
    ...(await agentSeries(cw, options.namespace, options.instanceId)),
    ...networkSeries(options.instanceId),
  ];
  const start = new Date(options.end.getTime() - (options.windowSeconds ?? 3600) * 1000);
  const values = new Map<string, number[]>();
  for (let offset = 0; offset < wanted.length; offset += MAX_QUERIES) {
    const batch = wanted.slice(offset, offset + MAX_QUERIES).map((w, i) => ({ ...w.query, Id: `m${offset + i}` }));
    let token: string | undefined;
    do {
      const page = await cw.send(
        new GetMetricDataCommand({
          MetricDataQueries: batch,
          StartTime: start,
          EndTime: options.end,
          NextToken: token,
        }),
      );
      for (const r of page.MetricDataResults ?? [])
        values.set(r.Id ?? "", [...(values.get(r.Id ?? "") ?? []), ...(r.Values ?? [])]);
      token = page.NextToken;
    } while (token);
  }
  return wanted.map((w, i) => ({ group: w.group, label: w.label, values: values.get(`m${i}`) ?? [] }));
}
