/**
 * AWS SDK client settings from the environment. The SDK itself reads credentials, region and
 * AWS_ENDPOINT_URL; path-style S3 addressing has no standard variable, so it is read here
 * (the embedded AWS and S3-compatible stores need it).
 */
export interface S3Options {
  forcePathStyle: boolean;
}

export function s3Options(env: NodeJS.ProcessEnv = process.env): S3Options {
  return { forcePathStyle: env.AWS_S3_FORCE_PATH_STYLE === "true" };
}
