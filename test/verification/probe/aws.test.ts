/**
 * The IRSA identity check against the fake STS (AssumeRoleWithWebIdentity, then GetCallerIdentity whose SigV4
 * signature the fake verifies with @smithy/signature-v4), and the static keys' check: every message they can give.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { awsError, parseRoleArn, staticKeysIdentity, verifyIrsaIdentity, xmlText } from "../../../verification/probe/aws";
import type { WorkloadStage } from "../../../verification/probe/config";
import { VerificationFailure } from "../../../verification/probe/failure";
import { fakeEnvironment, type FakeSts, startFakeSts } from "../../helpers/fakeAws";
import { closedUrl } from "../../helpers/fakeGcp";

const FAST = { timeoutMs: 2000, attempts: 3, backoffMs: 5 };
const REGION = "eu-central-1";
const ROLE = "arn:aws:iam::123456789012:role/flyte/flyte-dev-worker";
const WEB_IDENTITY_TOKEN = "eyJhbGciOiJSUzI1NiJ9.fake-web-identity-token.signature";

const stage: WorkloadStage = {
    stage: "workload",
    stack: "eks",
    namespace: "flytesnacks-development",
    serviceAccount: "default",
    identity: { kind: "irsa", roleArn: ROLE, region: REGION },
    store: { kind: "s3", region: REGION },
    locations: [],
};
const check = { roleArn: ROLE, region: REGION };

let sts: FakeSts;
let dir: string;
let tokenFile: string;

beforeAll(async () => {
    sts = await startFakeSts({ region: REGION, webIdentityToken: WEB_IDENTITY_TOKEN, trustedRoles: [ROLE] });
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "probe-aws-"));
    tokenFile = path.join(dir, "token");
    fs.writeFileSync(tokenFile, `${WEB_IDENTITY_TOKEN}\n`);
});

afterAll(async () => {
    await sts.close();
    fs.rmSync(dir, { recursive: true, force: true });
});

beforeEach(() => {
    Object.assign(sts.state, { webIdentityToken: WEB_IDENTITY_TOKEN, trustedRoles: [ROLE], assumeError: undefined, issueWrongSecret: false, callerArn: undefined, failNext: 0 });
    sts.requests.length = 0;
});

function env(variables: Record<string, string | undefined> = { AWS_ROLE_ARN: ROLE, AWS_WEB_IDENTITY_TOKEN_FILE: tokenFile }, stsUrl = sts.url) {
    return fakeEnvironment({ stsUrl, variables });
}

/** Every secret the test knows: the web identity token and each key the fake STS issued. */
function secrets(): string[] {
    return [WEB_IDENTITY_TOKEN, ...sts.keyring.all().flatMap((key) => [key.secretAccessKey, key.sessionToken ?? ""])].filter(Boolean);
}

async function irsaFailure(environment = env()): Promise<VerificationFailure> {
    const failure = await verifyIrsaIdentity(stage, check, environment, FAST).then(
        () => undefined,
        (err: unknown) => err,
    );
    expect(failure).toBeInstanceOf(VerificationFailure);
    const message = (failure as VerificationFailure).message;
    for (const secret of secrets()) {
        expect(message).not.toContain(secret);
    }
    return failure as VerificationFailure;
}

describe("verifyIrsaIdentity", () => {
    it("assumes the role with the web identity token and proves the credentials with a signed GetCallerIdentity", async () => {
        const identity = await verifyIrsaIdentity(stage, check, env(), FAST);
        const issued = sts.keyring.all().at(-1);
        expect(identity).toEqual({
            label: ROLE,
            partition: "aws",
            credentials: { accessKeyId: issued?.accessKeyId, secretAccessKey: issued?.secretAccessKey, sessionToken: issued?.sessionToken },
            static: false,
        });
        const [assume, caller] = sts.requests;
        const assumeForm = new URLSearchParams(assume.body);
        expect(Object.fromEntries(assumeForm)).toEqual({
            Action: "AssumeRoleWithWebIdentity",
            Version: "2011-06-15",
            RoleArn: ROLE,
            RoleSessionName: expect.stringMatching(/^flyte-verification-\d+$/),
            WebIdentityToken: WEB_IDENTITY_TOKEN,
        });
        expect(assume.headers.authorization).toBeUndefined();
        expect(caller.body).toBe("Action=GetCallerIdentity&Version=2011-06-15");
        expect(caller.headers.authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=ASIA[0-9A-F]+\/\d{8}\/eu-central-1\/sts\/aws4_request, SignedHeaders=content-type;host;x-amz-content-sha256;x-amz-date;x-amz-security-token, /);
        expect(caller.headers["x-amz-security-token"]).toBe(issued?.sessionToken);
    });

    it("tries STS again when it is briefly unavailable", async () => {
        sts.state.failNext = 2;
        await expect(verifyIrsaIdentity(stage, check, env(), FAST)).resolves.toMatchObject({ label: ROLE });
    });

    it("names the missing annotation when the webhook injected nothing", async () => {
        expect((await irsaFailure(env({}))).message).toBe(
            `stack eks: task pods in flytesnacks-development get no IAM role (AWS_ROLE_ARN and AWS_WEB_IDENTITY_TOKEN_FILE not set): the service account flytesnacks-development/default lacks the annotation eks.amazonaws.com/role-arn=${ROLE}, or the EKS pod identity webhook did not mutate the pod`,
        );
        expect((await irsaFailure(env({ AWS_ROLE_ARN: ROLE }))).message).toBe(
            `stack eks: task pods in flytesnacks-development get no IAM role (AWS_WEB_IDENTITY_TOKEN_FILE not set): the service account flytesnacks-development/default lacks the annotation eks.amazonaws.com/role-arn=${ROLE}, or the EKS pod identity webhook did not mutate the pod`,
        );
    });

    it("quotes both roles when the annotation names another", async () => {
        const other = "arn:aws:iam::123456789012:role/flyte-dev-admin";
        expect((await irsaFailure(env({ AWS_ROLE_ARN: other, AWS_WEB_IDENTITY_TOKEN_FILE: tokenFile }))).message).toBe(
            `stack eks: task pods in flytesnacks-development get the IAM role ${other}, not ${ROLE}: the annotation eks.amazonaws.com/role-arn on the service account flytesnacks-development/default names the wrong role`,
        );
    });

    it("reports a token file it cannot read, and an empty one", async () => {
        const missing = path.join(dir, "missing");
        expect((await irsaFailure(env({ AWS_ROLE_ARN: ROLE, AWS_WEB_IDENTITY_TOKEN_FILE: missing }))).message).toBe(
            `stack eks: task pods in flytesnacks-development cannot read their web identity token ${missing} (ENOENT): the EKS pod identity webhook's projected token volume is missing from the pod`,
        );
        const empty = path.join(dir, "empty");
        fs.writeFileSync(empty, "");
        expect((await irsaFailure(env({ AWS_ROLE_ARN: ROLE, AWS_WEB_IDENTITY_TOKEN_FILE: empty }))).message).toBe(
            `stack eks: the web identity token ${empty} of task pods in flytesnacks-development is empty`,
        );
    });

    it("names the trust policy on AccessDenied", async () => {
        sts.state.trustedRoles = [];
        expect((await irsaFailure()).message).toBe(
            `stack eks: STS refused AssumeRoleWithWebIdentity of ${ROLE} to task pods in flytesnacks-development (AccessDenied: Not authorized to perform sts:AssumeRoleWithWebIdentity): the role's trust policy does not admit system:serviceaccount:flytesnacks-development:default through this cluster's OIDC provider (its Federated principal, or the :sub / :aud conditions)`,
        );
    });

    it("names the OIDC provider on InvalidIdentityToken", async () => {
        sts.state.webIdentityToken = "a token from another issuer";
        expect((await irsaFailure()).message).toBe(
            `stack eks: STS refused AssumeRoleWithWebIdentity of ${ROLE} to task pods in flytesnacks-development (InvalidIdentityToken: No OpenIDConnect provider found in your account for https://oidc.eks.eu-central-1.amazonaws.com/id/FAKE): this cluster's OIDC provider is not registered in IAM, or its thumbprint or audience (sts.amazonaws.com) is wrong`,
        );
    });

    it("quotes other refusals", async () => {
        sts.state.assumeError = { status: 400, code: "ExpiredTokenException", message: "Token expired: current date/time 1700000000 must be before the expiration date/time 1690000000" };
        expect((await irsaFailure()).message).toBe(
            `stack eks: STS refused AssumeRoleWithWebIdentity of ${ROLE} to task pods in flytesnacks-development (ExpiredTokenException: Token expired: current date/time 1700000000 must be before the expiration date/time 1690000000)`,
        );
    });

    it("reports an STS that does not answer", async () => {
        const nowhere = await closedUrl();
        expect((await irsaFailure(env(undefined, nowhere))).message).toBe(
            `stack eks: STS at ${nowhere} did not answer AssumeRoleWithWebIdentity from task pods in flytesnacks-development (connect ECONNREFUSED ${nowhere.slice(7)}): the pods have no route to STS (no NAT gateway or sts VPC endpoint, or a NetworkPolicy blocks egress)`,
        );
    });

    it("reports a refused signature on GetCallerIdentity", async () => {
        sts.state.issueWrongSecret = true;
        expect((await irsaFailure()).message).toBe(
            `stack eks: STS refused GetCallerIdentity with the credentials of ${ROLE} (SignatureDoesNotMatch: The request signature we calculated does not match the signature you provided. Check your key and signing method.): the request's signature was refused (the pod's clock is wrong, or the credentials are)`,
        );
    });

    it("reports credentials STS knows as someone else", async () => {
        sts.state.callerArn = "arn:aws:sts::123456789012:assumed-role/other/x";
        expect((await irsaFailure()).message).toMatch(
            /^stack eks: STS knows the credentials task pods in flytesnacks-development got for arn:aws:iam::123456789012:role\/flyte\/flyte-dev-worker as arn:aws:sts::123456789012:assumed-role\/other\/x, not arn:aws:sts::123456789012:assumed-role\/flyte-dev-worker\/flyte-verification-\d+$/,
        );
    });

    it("refuses a config whose role is not a role ARN", async () => {
        const failure = await verifyIrsaIdentity(stage, { roleArn: "flyte-dev-worker", region: REGION }, env(), FAST).catch((err: unknown) => err);
        expect((failure as VerificationFailure).message).toBe(
            'stack eks: the workload stage expects the IAM role "flyte-dev-worker", which is not a role ARN: a bug in the verification config',
        );
        expect((failure as VerificationFailure).check).toBe("config");
    });
});

describe("staticKeysIdentity", () => {
    const local: WorkloadStage = { ...stage, stack: "local", identity: { kind: "static-keys" } };

    it("takes the keys task pods get from flyte-storage-credentials", () => {
        expect(staticKeysIdentity(local, env({ FLYTE_AWS_ACCESS_KEY_ID: "minio-flyte", FLYTE_AWS_SECRET_ACCESS_KEY: "s3cr3t/with spaces" }))).toEqual({
            label: "the namespace's static key",
            partition: "aws",
            credentials: { accessKeyId: "minio-flyte", secretAccessKey: "s3cr3t/with spaces" },
            static: true,
        });
    });

    it("checks that task pods are sent to the S3-compatible store checked", () => {
        const minio: WorkloadStage = { ...local, store: { kind: "s3-compatible", endpoint: "http://minio.flyte-deps.svc.cluster.local:9000", region: "us-east-1" } };
        const keys = { FLYTE_AWS_ACCESS_KEY_ID: "minio-flyte", FLYTE_AWS_SECRET_ACCESS_KEY: "s3cr3t" };
        expect(staticKeysIdentity(minio, env({ ...keys, FLYTE_AWS_ENDPOINT: "http://minio.flyte-deps.svc.cluster.local:9000/" })).static).toBe(true);
        expect(() => staticKeysIdentity(minio, env(keys))).toThrow(
            "stack local: task pods in flytesnacks-development would send their objects to AWS S3 (FLYTE_AWS_ENDPOINT not set), not the store at http://minio.flyte-deps.svc.cluster.local:9000: FLYTE_AWS_ENDPOINT in the Secret flyte-storage-credentials in flytesnacks-development is missing",
        );
        expect(() => staticKeysIdentity(minio, env({ ...keys, FLYTE_AWS_ENDPOINT: "http://minio.elsewhere:9000" }))).toThrow(
            "stack local: task pods in flytesnacks-development would send their objects to http://minio.elsewhere:9000, not the store at http://minio.flyte-deps.svc.cluster.local:9000: FLYTE_AWS_ENDPOINT in the Secret flyte-storage-credentials in flytesnacks-development is wrong",
        );
    });

    it("names the Secret when the keys are missing", () => {
        expect(() => staticKeysIdentity(local, env({ FLYTE_AWS_ACCESS_KEY_ID: "minio-flyte" }))).toThrow(
            "stack local: task pods in flytesnacks-development get no store keys (FLYTE_AWS_SECRET_ACCESS_KEY not set): the Secret flyte-storage-credentials in flytesnacks-development is missing or lacks them (Flyte's cluster resource sync creates it; task pods get it through default-env-from-secrets)",
        );
    });
});

describe("XML and ARNs", () => {
    it("reads elements and decodes entities", () => {
        expect(xmlText('<A><Message a="1">x &amp; y &lt;z&gt; &#65;&#x42;</Message></A>', "Message")).toBe("x & y <z> AB");
        expect(xmlText("<A/>", "Message")).toBeUndefined();
        expect(awsError(Buffer.from("<Error><Code>NoSuchKey</Code><Message>gone</Message></Error>"))).toEqual({ code: "NoSuchKey", message: "gone" });
        expect(awsError(Buffer.from("not xml"))).toBeUndefined();
    });

    it("splits a role ARN, path and all", () => {
        expect(parseRoleArn("arn:aws-cn:iam::123456789012:role/a/b/name")).toEqual({ partition: "aws-cn", account: "123456789012", name: "name" });
        expect(parseRoleArn("arn:aws:iam::123456789012:user/name")).toBeUndefined();
    });
});
