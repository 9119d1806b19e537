/**
 * The GKE identity check and the Cloud Storage client against the fakes of GKE's metadata server and the JSON API:
 * every message the identity check can give, and the object calls' requests and answers.
 */
import type { WorkloadStage } from "../../../verification/probe/config";
import { VerificationFailure } from "../../../verification/probe/failure";
import { gcsDelete, gcsDownload, gcsUpload, verifyGkeIdentity } from "../../../verification/probe/gcp";
import { closedUrl, type FakeGcs, type FakeMetadataServer, startFakeGcs, startFakeMetadataServer } from "../../helpers/fakeGcp";

const FAST = { timeoutMs: 2000, attempts: 3, backoffMs: 5 };
const EMAIL = "flyte-dev-worker@my-proj.iam.gserviceaccount.com";
const NODE_EMAIL = "flyte-dev-nodes@my-proj.iam.gserviceaccount.com";
const TOKEN = "ya29.fake-access-token-0123456789";

const stage: WorkloadStage = {
    stage: "workload",
    stack: "dev",
    namespace: "flytesnacks-development",
    serviceAccount: "default",
    identity: { kind: "gke", email: EMAIL, nodeEmail: NODE_EMAIL },
    store: { kind: "gcs" },
    locations: [],
};

let metadata: FakeMetadataServer;
let gcs: FakeGcs;

beforeAll(async () => {
    metadata = await startFakeMetadataServer({ email: EMAIL, token: TOKEN });
    gcs = await startFakeGcs({ token: TOKEN, email: EMAIL, buckets: ["flyte-dev-data"] });
});

afterAll(async () => {
    await metadata.close();
    await gcs.close();
});

beforeEach(() => {
    Object.assign(metadata.state, { email: EMAIL, token: TOKEN, refuseToken: false, failNext: 0 });
    metadata.requests.length = 0;
});

/** The message verifyGkeIdentity fails with; asserts it never carries the token. */
async function identityFailure(metadataUrl = metadata.url, check: { email: string; nodeEmail?: string } = { email: EMAIL, nodeEmail: NODE_EMAIL }): Promise<string> {
    const failure = await verifyGkeIdentity(stage, check, metadataUrl, FAST).then(
        () => undefined,
        (err: unknown) => err,
    );
    expect(failure).toBeInstanceOf(VerificationFailure);
    const message = (failure as VerificationFailure).message;
    expect(message).not.toContain(TOKEN);
    expect((failure as VerificationFailure).check).toBe("identity");
    return message;
}

describe("verifyGkeIdentity", () => {
    it("returns the email and the access token, asking with Metadata-Flavor: Google", async () => {
        await expect(verifyGkeIdentity(stage, stage.identity as { email: string }, metadata.url, FAST)).resolves.toEqual({ email: EMAIL, accessToken: TOKEN });
        expect(metadata.requests.map((r) => [r.url, r.headers["metadata-flavor"]])).toEqual([
            ["/computeMetadata/v1/instance/service-accounts/default/email", "Google"],
            ["/computeMetadata/v1/instance/service-accounts/default/token", "Google"],
        ]);
    });

    it("asks again while the metadata server settles on a new pod, within the window it is given", async () => {
        metadata.state.email = "my-proj.svc.id.goog";
        const settling = verifyGkeIdentity(stage, { email: EMAIL }, metadata.url, FAST, 5000);
        setTimeout(() => {
            metadata.state.email = EMAIL;
        }, 300);
        await expect(settling).resolves.toEqual({ email: EMAIL, accessToken: TOKEN });
        expect(metadata.requests.length).toBeGreaterThan(2);
    });

    it("reports the last wrong answer once the settling window has passed", async () => {
        metadata.state.email = NODE_EMAIL;
        const started = Date.now();
        const failure = await verifyGkeIdentity(stage, { email: EMAIL, nodeEmail: NODE_EMAIL }, metadata.url, FAST, 1500).catch((err: unknown) => err);
        expect((failure as VerificationFailure).message).toContain("(the nodes' account)");
        expect(metadata.requests).toHaveLength(2);
        expect(Date.now() - started).toBeLessThan(1500);
    });

    it("tries again when the metadata server is briefly unavailable", async () => {
        metadata.state.failNext = 2;
        await expect(verifyGkeIdentity(stage, { email: EMAIL }, metadata.url, FAST)).resolves.toEqual({ email: EMAIL, accessToken: TOKEN });
    });

    it("names the node pool when the pod runs as the nodes' account", async () => {
        metadata.state.email = NODE_EMAIL;
        expect(await identityFailure()).toBe(
            `stack dev: task pods in flytesnacks-development run as ${NODE_EMAIL} (the nodes' account), not ${EMAIL}: the node pool lacks GKE_METADATA (workload metadata) or Workload Identity is off on the cluster`,
        );
    });

    it("recognizes the Compute Engine default account as the nodes' too", async () => {
        metadata.state.email = "123456789012-compute@developer.gserviceaccount.com";
        expect(await identityFailure(metadata.url, { email: EMAIL })).toBe(
            `stack dev: task pods in flytesnacks-development run as 123456789012-compute@developer.gserviceaccount.com (the nodes' account), not ${EMAIL}: the node pool lacks GKE_METADATA (workload metadata) or Workload Identity is off on the cluster`,
        );
    });

    it("names the missing annotation when the pod runs as the bare workload pool", async () => {
        metadata.state.email = "my-proj.svc.id.goog";
        expect(await identityFailure()).toBe(
            `stack dev: task pods in flytesnacks-development run as my-proj.svc.id.goog (the workload pool, no Google service account), not ${EMAIL}: the service account flytesnacks-development/default lacks the annotation iam.gke.io/gcp-service-account=${EMAIL}`,
        );
    });

    it("names the wrong annotation when the pod runs as another account", async () => {
        metadata.state.email = "someone-else@my-proj.iam.gserviceaccount.com";
        expect(await identityFailure()).toBe(
            `stack dev: task pods in flytesnacks-development run as someone-else@my-proj.iam.gserviceaccount.com, not ${EMAIL}: the annotation iam.gke.io/gcp-service-account on the service account flytesnacks-development/default names the wrong Google service account`,
        );
    });

    it("names the missing workloadIdentityUser binding when the token is refused", async () => {
        metadata.state.refuseToken = true;
        const message = await identityFailure();
        expect(message).toMatch(
            new RegExp(
                `^stack dev: the GKE metadata server refused an access token for ${EMAIL} to task pods in flytesnacks-development \\(403: Unable to generate access token; IAM returned 403 Forbidden: .*\\): ${EMAIL} does not let flytesnacks-development/default act as it: grant roles/iam.workloadIdentityUser on it to serviceAccount:my-proj\\.svc\\.id\\.goog\\[flytesnacks-development/default\\]$`,
            ),
        );
        expect(message).not.toContain("\n");
    });

    it("reports an answer other than 200 to the email request", async () => {
        expect(await identityFailure(`${metadata.url}/elsewhere`)).toBe(
            "stack dev: the GKE metadata server answered 404: Not Found when task pods in flytesnacks-development asked for their service account: Workload Identity is not serving this pod (is the node pool's workload metadata GKE_METADATA?)",
        );
    });

    it("reports a metadata server that does not answer", async () => {
        const nowhere = await closedUrl();
        expect(await identityFailure(nowhere)).toBe(
            `stack dev: the GKE metadata server at ${nowhere} did not answer task pods in flytesnacks-development (connect ECONNREFUSED ${nowhere.slice(7)}): Workload Identity's metadata server is not running on the node (node pool without GKE_METADATA), or a NetworkPolicy blocks the pods' egress to it`,
        );
    });
});

describe("the fake metadata server", () => {
    it("refuses requests without Metadata-Flavor: Google, as the real one does", async () => {
        const response = await fetch(`${metadata.url}/computeMetadata/v1/instance/service-accounts/default/email`);
        expect(response.status).toBe(403);
    });
});

describe("Cloud Storage objects", () => {
    const target = () => ({ url: gcs.url, accessToken: TOKEN, transport: FAST });
    const name = "metadata/flytesnacks/flyte-verification/abc 1.txt";

    beforeEach(() => {
        gcs.objects.clear();
        gcs.requests.length = 0;
        gcs.state.denials = [];
        gcs.state.token = TOKEN;
    });

    it("uploads, downloads and deletes with the bearer token, the name one encoded segment", async () => {
        const body = Buffer.from("probe");
        expect((await gcsUpload(target(), "flyte-dev-data", name, body)).status).toBe(200);
        const downloaded = await gcsDownload(target(), "flyte-dev-data", name);
        expect(downloaded.status).toBe(200);
        expect(downloaded.body.equals(body)).toBe(true);
        expect((await gcsDelete(target(), "flyte-dev-data", name)).status).toBe(204);
        expect((await gcsDownload(target(), "flyte-dev-data", name)).status).toBe(404);
        const encoded = "metadata%2Fflytesnacks%2Fflyte-verification%2Fabc%201.txt";
        expect(gcs.requests.map((r) => `${r.method} ${r.url}`)).toEqual([
            `POST /upload/storage/v1/b/flyte-dev-data/o?uploadType=media&name=${encoded}`,
            `GET /storage/v1/b/flyte-dev-data/o/${encoded}?alt=media`,
            `DELETE /storage/v1/b/flyte-dev-data/o/${encoded}`,
            `GET /storage/v1/b/flyte-dev-data/o/${encoded}?alt=media`,
        ]);
        expect(gcs.requests.every((r) => r.headers.authorization === `Bearer ${TOKEN}`)).toBe(true);
    });

    it("gives the JSON error's message of a refusal, a missing bucket and a refused token", async () => {
        gcs.state.denials = [{ bucket: "flyte-dev-data", prefix: "metadata/", verb: "write" }];
        expect(await gcsUpload(target(), "flyte-dev-data", name, Buffer.from("x"))).toMatchObject({
            status: 403,
            message: `${EMAIL} does not have storage.objects.create access to the Google Cloud Storage object. Permission 'storage.objects.create' denied on resource (or it may not exist).`,
        });
        expect(await gcsUpload(target(), "no-such-bucket", name, Buffer.from("x"))).toMatchObject({ status: 404, message: "The specified bucket does not exist." });
        gcs.state.token = "another";
        expect(await gcsDownload(target(), "flyte-dev-data", name)).toMatchObject({ status: 401, message: "Invalid Credentials" });
    });
});
