/**
 * A fake AWS STS for tests: a real HTTP server answering AssumeRole (the query protocol, XML)
 * with numbered temporary keys (`ASIAASSUMED<n>`), each session lasting the given lifetime, and
 * recording every call's parameters and `Authorization` header. Point the SDK at it with
 * `AWS_ENDPOINT_URL_STS`.
 *
 * @example
 * await using sts = startFakeSts([3_600_000]);
 * // AWS_ENDPOINT_URL_STS=sts.url … then:
 * sts.calls[0].params.get("RoleArn");
 */

/** Starts the fake on `127.0.0.1`; `lifetimesMs[n]` is the (n+1)th session's lifetime (default an hour). */
export function startFakeSts(lifetimesMs: number[]) {
  const calls: Array<{ params: URLSearchParams; authorization: string }> = [];
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, async (req) => {
    const params = new URLSearchParams(await req.text());
    calls.push({ params, authorization: req.headers.get("authorization") ?? "" });
    const n = calls.length;
    const expiration = new Date(Date.now() + (lifetimesMs[n - 1] ?? 3_600_000)).toISOString();
    const xml = `<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <AssumeRoleResult>
    <Credentials>
      <AccessKeyId>ASIAASSUMED${n}</AccessKeyId>
      <SecretAccessKey>assumed-secret-${n}</SecretAccessKey>
      <SessionToken>assumed-session-${n}</SessionToken>
      <Expiration>${expiration}</Expiration>
    </Credentials>
    <AssumedRoleUser>
      <AssumedRoleId>AROATEST:${params.get("RoleSessionName")}</AssumedRoleId>
      <Arn>arn:aws:sts::123456789012:assumed-role/gateway/${params.get("RoleSessionName")}</Arn>
    </AssumedRoleUser>
  </AssumeRoleResult>
  <ResponseMetadata><RequestId>req-${n}</RequestId></ResponseMetadata>
</AssumeRoleResponse>`;
    return new Response(xml, { headers: { "content-type": "text/xml" } });
  });
  return {
    url: `http://127.0.0.1:${server.addr.port}`,
    calls,
    [Symbol.asyncDispose]: () => server.shutdown(),
  };
}
