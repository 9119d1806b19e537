/**
 * Pulumi.gke-gpu.yaml and Pulumi.gke-batch.yaml: the data planes of the control plane gke-control (README "Beyond one
 * cluster"), each a GKE cluster of its own in the control plane's network running flytepropeller for it. Each shared
 * plan read the control plane's outputs as the first deployment gives them (the control plane planned before its data
 * planes, lib/plan/references.ts); what a data plane uses of the control plane is checked here against gke-control's
 * own shared plan (so the control plane's output must not change when it registers its data planes). Each data plane's
 * Flyte release is rendered once with the real chart. What every cloud's data plane must do: dataPlaneSuite
 * (test/helpers/multiClusterStacks.ts, with eks-data-planes.test.ts); here, GKE's own. A data plane planned before its
 * control plane: multiCluster.dataPlaneFirst.test.ts.
 */
import type { RecordedResource } from "../../lib/plan/monitor";
import { renderFlyteRelease } from "../helpers/helm";
import { arrayAt, at, recordAt, stringAt, stringMapAt } from "../helpers/json";
import { ADMIN_SERVICE_ACCOUNT, beforeAllDataPlanes, FLYTE_DATA_PLANE_TYPES, dataPlaneSuite, overlappingRanges } from "../helpers/multiClusterStacks";
import { mocked, ofType, only, transitiveDependencies } from "../helpers/plan";
import { readStackSettings } from "../helpers/stackSettings";

const CONTROL_PLANE = "gke-control";
const DATA_PLANES = ["gke-gpu", "gke-batch"] as const;

// Spelled out here rather than imported from the program, so that a change on either side shows up as a failure.
const BUCKET_ROLES = ["roles/storage.legacyBucketReader", "roles/storage.objectAdmin"];
/** flyteadmin reads raw outputs to sign download URLs. */
const URL_SIGNER_ROLES = ["roles/storage.legacyBucketReader", "roles/storage.objectViewer"];
const GSA_ANNOTATION = "iam.gke.io/gcp-service-account";

const T = {
    cluster: "gcp:container/cluster:Cluster",
    nodePool: "gcp:container/nodePool:NodePool",
    subnet: "gcp:compute/subnetwork:Subnetwork",
    router: "gcp:compute/router:Router",
    nat: "gcp:compute/routerNat:RouterNat",
    account: "gcp:serviceaccount/account:Account",
    wiMember: "gcp:serviceaccount/iAMMember:IAMMember",
    bucket: "gcp:storage/bucket:Bucket",
    bucketGrant: "gcp:storage/bucketIAMMember:BucketIAMMember",
    apiService: "gcp:projects/service:Service",
} as const;

/** Every resource type a data plane declares; `ownBucket`: with its own raw-data bucket. */
function dataPlaneTypes(ownBucket: boolean): string[] {
    return [
        ...FLYTE_DATA_PLANE_TYPES,
        "flyte:gcp:GcpDataPlanePlatform",
        "flyte:gcp:ProjectServices",
        T.apiService,
        "flyte:gcp:DataPlaneNetwork",
        T.subnet,
        T.router,
        T.nat,
        "flyte:gcp:GkeCluster",
        T.cluster,
        T.nodePool,
        "gcp:compute/firewall:Firewall",
        "gcp:projects/iAMMember:IAMMember",
        "flyte:gcp:FlyteServiceAccounts",
        T.account,
        T.bucketGrant,
        "flyte:gcp:WorkloadIdentityBindings",
        T.wiMember,
        ...(ownBucket ? ["flyte:gcp:RawDataBucket", T.bucket] : []),
    ].sort();
}

const dataPlanes = beforeAllDataPlanes(CONTROL_PLANE, DATA_PLANES, (plan) => renderFlyteRelease(plan));
const { planOf, cp } = dataPlanes;

test("the stack files: data planes of gke-control, in two regions, gpu with a raw-data bucket of its own", () => {
    for (const stack of DATA_PLANES) {
        const settings = readStackSettings(stack);
        expect([stack, settings.string("clusterRole"), settings.string("controlPlaneStack")]).toEqual([stack, "dataPlane", CONTROL_PLANE]);
    }
    expect(DATA_PLANES.map((s) => readStackSettings(s).boolean("dataPlaneRawBucket"))).toEqual([true, false]);
    expect(DATA_PLANES.map((s) => readStackSettings(s).provider("gcp:region"))).toEqual(["us-central1", "europe-west1"]);
});

test("the three stacks' address ranges in the shared network are disjoint", () => {
    const ranges = [
        ...arrayAt(cp(), "networkRanges").map((r) => [CONTROL_PLANE, String(r)] as const),
        ...DATA_PLANES.flatMap((stack) => {
            const settings = readStackSettings(stack);
            return (["subnetCidr", "podsCidr", "servicesCidr"] as const).map((key) => [stack, settings.string(key)] as const);
        }),
    ];
    expect(overlappingRanges(ranges)).toEqual([]);
});

describe.each(DATA_PLANES)("data plane %s", (stack) => {
    const dp = dataPlanes.of(stack);
    const { settings, plan, release, values, namespace } = dp;
    const ownBucket = settings.boolean("dataPlaneRawBucket");
    const project = settings.provider("gcp:project");
    const region = settings.provider("gcp:region");
    const one = (type: string) => only(plan(), type);
    const nodesAccount = () => stringAt(one(T.cluster).inputs, "nodeConfig", "serviceAccount");
    /** flytepropeller's Google service account: the stack's one account besides the nodes'. */
    const propeller = (): RecordedResource => {
        const accounts = ofType(plan(), T.account).filter((a) => mocked(a).state.email !== nodesAccount());
        expect(accounts).toHaveLength(1);
        return accounts[0];
    };
    const propellerEmail = () => String(mocked(propeller()).state.email);
    /** Where raw task outputs go: the data plane's own bucket, or the control plane's user-data bucket. */
    const rawBucket = (): string => (ownBucket ? stringAt(one(T.bucket).inputs, "name") : stringAt(cp(), "userDataBucket"));

    test("declares a data plane's resources only: no Cloud SQL, VPC, private services access, load balancer, nor Flyte's control plane", () => {
        expect([...new Set(plan().resources.map((r) => r.type))].sort()).toEqual(dataPlaneTypes(ownBucket));
        const types = plan().resources.map((r) => r.type);
        for (const absent of [
            "gcp:sql/databaseInstance:DatabaseInstance",
            "gcp:compute/network:Network",
            "gcp:compute/globalAddress:GlobalAddress",
            "gcp:servicenetworking/connection:Connection",
            "gcp:compute/address:Address",
            "kubernetes:core/v1:Service",
            "flyte:flyte:FlyteCore",
            "flyte:flyte:FlyteBinary",
        ]) {
            expect(types).not.toContain(absent);
        }
        const apis = ofType(plan(), T.apiService).map((s) => String(s.inputs.service));
        expect(apis.filter((s) => /^(sqladmin|servicenetworking)\./.test(s))).toEqual([]);
    });

    test("a subnet, router and NAT of its own, in the control plane's network, with the stack's ranges", () => {
        const subnet = one(T.subnet);
        expect(subnet.inputs).toMatchObject({ network: cp().network, project: cp().gcpProject, region, ipCidrRange: settings.string("subnetCidr") });
        expect(arrayAt(subnet.inputs, "secondaryIpRanges")).toEqual([
            { rangeName: "pods", ipCidrRange: settings.string("podsCidr") },
            { rangeName: "services", ipCidrRange: settings.string("servicesCidr") },
        ]);
        expect(one(T.router).inputs).toMatchObject({ network: cp().network, region });
        expect(arrayAt(one(T.nat).inputs, "subnetworks").map((s) => at(s, "name"))).toEqual([mocked(subnet).id]);
    });

    test("GKE: private, in that subnet, its API server admitting the control plane's clients from every region", () => {
        const cluster = one(T.cluster);
        expect(cluster.inputs).toMatchObject({
            project,
            location: settings.string("gkeLocation"),
            network: cp().network,
            subnetwork: mocked(one(T.subnet)).id,
            workloadIdentityConfig: { workloadPool: `${project}.svc.id.goog` },
            privateClusterConfig: { enablePrivateNodes: true, masterGlobalAccessConfig: { enabled: true } },
        });
        const authorized = arrayAt(cluster.inputs, "masterAuthorizedNetworksConfig", "cidrBlocks").map((b) => at(b, "cidrBlock"));
        expect(authorized).toEqual([...arrayAt(cp(), "clientRanges"), ...settings.strings("gkeAuthorizedNetworks")]);
        expect(arrayAt(cp(), "clientRanges").length).toBeGreaterThan(0);
    });

    dataPlaneSuite(dp, {
        clusterType: T.cluster,
        propellerIdentity: () => ({ [GSA_ANNOTATION]: propellerEmail() }),
        propellerStorage: {
            read: (config) => ({ metadata: at(config, "storage", "container"), raw: at(config, "propeller", "rawoutput-prefix") }),
            expected: () => ({ metadata: cp().metadataBucket, raw: `gs://${rawBucket()}/data` }),
        },
        more: {
            values: () => {
                test("propeller writes metadata to the control plane's bucket", () => {
                    expect(at(values(), "storage")).toMatchObject({ type: "gcs", bucketName: cp().metadataBucket, gcs: { projectId: cp().gcpProject } });
                });

                test(`raw task outputs go to ${ownBucket ? "its own bucket" : "the control plane's user-data bucket"}`, () => {
                    expect(at(values(), "configmap", "core", "propeller", "rawoutput-prefix")).toBe(`gs://${rawBucket()}/data`);
                    if (!ownBucket) {
                        expect(rawBucket()).toBe(planOf(CONTROL_PLANE).outputs.userDataBucket);
                    }
                });

                test("propeller runs as the data plane's own Google service account, bound to its Kubernetes one only", () => {
                    expect(stringMapAt(values(), "flytepropeller", "serviceAccount", "annotations")).toEqual({ [GSA_ANNOTATION]: propellerEmail() });
                    expect(String(propeller().inputs.accountId)).toBe(`flyte-${stack}-propeller`);
                    const bindings = ofType(plan(), T.wiMember).map((m) => [m.inputs.serviceAccountId, m.inputs.role, m.inputs.member]);
                    expect(bindings).toEqual([[mocked(propeller()).id, "roles/iam.workloadIdentityUser", `serviceAccount:${project}.svc.id.goog[${namespace()}/flytepropeller]`]]);
                });

                test("the release waits for the node pool it runs on, NAT, and propeller's grants and binding", () => {
                    const waits = transitiveDependencies(plan(), release());
                    // Flyte's own pool: the one without accelerators (a GPU pool, if any, is for task pods).
                    const pools = ofType(plan(), T.nodePool).filter((p) => at(p.inputs, "nodeConfig", "guestAccelerators") === undefined);
                    expect(pools).toHaveLength(1);
                    const needed = [pools[0], one(T.nat), ...ofType(plan(), T.wiMember), ...ofType(plan(), T.bucketGrant).filter((g) => g.inputs.member === `serviceAccount:${propellerEmail()}`)];
                    expect(needed.filter((r) => !waits.has(r.urn)).map((r) => r.name)).toEqual([]);
                });
            },
            outputs: () => {
                test("dataPlane: the private API endpoint, the token Secret's CA, flyteadmin's service account, the pod range", () => {
                    expect(plan().outputs.dataPlane).toEqual({
                        cloud: "gcp",
                        apiEndpoint: `https://${stringAt(mocked(one(T.cluster)).state, "privateClusterConfig", "privateEndpoint")}`,
                        caCertificate: dp.tokenValue("ca.crt"),
                        adminServiceAccount: `${namespace()}/${ADMIN_SERVICE_ACCOUNT}`,
                        tokenGeneration: 1,
                        podRange: settings.string("podsCidr"),
                        ...(ownBucket ? { rawDataBucket: rawBucket() } : {}),
                    });
                });
            },
        },
    });

    test("bucket grants: propeller on the control plane's metadata bucket and the raw-data bucket; an own bucket for the control plane's task pods and flyteadmin", () => {
        const grants = ofType(plan(), T.bucketGrant).map((g) => `${String(g.inputs.member)} ${String(g.inputs.bucket)} ${String(g.inputs.role)}`);
        const identities = recordAt(cp(), "identities");
        // The control plane's identities as its own outputs name them.
        expect(identities).toMatchObject({
            flyteadmin: recordAt(planOf(CONTROL_PLANE).outputs, "identities").flyteadmin,
            worker: planOf(CONTROL_PLANE).outputs.workerServiceAccount,
        });
        const grant = (email: unknown, bucket: unknown, roles: readonly string[]) => roles.map((role) => `serviceAccount:${String(email)} ${String(bucket)} ${role}`);
        const expected = [
            ...grant(propellerEmail(), cp().metadataBucket, BUCKET_ROLES),
            ...grant(propellerEmail(), rawBucket(), BUCKET_ROLES),
            ...(ownBucket ? [...grant(identities.worker, rawBucket(), BUCKET_ROLES), ...grant(identities.flyteadmin, rawBucket(), URL_SIGNER_ROLES)] : []),
        ];
        expect(grants.sort()).toEqual(expected.sort());
        for (const g of ofType(plan(), T.bucketGrant)) {
            expect(g.inputs.condition).toBeUndefined();
        }
    });

    if (ownBucket) {
        test("its own raw-data bucket: private, in its region, protected as the stack says", () => {
            const bucket = one(T.bucket);
            expect(bucket.inputs).toMatchObject({
                project,
                location: region.toUpperCase(),
                uniformBucketLevelAccess: true,
                publicAccessPrevention: "enforced",
                forceDestroy: settings.boolean("forceDestroyBuckets"),
            });
            expect(bucket.protect).toBe(settings.boolean("deletionProtection"));
            expect(rawBucket()).not.toBe(cp().userDataBucket);
        });
    }
});
