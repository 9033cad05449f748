/**
 * The configured file store (`FILES_BACKEND`): the local directory, or S3 with Bedrock's
 * credential chain.
 */
import { S3Client } from "@aws-sdk/client-s3";
import type { Config } from "../core/config.ts";
import { createLocalFileStore } from "../core/files/local_store.ts";
import { createS3FileStore } from "../core/files/s3_store.ts";
import type { FileStore } from "../core/files/store.ts";
import { createBedrockCredentials } from "../core/providers/bedrock/credentials.ts";
import { credentialOptions } from "./instances.ts";

/** The configured file store: the local directory, or S3 with the same credential chain as
 * Bedrock (`AWS_ENDPOINT_URL_S3` is read by the SDK; S3-compatible servers get path-style URLs). */
export function fileStore(config: Config): FileStore {
  if (config.filesBackend !== "s3" || config.s3FilesBucket === undefined) {
    return createLocalFileStore({ dir: config.filesDir });
  }
  const customEndpoint = (Deno.env.get("AWS_ENDPOINT_URL_S3") ?? Deno.env.get("AWS_ENDPOINT_URL") ??
    "") !== "";
  const client = new S3Client({
    region: config.awsRegion,
    credentials: createBedrockCredentials(credentialOptions(config)),
    forcePathStyle: customEndpoint,
    maxAttempts: config.upstreamMaxRetries + 1,
  });
  return createS3FileStore({ client, bucket: config.s3FilesBucket });
}
