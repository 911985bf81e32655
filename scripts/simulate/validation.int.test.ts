/**
 * The simulator against the real pipeline's queue mechanics, at a small scale: one seeded arrival
 * trace sent to a real SQS queue (moto server), worked by a pool of the platform's SQS consumers
 * (workloads/shared/sqs-consumer) whose handler takes the simulator's time per photo; then the same
 * trace, as actually sent, through the simulator with that fixed pool. Upload-to-verdict quantiles
 * and the queue's age over time must agree within the tolerance the README states.
 */
import { expect } from "chai";
import { setTimeout as sleep } from "node:timers/promises";
import { CreateQueueCommand, GetQueueAttributesCommand, SendMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { startEmbeddedAws, type EmbeddedAws } from "../embedded-aws";
import { Consumer } from "../../workloads/shared/sqs-consumer/consumer";
import { fixedPolicy } from "./policies";
import { seeded } from "./prng";
import { generateArrivals, parseScenario } from "./scenario";
import { simulate } from "./simulator";

const WORKERS = 3;
const SERVICE_SECONDS = 0.1;
const CALIBRATION_MESSAGES = 60;
/** Tolerance (a shared 2-CPU machine, moto answering every call): quantiles within 0.3 s + 15 %; the
 * queue's age, sampled every 0.1 s, within 0.25 s on average and 1.5 s at worst. */
const within = (sim: number, real: number) => Math.abs(sim - real) <= 0.3 + 0.15 * real;

const quantile = (xs: number[], q: number) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * xs.length))];

/** Age of the oldest photo not yet done at `t`, from arrivals and completions (0 when none waits). */
function ageAt(arrivals: number[], done: number[], t: number): number {
  let oldest = Infinity;
  arrivals.forEach((a, i) => {
    if (a <= t && done[i] > t && a < oldest) oldest = a;
  });
  return oldest === Infinity ? 0 : t - oldest;
}

describe("fleet simulator against SQS on embedded AWS (one trace through both)", function () {
  this.timeout(120_000);
  let aws: EmbeddedAws;
  before(async () => {
    aws = await startEmbeddedAws();
  });
  after(async () => aws?.stop());

  it("agrees on upload-to-verdict and queue age for a bursty trace worked by a fixed pool", async () => {
    const trace = parseScenario(
      {
        seed: 11,
        durationSeconds: 12,
        arrivals: {
          steadyPerSecond: 3,
          bursts: [
            { atSeconds: 2, durationSeconds: 1, perSecond: 40 },
            { atSeconds: 7, durationSeconds: 1.5, perSecond: 30 },
          ],
        },
        service: { perPhotoSeconds: SERVICE_SECONDS, batchSize: 1 },
        fleet: { coldStart: { meanSeconds: 1 }, warmStart: { meanSeconds: 1 }, instanceScaleInDelaySeconds: 0 },
        cloudwatch: { periodSeconds: 1, publishLagSeconds: 0, sampleSeconds: 0.05 },
      },
      "validation",
    );
    const planned = Array.from(generateArrivals(trace, seeded(trace.seed)));
    expect(planned.length).to.be.within(80, 160);

    const sqs = new SQSClient(aws.clientConfig());
    const make = async (QueueName: string) =>
      (await sqs.send(new CreateQueueCommand({ QueueName, Attributes: { VisibilityTimeout: "30" } })))
        .QueueUrl as string;
    const dlq = await make("validation-dlq");
    const queueUrl = await make("validation");

    const calibrationUrl = await make("validation-calibration");
    const pool = (url: string, n: number, seconds: number, onDone: (i: number) => void) =>
      Array.from({ length: n }, () => {
        const c = new Consumer<number>({
          sqs,
          queueUrl: url,
          deadLetterQueueUrl: dlq,
          handler: { units: (m) => [Number(m.Body)], handle: () => sleep(seconds * 1000) },
          maxUnitsInFlight: 1,
          receiveConcurrency: 1,
          waitTimeSeconds: 1,
          visibilityTimeoutSeconds: 30,
          backoff: { baseSeconds: 1, maxSeconds: 5 },
          maxReceiveCount: 5,
          stopTimeoutSeconds: 5,
        });
        c.on("message_processed", (m) => onDone(Number(m.Body)));
        return c;
      });
    const until = async (what: () => boolean) => {
      const deadline = Date.now() + 60_000;
      while (!what() && Date.now() < deadline) await sleep(20);
    };

    // Calibration: what a receive and a delete add to each photo here (moto on a shared machine, the
    // same pool and work), the simulator's batchOverheadSeconds, as the photo bench measures the rest.
    for (let i = 0; i < CALIBRATION_MESSAGES; i++)
      await sqs.send(new SendMessageCommand({ QueueUrl: calibrationUrl, MessageBody: String(i) }));
    let calibrated = 0;
    const probes = pool(calibrationUrl, WORKERS, SERVICE_SECONDS, () => calibrated++);
    const started = performance.now();
    await Promise.all(probes.map((p) => p.start()));
    await until(() => calibrated === CALIBRATION_MESSAGES);
    const perMessage = ((performance.now() - started) / 1000) * (WORKERS / CALIBRATION_MESSAGES);
    const overhead = Math.max(0, perMessage - SERVICE_SECONDS);
    await Promise.all(probes.map((p) => p.stop()));
    expect(calibrated).to.equal(CALIBRATION_MESSAGES);

    const done: number[] = new Array(planned.length).fill(Infinity);
    const sent: number[] = new Array(planned.length).fill(Infinity);
    let t0 = 0;
    const now = () => (performance.now() - t0) / 1000;
    let processed = 0;
    let duplicates = 0;
    const consumers = pool(queueUrl, WORKERS, SERVICE_SECONDS, (i) => {
      // At least once: a second delivery of a photo is not its verdict.
      if (done[i] !== Infinity) duplicates++;
      else {
        done[i] = now();
        processed++;
      }
    });
    await Promise.all(consumers.map((c) => c.start()));
    try {
      t0 = performance.now();
      for (let i = 0; i < planned.length; i++) {
        const wait = planned[i] - now();
        if (wait > 0) await sleep(wait * 1000);
        await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: String(i) }));
        sent[i] = now();
      }
      await until(() => processed >= planned.length);
    } finally {
      await Promise.all(consumers.map((c) => c.stop()));
    }
    expect(processed).to.equal(planned.length);
    const left = await sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ["ApproximateNumberOfMessages"] }),
    );
    expect(left.Attributes?.ApproximateNumberOfMessages).to.equal("0");

    // The simulator replays the trace as it was sent (a send is complete once SQS holds the message).
    const order = sent.map((t, i) => [t, i] as const).sort((a, b) => a[0] - b[0]);
    const arrivals = Float64Array.from(order.map(([t]) => t));
    const horizon = Math.ceil(Math.max(...done)) + 5;
    const service = { ...trace.service, batchOverheadSeconds: overhead };
    const sim = simulate({ ...trace, service, durationSeconds: horizon }, arrivals, fixedPolicy(WORKERS), {
      sloSeconds: 3600,
      recordCompletions: true,
    });
    const simDone: number[] = new Array(planned.length);
    order.forEach(([, i], k) => (simDone[i] = (sim.completions as Float64Array)[k]));

    const real = done.map((d, i) => d - sent[i]);
    const simulated = simDone.map((d, i) => d - sent[i]);
    const report: string[] = [`overhead ${(overhead * 1000).toFixed(0)} ms a message, ${duplicates} duplicates`];
    for (const q of [0.5, 0.9, 0.99]) {
      const [s, r] = [quantile(simulated, q), quantile(real, q)];
      report.push(`p${q * 100}: sim ${s.toFixed(3)} s, real ${r.toFixed(3)} s`);
      expect(within(s, r), report.join("; ")).to.equal(true);
    }
    let worstAge = 0;
    let sumAge = 0;
    let points = 0;
    for (let t = 0; t <= Math.max(...done); t += 0.1) {
      const gap = Math.abs(ageAt(sent, simDone, t) - ageAt(sent, done, t));
      worstAge = Math.max(worstAge, gap);
      sumAge += gap;
      points++;
    }
    const meanAge = sumAge / points;
    report.push(`queue age: mean difference ${meanAge.toFixed(3)} s, largest ${worstAge.toFixed(3)} s`);
    console.log(`      ${planned.length} photos, ${WORKERS} workers: ${report.join("; ")}`);
    expect(meanAge, report.join("; ")).to.be.at.most(0.25);
    // The age jumps when the oldest photo is deleted, so the same jump a few hundred ms apart is a large gap for a moment.
    expect(worstAge, report.join("; ")).to.be.at.most(1.5);
  });
});
