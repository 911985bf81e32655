/**
 * The repository's root folder, for what reads or writes files by their repo-relative path (stack files, the
 * Lambda bundles' cache, the embedded harnesses' tools). Here, not in scripts/, so infra can use it too.
 */
import * as path from "node:path";

export const REPO_ROOT = path.resolve(__dirname, "..", "..");
