/**
 * A real S3-compatible server (npm `s3rver`) on `127.0.0.1`, in process, storing into a temp
 * directory — for the S3 backend's tests (no mock of the SDK: the real `@aws-sdk/client-s3`
 * signs, streams and parses XML against it).
 *
 * @example
 * await using s3 = await startS3Server();
 * const store = createS3FileStore({ client: s3.client(), bucket: s3.bucket });
 */
import { CreateBucketCommand, S3Client } from "@aws-sdk/client-s3";
import S3rver from "s3rver";

/** A running local S3 server with one bucket. */
export interface LocalS3 extends AsyncDisposable {
  /** `http://127.0.0.1:<port>`, for `AWS_ENDPOINT_URL_S3`. */
  endpoint: string;
  bucket: string;
  /** s3rver's fixed credentials. */
  accessKeyId: string;
  secretAccessKey: string;
  /** A new SDK client (path style) pointed at the server; destroyed on dispose. */
  client(): S3Client;
  /** Creates another bucket. */
  createBucket(name: string): Promise<void>;
}

/** Starts the server and creates `bucket`. */
export async function startS3Server(bucket = "gateway-files-test"): Promise<LocalS3> {
  const directory = await Deno.makeTempDir({ prefix: "s3rver-" });
  const server = new S3rver({ address: "127.0.0.1", port: 0, silent: true, directory });
  const { port } = await server.run();
  const endpoint = `http://127.0.0.1:${port}`;
  const clients: S3Client[] = [];
  const client = () => {
    const c = new S3Client({
      region: "us-east-1",
      endpoint,
      forcePathStyle: true,
      credentials: { accessKeyId: "S3RVER", secretAccessKey: "S3RVER" },
    });
    clients.push(c);
    return c;
  };
  const createBucket = async (name: string) => {
    await client().send(new CreateBucketCommand({ Bucket: name }));
  };
  await createBucket(bucket);
  return {
    endpoint,
    bucket,
    accessKeyId: "S3RVER",
    secretAccessKey: "S3RVER",
    client,
    createBucket,
    async [Symbol.asyncDispose]() {
      for (const c of clients) c.destroy();
      await server.close();
      await Deno.remove(directory, { recursive: true });
    },
  };
}
