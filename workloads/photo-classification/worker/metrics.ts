/** Prometheus metrics of one worker, on their own registry, served by the ops server on METRICS_PORT. */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";

export class WorkerMetrics {
  readonly registry = new Registry();
  readonly messagesReceived = new Counter({
    name: "photo_worker_messages_received_total",
    help: "SQS messages received",
    registers: [this.registry],
  });
  readonly messages = new Counter({
    name: "photo_worker_messages_total",
    help: "SQS messages by outcome: deleted, released (back to the queue), dead_lettered, test_event",
    labelNames: ["outcome"],
    registers: [this.registry],
  });
  readonly classified = new Counter({
    name: "photo_worker_photos_classified_total",
    help: "Photos with a stored verdict",
    labelNames: ["verdict"],
    registers: [this.registry],
  });
  readonly failed = new Counter({
    name: "photo_worker_photos_failed_total",
    help: "Photos that could not be classified, by reason",
    labelNames: ["reason"],
    registers: [this.registry],
  });
  readonly batchSeconds = new Histogram({
    name: "photo_worker_inference_batch_seconds",
    help: "Model run time per batch",
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [this.registry],
  });
  readonly batchSize = new Histogram({
    name: "photo_worker_inference_batch_size",
    help: "Photos per model run",
    buckets: [1, 2, 4, 8, 16, 32, 64, 128],
    registers: [this.registry],
  });
  readonly uploadToVerdictSeconds = new Histogram({
    name: "photo_worker_upload_to_verdict_seconds",
    help: "From the S3 upload event to the stored verdict",
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600],
    registers: [this.registry],
  });
  readonly processingSeconds = new Histogram({
    name: "photo_worker_processing_seconds",
    help: "From receiving a message to its stored verdicts",
    buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
    registers: [this.registry],
  });

  /** What the consumer holds now; set by whoever wires the consumer (see createWorker). */
  state: () => { photosInFlight: number; openBreakers: string[] } = () => ({ photosInFlight: 0, openBreakers: [] });
  readonly photosInFlight: Gauge = new Gauge({
    name: "photo_worker_photos_in_flight",
    help: "Photos being downloaded, decoded, classified or reported now",
    registers: [this.registry],
    collect: (): void => this.photosInFlight.set(this.state().photosInFlight),
  });
  readonly breakerOpen = new Gauge({
    name: "photo_worker_breaker_open",
    help: "1 while the circuit breaker of a dependency is open (the worker receives nothing meanwhile)",
    labelNames: ["dependency"],
    registers: [this.registry],
  });
  readonly breakerOpenings = new Counter({
    name: "photo_worker_breaker_openings_total",
    help: "Times a dependency was found down",
    labelNames: ["dependency"],
    registers: [this.registry],
  });

  constructor(defaults = true) {
    if (defaults) collectDefaultMetrics({ register: this.registry });
  }
}
