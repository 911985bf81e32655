/**
 * The repository's root folder, for what reads or writes files by their repo-relative path in a checkout: stack
 * files, what scripts/setup builds under .cache/ (models, photo sets, Lambda bundles), the embedded harnesses'
 * tools. In the lowest layer so infra, scripts, policies and the services' local runs all reach the same one. A
 * bundled service never uses it: its paths come from its environment.
 */
import * as path from "node:path";

export const REPO_ROOT = path.resolve(__dirname, "..", "..");
