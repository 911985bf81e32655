/**
 * What CloudWatch shows a scaling policy: one datapoint per period and metric, visible only after
 * its period ended plus the publishing lag, and alarms that fire when their last N datapoints all
 * breach (missing datapoints treated as the alarm says). The simulator writes; policies read.
 */
export type MetricName =
  /** SQS ApproximateAgeOfOldestMessage, Maximum: the oldest message not yet deleted (in flight included), s. */
  | "age"
  /** SQS ApproximateNumberOfMessagesVisible, Average. */
  | "visible"
  /** ECS/ContainerInsights RunningTaskCount, Average. */
  | "running";

export class MetricStore {
  private readonly series: Record<MetricName, number[]> = { age: [], visible: [], running: [] };

  constructor(
    readonly periodSeconds: number,
    readonly publishLagSeconds: number,
  ) {}

  /** The datapoint of period `index` (covering [index × period, (index + 1) × period)). */
  put(name: MetricName, index: number, value: number): void {
    this.series[name][index] = value;
  }

  /** The last `count` datapoints visible at `t`, oldest first; undefined where a period has none. */
  latest(name: MetricName, count: number, t: number): (number | undefined)[] {
    const published = Math.floor((t - this.publishLagSeconds) / this.periodSeconds) - 1;
    const out: (number | undefined)[] = [];
    for (let i = published - count + 1; i <= published; i++) out.push(i >= 0 ? this.series[name][i] : undefined);
    return out;
  }
}

export interface AlarmSpec {
  metric: (store: MetricStore, count: number, t: number) => (number | undefined)[];
  periods: number;
  breaches: (value: number) => boolean;
  /** CloudWatch's treatMissingData: breaching or notBreaching. */
  missingBreaches: boolean;
}

/** In ALARM when every one of the last `periods` datapoints breaches (N of N, as the stack's alarms are). */
export function inAlarm(spec: AlarmSpec, store: MetricStore, t: number): boolean {
  return spec.metric(store, spec.periods, t).every((v) => (v === undefined ? spec.missingBreaches : spec.breaches(v)));
}
