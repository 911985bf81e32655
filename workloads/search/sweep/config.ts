/** The repository sweep's settings, from its environment; the search stack fills them with `environmentFor`. */
import { z } from "zod";
import { envBool, envInt, environmentFrom, loadSettings, type Settings, type SettingsInput } from "../../shared/env";

export const sweepEnv = z.object({
  /** The asset repository bucket. */
  ASSET_BUCKET: z.string().min(3),
  /**
   * Hours an unreferenced build prefix is kept after its newest object was written: longer than a
   * build takes from its first upload to its pointer, and than one sweep takes to run.
   */
  GRACE_HOURS: envInt(1, 24 * 90).default(48),
  /**
   * Hours after its start a run record still `running` stops protecting its build: a build killed
   * before it could finish its record says `running` for ever. Above every tier's activeDeadlineSeconds.
   */
  STALE_RUN_HOURS: envInt(1, 24 * 90).default(72),
  /** Report what would be deleted, delete nothing. */
  DRY_RUN: envBool.default(false),
});
export type SweepSettings = Settings<typeof sweepEnv>;

export const loadSweepSettings = (env: NodeJS.ProcessEnv = process.env): SweepSettings => loadSettings(sweepEnv, env);

/** The sweep's environment for `settings`: the stack and the tests call this. */
export const environmentFor = (settings: SettingsInput<typeof sweepEnv>): Record<string, string> =>
  environmentFrom(sweepEnv, settings);
