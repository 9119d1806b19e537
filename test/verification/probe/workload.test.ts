/**
 * The workload stage end to end against the fakes: GKE Workload Identity with Cloud Storage, IRSA with S3
 * (virtual-hosted), static keys with an S3-compatible store (path style). Every message the storage checks can give,
 * the happy path of each pairing, the probe object deleted wherever it was written, and no secret in any line.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import type { DataLocation, WorkloadStage } from "../../../verification/probe/config";
import type { ProbeEnvironment } from "../../../verification/probe/environment";
import { VerificationFailure } from "../../../verification/probe/failure";
import { runWorkloadStage } from "../../../verification/probe/workload";
import { fakeEnvironment, type FakeS3, type FakeSts, Keyring, startFakeS3, startFakeSts } from "../../helpers/fakeAws";
import { closedUrl, type FakeGcs, type FakeMetadataServer, startFakeGcs, startFakeMetadataServer } from "../../helpers/fakeGcp";

const FAST = { timeoutMs: 2000, attempts: 3, backoffMs: 5 };
const ID = "0123456789abcdef";
const OPTIONS = { transport: FAST, probeId: () => ID, identitySettleMs: 0 };

const EMAIL = "flyte-dev-worker@my-proj.iam.gserviceaccount.com";
const GCP_TOKEN = "ya29.fake-access-token-for-the-worker";
const ROLE = "arn:aws:iam::123456789012:role/flyte-eks-worker";
const WEB_IDENTITY_TOKEN = "eyJhbGciOiJSUzI1NiJ9.fake-web-identity.sig";
const REGION = "eu-central-1";
const MINIO_KEY = { accessKeyId: "flyte-tasks", secretAccessKey: "minio/secret key+1", arn: "arn:aws:iam::000000000000:user/flyte-tasks" };

const metadataLocation = (bucket: string): DataLocation => ({ purpose: "metadata of project flytesnacks", bucket, prefix: "metadata/flytesnacks/" });
const rawLocation = (bucket: string): DataLocation => ({ purpose: "raw outputs of project flytesnacks", bucket, prefix: "raw/flytesnacks/" });

const base = { stage: "workload", namespace: "flytesnacks-development", serviceAccount: "default" } as const;
const gkeStage: WorkloadStage = {
    ...base,
    stack: "dev",
    identity: { kind: "gke", email: EMAIL, nodeEmail: "flyte-dev-nodes@my-proj.iam.gserviceaccount.com" },
    store: { kind: "gcs" },
    locations: [metadataLocation("flyte-dev-meta"), rawLocation("flyte-dev-data")],
};
const irsaStage: WorkloadStage = {
    ...base,
    stack: "eks",
    identity: { kind: "irsa", roleArn: ROLE, region: REGION },
    store: { kind: "s3", region: REGION },
    locations: [metadataLocation("flyte-eks-meta"), rawLocation("flyte-eks-data")],
};

let metadata: FakeMetadataServer;
let gcs: FakeGcs;
let keyring: Keyring;
let sts: FakeSts;
let awsS3: FakeS3;
let minio: FakeS3;
let dir: string;
let tokenFile: string;
let minioStage: WorkloadStage;

beforeAll(async () => {
    metadata = await startFakeMetadataServer({ email: EMAIL, token: GCP_TOKEN });
    gcs = await startFakeGcs({ token: GCP_TOKEN, email: EMAIL, buckets: ["flyte-dev-meta", "flyte-dev-data"] });
    keyring = new Keyring();
    keyring.add(MINIO_KEY);
    sts = await startFakeSts({ region: REGION, webIdentityToken: WEB_IDENTITY_TOKEN, trustedRoles: [ROLE] }, keyring);
    awsS3 = await startFakeS3({ region: REGION, buckets: ["flyte-eks-meta", "flyte-eks-data"], virtualBuckets: ["flyte-eks-meta", "flyte-eks-data", "flyte-eks-gone"] }, keyring);
    minio = await startFakeS3({ region: "us-east-1", buckets: ["flyte-local"] }, keyring);
    minioStage = {
        ...base,
        stack: "local",
        identity: { kind: "static-keys" },
        store: { kind: "s3-compatible", endpoint: minio.url, region: "us-east-1" },
        locations: [metadataLocation("flyte-local"), rawLocation("flyte-local")],
    };
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "probe-workload-"));
    tokenFile = path.join(dir, "token");
    fs.writeFileSync(tokenFile, WEB_IDENTITY_TOKEN);
});

afterAll(async () => {
    await Promise.all([metadata.close(), gcs.close(), sts.close(), awsS3.close(), minio.close()]);
    fs.rmSync(dir, { recursive: true, force: true });
});

beforeEach(() => {
    Object.assign(metadata.state, { email: EMAIL, token: GCP_TOKEN, refuseToken: false, failNext: 0 });
    Object.assign(gcs.state, { token: GCP_TOKEN, denials: [], ignoreDeletes: false, corruptReads: false, failNext: 0 });
    for (const fake of [awsS3, minio]) {
        Object.assign(fake.state, { denials: [], listBucket: true, ignoreDeletes: false, failNext: 0, forceError: undefined });
        fake.objects.clear();
        fake.requests.length = 0;
    }
    gcs.objects.clear();
    gcs.requests.length = 0;
});

const gkeEnv = (parts: { gcsUrl?: string } = {}): ProbeEnvironment => fakeEnvironment({ gcpMetadataUrl: metadata.url, gcsUrl: parts.gcsUrl ?? gcs.url });
const irsaEnv = (s3BucketUrl: (bucket: string) => string = (bucket) => awsS3.bucketUrl(bucket)): ProbeEnvironment =>
    fakeEnvironment({ stsUrl: sts.url, s3BucketUrl, variables: { AWS_ROLE_ARN: ROLE, AWS_WEB_IDENTITY_TOKEN_FILE: tokenFile } });
const minioEnv = (key: { accessKeyId: string; secretAccessKey: string } = MINIO_KEY): ProbeEnvironment =>
    fakeEnvironment({ variables: { FLYTE_AWS_ACCESS_KEY_ID: key.accessKeyId, FLYTE_AWS_SECRET_ACCESS_KEY: key.secretAccessKey, FLYTE_AWS_ENDPOINT: minio.url } });

/** Every secret of the test: tokens, the keys STS issued, the static secret. */
function secrets(): string[] {
    return [GCP_TOKEN, WEB_IDENTITY_TOKEN, ...keyring.all().flatMap((key) => [key.secretAccessKey, key.sessionToken ?? ""])].filter(Boolean);
}

/** Runs the stage; checks that every log line and the message are one line without a secret. */
async function run(config: WorkloadStage, env: ProbeEnvironment): Promise<{ logs: string[]; message?: string; check?: string }> {
    const logs: string[] = [];
    let failure: VerificationFailure | undefined;
    try {
        await runWorkloadStage(config, env, (line) => logs.push(line), OPTIONS);
    } catch (err) {
        if (!(err instanceof VerificationFailure)) {
            throw err;
        }
        failure = err;
    }
    for (const line of [...logs, failure?.message ?? ""]) {
        expect(line).not.toContain("\n");
        for (const secret of secrets()) {
            expect(line).not.toContain(secret);
        }
    }
    return { logs, message: failure?.message, check: failure?.check };
}

const gsProbe = (location: DataLocation) => `gs://${location.bucket}/${location.prefix}flyte-verification/${ID}.txt`;
const s3Probe = (location: DataLocation) => `s3://${location.bucket}/${location.prefix}flyte-verification/${ID}.txt`;

describe("GKE Workload Identity and Cloud Storage", () => {
    const raw = rawLocation("flyte-dev-data");
    const where = "gs://flyte-dev-data/raw/flytesnacks/ (raw outputs of project flytesnacks)";

    it("passes: the identity, then each location written, read back, deleted and gone", async () => {
        const result = await run(gkeStage, gkeEnv());
        expect(result).toEqual({
            logs: [
                `ok: task pods in flytesnacks-development run as ${EMAIL} and get an access token from the GKE metadata server`,
                `ok: ${EMAIL} wrote, read back and deleted ${gsProbe(metadataLocation("flyte-dev-meta"))} (metadata of project flytesnacks)`,
                `ok: ${EMAIL} wrote, read back and deleted ${gsProbe(raw)} (raw outputs of project flytesnacks)`,
            ],
            message: undefined,
            check: undefined,
        });
        expect(gcs.requests.map((r) => r.method)).toEqual(["POST", "GET", "DELETE", "GET", "POST", "GET", "DELETE", "GET"]);
        expect(gcs.objects.size).toBe(0);
    });

    it("passes through transient 503s", async () => {
        gcs.state.failNext = 2;
        metadata.state.failNext = 1;
        expect((await run(gkeStage, gkeEnv())).message).toBeUndefined();
    });

    it("stops at the identity before any storage call", async () => {
        metadata.state.email = "my-proj.svc.id.goog";
        const result = await run(gkeStage, gkeEnv());
        expect(result.check).toBe("identity");
        expect(result.message).toContain("lacks the annotation iam.gke.io/gcp-service-account=");
        expect(gcs.requests).toHaveLength(0);
    });

    it("names the identity, location, verb and permission when a write is refused", async () => {
        gcs.state.denials = [{ bucket: "flyte-dev-data", prefix: "raw/", verb: "write" }];
        const result = await run(gkeStage, gkeEnv());
        expect(result.check).toBe("storage");
        expect(result.message).toBe(
            `stack dev: ${EMAIL} may not write objects in ${where} (Cloud Storage answered 403: ${EMAIL} does not have storage.objects.create access to the Google Cloud Storage object. Permission 'storage.objects.create' denied on resource (or it may not exist)): ${EMAIL} lacks storage.objects.create on the bucket flyte-dev-data, or (with project isolation) its IAM condition does not cover the prefix raw/flytesnacks/`,
        );
        expect(gcs.objects.size).toBe(0);
    });

    it("deletes the probe object when the read is refused", async () => {
        gcs.state.denials = [{ bucket: "flyte-dev-data", prefix: "raw/", verb: "read" }];
        expect((await run(gkeStage, gkeEnv())).message).toBe(
            `stack dev: ${EMAIL} may not read objects in ${where} (Cloud Storage answered 403: ${EMAIL} does not have storage.objects.get access to the Google Cloud Storage object. Permission 'storage.objects.get' denied on resource (or it may not exist)): ${EMAIL} lacks storage.objects.get on the bucket flyte-dev-data, or (with project isolation) its IAM condition does not cover the prefix raw/flytesnacks/`,
        );
        expect(gcs.requests.slice(-2).map((r) => r.method)).toEqual(["GET", "DELETE"]);
        expect(gcs.objects.size).toBe(0);
    });

    it("names the refused delete (the object stays, there is no other way)", async () => {
        gcs.state.denials = [{ bucket: "flyte-dev-data", prefix: "raw/", verb: "delete" }];
        expect((await run(gkeStage, gkeEnv())).message).toBe(
            `stack dev: ${EMAIL} may not delete objects in ${where} (Cloud Storage answered 403: ${EMAIL} does not have storage.objects.delete access to the Google Cloud Storage object. Permission 'storage.objects.delete' denied on resource (or it may not exist)): ${EMAIL} lacks storage.objects.delete on the bucket flyte-dev-data, or (with project isolation) its IAM condition does not cover the prefix raw/flytesnacks/`,
        );
        expect([...gcs.objects.keys()]).toEqual([`flyte-dev-data/raw/flytesnacks/flyte-verification/${ID}.txt`]);
    });

    it("reports the refused read first, and the object left behind when the delete is refused too", async () => {
        gcs.state.denials = [
            { bucket: "flyte-dev-data", prefix: "raw/", verb: "read" },
            { bucket: "flyte-dev-data", prefix: "raw/", verb: "delete" },
        ];
        expect((await run(gkeStage, gkeEnv())).message).toBe(
            `stack dev: ${EMAIL} may not read objects in ${where} (Cloud Storage answered 403: ${EMAIL} does not have storage.objects.get access to the Google Cloud Storage object. Permission 'storage.objects.get' denied on resource (or it may not exist)): ${EMAIL} lacks storage.objects.get on the bucket flyte-dev-data, or (with project isolation) its IAM condition does not cover the prefix raw/flytesnacks/; the probe object ${gsProbe(raw)} is left behind (its delete failed too: 403: ${EMAIL} does not have storage.objects.delete access to the Google Cloud Storage object. Permission 'storage.objects.delete' denied on resource (or it may not exist))`,
        );
    });

    it("leaves out project isolation's condition for a location at the bucket's root", async () => {
        gcs.state.denials = [{ bucket: "flyte-dev-data", prefix: "", verb: "write" }];
        const config = { ...gkeStage, locations: [{ purpose: "raw outputs", bucket: "flyte-dev-data", prefix: "" }] };
        expect((await run(config, gkeEnv())).message).toMatch(/\): flyte-dev-worker@my-proj\.iam\.gserviceaccount\.com lacks storage\.objects\.create on the bucket flyte-dev-data$/);
    });

    it("names a bucket that does not exist", async () => {
        const config = { ...gkeStage, locations: [rawLocation("flyte-dev-gone")] };
        expect((await run(config, gkeEnv())).message).toBe(
            "stack dev: the bucket flyte-dev-gone of raw outputs of project flytesnacks does not exist (a write in gs://flyte-dev-gone/raw/flytesnacks/ answered 404: The specified bucket does not exist): create it, or correct the bucket the stack gives Flyte",
        );
    });

    it("reports a probe object still readable after its delete", async () => {
        gcs.state.ignoreDeletes = true;
        expect((await run(gkeStage, gkeEnv())).message).toBe(
            `stack dev: the probe object ${gsProbe(metadataLocation("flyte-dev-meta"))} (metadata of project flytesnacks) can still be read after ${EMAIL} deleted it (the delete answered 204): Cloud Storage keeps deleted objects (a retention policy or object lock?); remove it by hand`,
        );
    });

    it("reports bytes read back that differ from those written, and deletes the object", async () => {
        gcs.state.corruptReads = true;
        expect((await run(gkeStage, gkeEnv())).message).toMatch(
            new RegExp(
                `^stack dev: the probe object read back from gs://flyte-dev-meta/metadata/flytesnacks/flyte-verification/${ID}\\.txt \\(metadata of project flytesnacks\\) is not what ${EMAIL.replace(/\./g, "\\.")} wrote \\(14 bytes instead of \\d+\\): something between the pods and Cloud Storage alters objects$`,
            ),
        );
        expect(gcs.objects.size).toBe(0);
    });

    it("reports Cloud Storage not answering", async () => {
        const nowhere = await closedUrl();
        expect((await run(gkeStage, gkeEnv({ gcsUrl: nowhere }))).message).toBe(
            `stack dev: Cloud Storage did not answer when ${EMAIL} tried to write in gs://flyte-dev-meta/metadata/flytesnacks/ (metadata of project flytesnacks) (connect ECONNREFUSED ${nowhere.slice(7)}): the pods have no route to Cloud Storage (Private Google Access off on the nodes' subnet, or a firewall or NetworkPolicy blocks egress)`,
        );
    });

    it("quotes any other answer", async () => {
        gcs.state.token = "a token Cloud Storage knows, not the pod's";
        expect((await run(gkeStage, gkeEnv())).message).toBe(
            `stack dev: a write by ${EMAIL} in gs://flyte-dev-meta/metadata/flytesnacks/ (metadata of project flytesnacks) failed (Cloud Storage answered 401: Invalid Credentials)`,
        );
    });

    it("quotes an answer other than \"not found\" to reading the deleted object", async () => {
        gcs.state.failFrom = 4;
        try {
            expect((await run(gkeStage, gkeEnv())).message).toBe(
                `stack dev: reading the deleted probe object ${gsProbe(metadataLocation("flyte-dev-meta"))} (metadata of project flytesnacks) answered 503: Backend Error instead of "not found"`,
            );
            expect(gcs.objects.size).toBe(0);
        } finally {
            gcs.state.failFrom = undefined;
        }
    });

    it("refuses a config that pairs Cloud Storage with an AWS identity", async () => {
        const result = await run({ ...gkeStage, identity: { kind: "static-keys" } }, minioEnv());
        expect(result).toMatchObject({
            check: "config",
            message: "stack dev: the workload stage checks a gcs store with a static-keys identity, which cannot reach it: a bug in the verification config",
        });
    });
});

describe("IRSA and S3", () => {
    const raw = rawLocation("flyte-eks-data");
    const where = "s3://flyte-eks-data/raw/flytesnacks/ (raw outputs of project flytesnacks)";

    it("passes: the role assumed and proven, then each location written, read back, deleted and gone (virtual-hosted)", async () => {
        const result = await run(irsaStage, irsaEnv());
        expect(result.logs).toEqual([
            `ok: task pods in flytesnacks-development assume ${ROLE} through IRSA, and STS knows them as that role`,
            `ok: ${ROLE} wrote, read back and deleted ${s3Probe(metadataLocation("flyte-eks-meta"))} (metadata of project flytesnacks)`,
            `ok: ${ROLE} wrote, read back and deleted ${s3Probe(raw)} (raw outputs of project flytesnacks)`,
        ]);
        expect(result.message).toBeUndefined();
        expect(awsS3.requests.map((r) => `${r.method} ${r.url}`).slice(0, 4)).toEqual(
            ["PUT", "GET", "DELETE", "GET"].map((method) => `${method} /metadata/flytesnacks/flyte-verification/${ID}.txt`),
        );
        expect(awsS3.objects.size).toBe(0);
    });

    it("takes a refused read of the deleted object as gone when the role may not list the bucket", async () => {
        awsS3.state.listBucket = false;
        expect((await run(irsaStage, irsaEnv())).message).toBeUndefined();
        expect(awsS3.objects.size).toBe(0);
    });

    it.each([
        ["write", "s3:PutObject"],
        ["read", "s3:GetObject"],
        ["delete", "s3:DeleteObject"],
    ] as const)("names the role, location and action when a %s is refused", async (verb, action) => {
        awsS3.state.denials = [{ bucket: "flyte-eks-data", prefix: "raw/", verb }];
        expect((await run(irsaStage, irsaEnv())).message).toBe(
            `stack eks: ${ROLE} may not ${verb} objects in ${where} (S3 answered 403 AccessDenied: Access Denied): the role's policy lacks ${action} on arn:aws:s3:::flyte-eks-data/raw/flytesnacks/*, or a bucket policy or the bucket's KMS key denies it`,
        );
        expect(awsS3.objects.size).toBe(verb === "delete" ? 1 : 0);
    });

    it("names a bucket that does not exist", async () => {
        const config = { ...irsaStage, locations: [rawLocation("flyte-eks-gone")] };
        expect((await run(config, irsaEnv())).message).toBe(
            "stack eks: the bucket flyte-eks-gone of raw outputs of project flytesnacks does not exist (a write in s3://flyte-eks-gone/raw/flytesnacks/ answered 404 NoSuchBucket: The specified bucket does not exist): create it, or correct the bucket the stack gives Flyte",
        );
    });

    it("reports a probe object still readable after its delete", async () => {
        awsS3.state.ignoreDeletes = true;
        expect((await run(irsaStage, irsaEnv())).message).toBe(
            `stack eks: the probe object ${s3Probe(metadataLocation("flyte-eks-meta"))} (metadata of project flytesnacks) can still be read after ${ROLE} deleted it (the delete answered 204): S3 keeps deleted objects (a retention policy or object lock?); remove it by hand`,
        );
    });

    it("names the clock when S3 finds the request time skewed", async () => {
        awsS3.state.forceError = { status: 403, code: "RequestTimeTooSkewed", message: "The difference between the request time and the current time is too large." };
        expect((await run(irsaStage, irsaEnv())).message).toBe(
            `stack eks: S3 refused a write in s3://flyte-eks-meta/metadata/flytesnacks/ (metadata of project flytesnacks) by ${ROLE} (403 RequestTimeTooSkewed: The difference between the request time and the current time is too large): the pod's clock is more than 15 minutes off (fix the nodes' time sync)`,
        );
    });

    it("quotes another error after its retries", async () => {
        awsS3.state.forceError = { status: 500, code: "InternalError", message: "We encountered an internal error. Please try again." };
        expect((await run(irsaStage, irsaEnv())).message).toBe(
            `stack eks: a write by ${ROLE} in s3://flyte-eks-meta/metadata/flytesnacks/ (metadata of project flytesnacks) failed (S3 answered 500 InternalError: We encountered an internal error. Please try again)`,
        );
        expect(awsS3.requests).toHaveLength(3);
    });

    it("names the key's IAM policy for static keys on S3", async () => {
        awsS3.state.denials = [{ bucket: "flyte-eks-data", prefix: "raw/", verb: "write" }];
        const config: WorkloadStage = { ...irsaStage, identity: { kind: "static-keys" } };
        const env = fakeEnvironment({
            s3BucketUrl: (bucket) => awsS3.bucketUrl(bucket),
            variables: { FLYTE_AWS_ACCESS_KEY_ID: MINIO_KEY.accessKeyId, FLYTE_AWS_SECRET_ACCESS_KEY: MINIO_KEY.secretAccessKey },
        });
        expect((await run(config, env)).message).toBe(
            `stack eks: the namespace's static key may not write objects in ${where} (S3 answered 403 AccessDenied: Access Denied): the key's IAM policy lacks s3:PutObject on arn:aws:s3:::flyte-eks-data/raw/flytesnacks/*, or a bucket policy or the bucket's KMS key denies it`,
        );
    });

    it("reports S3 not answering", async () => {
        const nowhere = await closedUrl();
        expect((await run(irsaStage, irsaEnv((bucket) => `${nowhere}/${bucket}`))).message).toBe(
            `stack eks: S3 did not answer when ${ROLE} tried to write in s3://flyte-eks-meta/metadata/flytesnacks/ (metadata of project flytesnacks) (connect ECONNREFUSED ${nowhere.slice(7)}): the pods have no route to S3 (no NAT gateway or S3 gateway endpoint, or a NetworkPolicy blocks egress)`,
        );
    });
});

describe("static keys and an S3-compatible store", () => {
    const where = "s3://flyte-local/raw/flytesnacks/ (raw outputs of project flytesnacks)";

    it("passes: the keys present, then each location written, read back, deleted and gone (path style)", async () => {
        const result = await run(minioStage, minioEnv());
        expect(result.logs).toEqual([
            "ok: task pods in flytesnacks-development have the store keys of the Secret flyte-storage-credentials",
            `ok: the namespace's static key wrote, read back and deleted ${s3Probe(metadataLocation("flyte-local"))} (metadata of project flytesnacks)`,
            `ok: the namespace's static key wrote, read back and deleted ${s3Probe(rawLocation("flyte-local"))} (raw outputs of project flytesnacks)`,
        ]);
        expect(minio.requests[0].url).toBe(`/flyte-local/metadata/flytesnacks/flyte-verification/${ID}.txt`);
        expect(minio.objects.size).toBe(0);
    });

    it("names the key's policy in the store when a write is refused", async () => {
        minio.state.denials = [{ bucket: "flyte-local", prefix: "raw/", verb: "write" }];
        expect((await run(minioStage, minioEnv())).message).toBe(
            `stack local: the namespace's static key may not write objects in ${where} (the S3-compatible store at ${minio.url} answered 403 AccessDenied: Access Denied): the key's policy in the store (MinIO: the user's policy) lacks s3:PutObject on arn:aws:s3:::flyte-local/raw/flytesnacks/*`,
        );
    });

    it("names the key or the clock when the signature is refused", async () => {
        expect((await run(minioStage, minioEnv({ accessKeyId: MINIO_KEY.accessKeyId, secretAccessKey: "another secret" }))).message).toBe(
            `stack local: the S3-compatible store at ${minio.url} refused the signature of the namespace's static key on a write in s3://flyte-local/metadata/flytesnacks/ (metadata of project flytesnacks) (403 SignatureDoesNotMatch: The request signature we calculated does not match the signature you provided. Check your key and signing method): the secret key does not belong to the access key, or the pod's clock is wrong`,
        );
    });

    it("names a stale key the store does not know", async () => {
        expect((await run(minioStage, minioEnv({ accessKeyId: "removed-user", secretAccessKey: "whatever secret" }))).message).toBe(
            `stack local: the S3-compatible store at ${minio.url} does not know the access key of the namespace's static key, refusing a write in s3://flyte-local/metadata/flytesnacks/ (metadata of project flytesnacks) (403 InvalidAccessKeyId: The AWS Access Key Id you provided does not exist in our records): the key in the Secret flyte-storage-credentials is stale (rotated, or its user removed from the store)`,
        );
    });

    it("names the Secret when the keys are missing", async () => {
        expect((await run(minioStage, fakeEnvironment({}))).message).toBe(
            "stack local: task pods in flytesnacks-development get no store keys (FLYTE_AWS_ACCESS_KEY_ID and FLYTE_AWS_SECRET_ACCESS_KEY not set): the Secret flyte-storage-credentials in flytesnacks-development is missing or lacks them (Flyte's cluster resource sync creates it; task pods get it through default-env-from-secrets)",
        );
    });

    it("reports a store that does not answer", async () => {
        const nowhere = await closedUrl();
        const config: WorkloadStage = { ...minioStage, store: { kind: "s3-compatible", endpoint: nowhere, region: "us-east-1" } };
        const env = fakeEnvironment({ variables: { FLYTE_AWS_ACCESS_KEY_ID: MINIO_KEY.accessKeyId, FLYTE_AWS_SECRET_ACCESS_KEY: MINIO_KEY.secretAccessKey, FLYTE_AWS_ENDPOINT: nowhere } });
        expect((await run(config, env)).message).toBe(
            `stack local: the S3-compatible store at ${nowhere} did not answer when the namespace's static key tried to write in s3://flyte-local/metadata/flytesnacks/ (metadata of project flytesnacks) (connect ECONNREFUSED ${nowhere.slice(7)}): the store is down, or a NetworkPolicy blocks the pods' egress to it`,
        );
    });
});
