/** The worker's import path for the shared preprocessing (workloads/shared/image-model), kept while the worker is refactored. */
export * from "../../shared/image-model/preprocess";
