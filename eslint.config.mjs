// Flat config: typescript-eslint's recommended rules over every TypeScript file in the repo, and the
// import layers (README "Layout"): workloads/shared <- services <- infra (env contracts only), policies
// read infra's plan and shared names, scripts sit on top; nothing shipped imports scripts/ or a harness.
import js from "@eslint/js";
import tseslint from "typescript-eslint";

/**
 * Test-only files: tests, and what only tests use, named so no one mistakes them for source:
 * `*.testing.ts` or `testing.ts` (helpers, stand-ins), `*.fixture.ts` and `fixtures/` (data a test
 * builds on). The layer rules skip them: a test may reach any harness (scripts/embedded-aws, a local/).
 */
const TESTS = [
  "**/*.test.ts",
  "**/*.testing.ts",
  "**/testing.ts",
  "**/testing/**",
  "**/*.fixture.ts",
  "**/fixtures/**",
];

/** Harnesses beside a service: the embedded run and its helpers, benchmark drivers. Never shipped. */
const HARNESSES = ["workloads/**/local/**", "workloads/**/bench/**"];

/** An import refused when its specifier matches `regex` (specifiers are relative: `../../infra/shared/x`). */
const refuse = (regex, message) => ({ regex, message });
const up = (folder) => `^(\\.\\./)+${folder}(/|$)`;
const SCRIPTS = refuse(
  up("scripts"),
  "scripts/ holds tools and harnesses; code that ships or deploys must not import them (tests may).",
);
const POLICIES = refuse(up("policies"), "the policy pack reads infra; infra and workloads never import it.");
const INFRA = refuse(
  up("infra"),
  "workloads sit below infra: a name both need lives in workloads/shared (e.g. conventions.ts).",
);
const PACKER = refuse(up("packer"), "packer/ is built by its own toolchain; nothing imports it.");
const HARNESS = refuse(
  "(^|/)(local|bench)(/|$)",
  "a local/ or bench/ harness is not shipped: shipped code must not import it (tests may).",
);
const TEST_ONLY = refuse(
  "((^|/)(testing|fixtures?)(/|$)|\\.(testing|fixture|test)$)",
  "a test helper or fixture (*.testing.ts, testing.ts, *.fixture.ts, fixtures/) is for tests only.",
);
const layers = (...patterns) => ({ "no-restricted-imports": ["error", { patterns }] });

export default tseslint.config(
  { ignores: ["node_modules/**", ".cache/**", ".venv/**", ".tools/**", "**/*.js", "**/*.mjs"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ["**/*.ts"],
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "@typescript-eslint/no-explicit-any": "error",
      "no-console": "off",
    },
  },
  {
    // What the services share imports no service.
    files: ["workloads/shared/**/*.ts"],
    ignores: TESTS,
    rules: layers(
      TEST_ONLY,
      INFRA,
      POLICIES,
      SCRIPTS,
      PACKER,
      HARNESS,
      refuse(
        up("(photo-classification|search|functions)"),
        "workloads/shared is below every service: move what it needs from a service down into it.",
      ),
    ),
  },
  {
    // Shipped service code (main.ts, handlers, and everything they import).
    files: ["workloads/**/*.ts"],
    ignores: [...TESTS, ...HARNESSES, "workloads/shared/**"],
    rules: layers(TEST_ONLY, INFRA, POLICIES, SCRIPTS, PACKER, HARNESS),
  },
  {
    // A harness may start embedded AWS or Kubernetes (scripts/), but still sits below infra.
    files: HARNESSES,
    ignores: TESTS,
    rules: layers(TEST_ONLY, INFRA, POLICIES, PACKER),
  },
  {
    // Infra reads a service's env contract (its config.ts: schema and environmentFor) and workloads/shared, nothing else.
    files: ["infra/**/*.ts"],
    ignores: TESTS,
    rules: layers(
      TEST_ONLY,
      SCRIPTS,
      POLICIES,
      PACKER,
      refuse(
        // Any workloads path but workloads/shared/..., .../config (a service's env contract) and the search
        // layer's two definition modules, which the stack and the services both import: segments/ (the one
        // definition of a segment: keys, windows) and crds/ (the custom resources' types and schemas).
        `${up("workloads")}(?!shared/)(?!search/(segments|crds)/)(?!.+/config$)`,
        "infra imports a service's env contract (its config.ts) or workloads/shared only; a name both need moves to workloads/shared.",
      ),
    ),
  },
  {
    // The policy pack reads plans (infra/plan) and the shared names; it deploys nothing and runs no service.
    files: ["policies/**/*.ts"],
    ignores: TESTS,
    rules: layers(
      TEST_ONLY,
      SCRIPTS,
      PACKER,
      refuse(
        `${up("workloads")}(?!shared/)`,
        "the policy pack takes shared names from workloads/shared, never a service's code.",
      ),
    ),
  },
  {
    files: ["packer/**/*.ts"],
    ignores: TESTS,
    rules: layers(TEST_ONLY, SCRIPTS, INFRA, POLICIES, refuse(up("workloads"), "packer/ does not import workloads.")),
  },
);
