/**
 * The S3 client against the fake S3, which verifies every request's SigV4 signature with @smithy/signature-v4:
 * path style (an S3-compatible endpoint) and virtual-hosted style (AWS), static and temporary keys, and the error
 * answers the workload stage tells apart.
 */
import { bucketUrl, deleteObject, getObject, objectUrl, putObject, type S3Target } from "../../../verification/probe/s3";
import { fakeEnvironment, type FakeS3, Keyring, startFakeS3 } from "../../helpers/fakeAws";

const FAST = { timeoutMs: 2000, attempts: 3, backoffMs: 5 };
const REGION = "us-east-1";
const STATIC = { accessKeyId: "minio-flyte", secretAccessKey: "s3cr3t/with spaces+plus", arn: "arn:aws:iam::000000000000:user/minio-flyte" };
const TEMPORARY = { accessKeyId: "ASIAFAKETEMPORARY01", secretAccessKey: "temporary/secret+key", sessionToken: "FwoGZXIvYXdzEFAKE/session+token==", arn: "arn:aws:sts::123456789012:assumed-role/r/s" };
const KEY = "metadata/flytesnacks/flyte-verification/a b+c!'()*ü.txt";

let keyring: Keyring;
let s3: FakeS3;

beforeAll(async () => {
    keyring = new Keyring();
    keyring.add(STATIC);
    keyring.add(TEMPORARY);
    s3 = await startFakeS3({ region: REGION, buckets: ["flyte-data"], virtualBuckets: ["flyte-data", "missing-bucket"] }, keyring);
});

afterAll(async () => {
    await s3.close();
});

beforeEach(() => {
    s3.objects.clear();
    s3.requests.length = 0;
    Object.assign(s3.state, { denials: [], listBucket: true, ignoreDeletes: false, failNext: 0, forceError: undefined });
});

const pathStyle = (credentials: S3Target["credentials"] = STATIC, region = REGION): S3Target => ({
    bucketUrl: bucketUrl({ kind: "s3-compatible", endpoint: `${s3.url}/`, region }, "flyte-data", fakeEnvironment({})),
    region,
    credentials,
    transport: FAST,
});
const virtualHosted = (bucket = "flyte-data"): S3Target => ({
    bucketUrl: bucketUrl({ kind: "s3", region: REGION }, bucket, fakeEnvironment({ s3BucketUrl: (name) => `${s3.bucketUrl(name)}/` })),
    region: REGION,
    credentials: TEMPORARY,
    transport: FAST,
});

describe("object calls", () => {
    it.each([
        ["path style with static keys", () => pathStyle(), "/flyte-data/"],
        ["virtual-hosted style with temporary keys", () => virtualHosted(), "/"],
    ])("puts, gets and deletes an object, %s, each signature verified", async (_name, target, pathPrefix) => {
        const body = Buffer.from("probe body\n");
        expect((await putObject(target(), KEY, body)).status).toBe(200);
        const got = await getObject(target(), KEY);
        expect(got.status).toBe(200);
        expect(got.body.equals(body)).toBe(true);
        expect((await deleteObject(target(), KEY)).status).toBe(204);
        expect(await getObject(target(), KEY)).toMatchObject({ status: 404, code: "NoSuchKey", message: "The specified key does not exist." });
        const encodedKey = "metadata/flytesnacks/flyte-verification/a%20b%2Bc%21%27%28%29%2A%C3%BC.txt";
        expect(s3.requests.map((r) => `${r.method} ${r.url}`)).toEqual(
            ["PUT", "GET", "DELETE", "GET"].map((method) => `${method} ${pathPrefix}${encodedKey}`),
        );
        expect(s3.objects.size).toBe(0);
    });

    it("sends the session token of temporary keys", async () => {
        await putObject(virtualHosted(), KEY, Buffer.from("x"));
        expect(s3.requests[0].headers["x-amz-security-token"]).toBe(TEMPORARY.sessionToken);
        expect(s3.requests[0].headers.authorization).toContain("SignedHeaders=content-type;host;x-amz-content-sha256;x-amz-date;x-amz-security-token,");
    });

    it("tries a 503 again", async () => {
        s3.state.failNext = 2;
        expect((await putObject(pathStyle(), KEY, Buffer.from("x"))).status).toBe(200);
    });

    it("gives the code and message of S3's error answers", async () => {
        expect(await putObject(pathStyle({ ...STATIC, secretAccessKey: "wrong" }), KEY, Buffer.from("x"))).toMatchObject({ status: 403, code: "SignatureDoesNotMatch" });
        expect(await putObject(pathStyle({ accessKeyId: "unknown", secretAccessKey: "x" }), KEY, Buffer.from("x"))).toMatchObject({ status: 403, code: "InvalidAccessKeyId" });
        expect(await putObject(pathStyle(STATIC, "eu-west-1"), KEY, Buffer.from("x"))).toMatchObject({
            status: 400,
            code: "AuthorizationHeaderMalformed",
            message: "the region 'eu-west-1' is wrong; expecting 'us-east-1'",
        });
        expect(await putObject(virtualHosted("missing-bucket"), KEY, Buffer.from("x"))).toMatchObject({ status: 404, code: "NoSuchBucket", message: "The specified bucket does not exist" });
        s3.state.denials = [{ bucket: "flyte-data", prefix: "metadata/", verb: "write" }];
        expect(await putObject(pathStyle(), KEY, Buffer.from("x"))).toMatchObject({ status: 403, code: "AccessDenied", message: "Access Denied" });
    });

    it("gets 403 AccessDenied for a missing key without s3:ListBucket, as S3 answers", async () => {
        s3.state.listBucket = false;
        expect(await getObject(pathStyle(), KEY)).toMatchObject({ status: 403, code: "AccessDenied" });
    });

    it("never quotes the secret key or session token", async () => {
        s3.state.forceError = { status: 400, code: "InvalidRequest", message: `echo ${TEMPORARY.secretAccessKey} ${TEMPORARY.sessionToken}` };
        const answer = await putObject(virtualHosted(), KEY, Buffer.from("x"));
        expect(answer.message).toBe("echo [redacted] [redacted]");
    });
});

describe("addresses", () => {
    it("is virtual-hosted on AWS and path style on an S3-compatible endpoint", () => {
        const env = fakeEnvironment({ s3BucketUrl: (bucket, region) => `https://${bucket}.s3.${region}.amazonaws.com` });
        expect(bucketUrl({ kind: "s3", region: "eu-central-1" }, "flyte-data", env)).toBe("https://flyte-data.s3.eu-central-1.amazonaws.com");
        expect(bucketUrl({ kind: "s3-compatible", endpoint: "http://minio.flyte-deps.svc.cluster.local:9000/", region: "us-east-1" }, "flyte-data", env)).toBe(
            "http://minio.flyte-deps.svc.cluster.local:9000/flyte-data",
        );
        expect(objectUrl("http://h/b", "p/a b/c")).toBe("http://h/b/p/a%20b/c");
    });
});
