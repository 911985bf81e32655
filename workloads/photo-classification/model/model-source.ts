/** The worker's import path for the shared model source (workloads/shared/image-model), kept while the worker is refactored. */
export * from "../../shared/image-model/model-source";
