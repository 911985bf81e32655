/** Tests only: the idle check as its tests configure it: the ops stack's defaults (infra/stacks/ops.ts), acting for real. */
import type { CheckSettings } from "./check";
import type { Policy } from "./decide";
import type { Thresholds } from "./metrics";

export const TEST_THRESHOLDS: Thresholds = {
  gpuUtilPercent: 5,
  gpuMemoryMiB: 1024,
  gpuMemoryHeldIsBusy: true,
  cpuCorePercent: 20,
  networkBytesPerSecond: 100_000,
};

/** Warned at 3 idle hours, stopped at 4. */
export const TEST_POLICY: Policy = { warnAfterHours: 3, stopAfterHours: 4 };

/** All but where metrics are read and reports go, which each test names for its own AWS and Slack. */
export const TEST_SETTINGS: Omit<CheckSettings, "namespace" | "reportChannel"> = {
  ...TEST_POLICY,
  dryRun: false,
  thresholds: TEST_THRESHOLDS,
};
