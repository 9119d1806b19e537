import type { GcpStackConfig } from "../../../components/contract/config";
import type { GcpControlPlaneOutput } from "../../../components/contract/multiCluster";
import { cloudLoggingTaskLogLink } from "../../../components/gcp/cloudLogging";
import { GcpDataPlanePlatform } from "../../../components/gcp/gcpDataPlanePlatform";
import { gcpNames } from "../../../components/gcp/names";
import type { RecordedResource } from "../../../lib/plan/monitor";
import type { Plan } from "../../../lib/plan/runPlan";
import { childrenOf, component } from "../../helpers/components";
import { gcpStackConfig } from "../../helpers/config";
import { DISPOSABLE_STACK, expectEveryResourceUnder, expectReleaseDependencies, planDataPlanePlatform, releaseDependencies, withProjectIsolation } from "../../helpers/dataPlanePlatforms";
import { workloadIdentityBindings } from "../../helpers/gcp";
import { at } from "../../helpers/json";
import { byName, byUrn, mocked, ofType, only } from "../../helpers/plan";
import { testResolvedControlPlane } from "../../helpers/testPlatforms";

/** The private endpoint the (mocked) cluster reports. */
function privateEndpoint(plan: Plan): unknown {
    return at(mocked(only(plan, "gcp:container/cluster:Cluster")).state, "privateClusterConfig", "privateEndpoint");
}

/**
 * GcpDataPlanePlatform under the plan's mocks, joined to a fixed control plane: a subnet, router and NAT of its own in
 * the control plane's network and nothing of a standalone platform's network or database; a cluster whose private
 * endpoint admits the control plane's ranges from any region; flytepropeller's account, binding and grants on exactly
 * the control plane's metadata bucket and the raw-data bucket; and with a bucket of its own, that bucket, protected as
 * the stack says, which the control plane's task pods write and its flyteadmin reads.
 */

const CONTROL_PLANE: GcpControlPlaneOutput = testResolvedControlPlane({ signIn: false }).output;
const PROJECT = CONTROL_PLANE.gcpProject;
const CP_NETWORK = CONTROL_PLANE.network;
const CP_ADMIN = CONTROL_PLANE.identities.flyteadmin;
const CP_WORKER = CONTROL_PLANE.identities.worker ?? "";
const [CP_NODES, CP_PODS] = CONTROL_PLANE.clientRanges;

const STACK = "gpu";
const REGION = "us-central1";
const RANGES = { "flyte:subnetCidr": "10.128.0.0/20", "flyte:podsCidr": "10.132.0.0/14", "flyte:servicesCidr": "10.136.0.0/20" };
const names = gcpNames({ pulumiProject: "flyte", stack: STACK, gcpProject: PROJECT });
const PROPELLER = `${names.coreServiceAccounts.flytepropeller}@${PROJECT}.iam.gserviceaccount.com`;

// Spelled out here rather than imported from the program, so that a change on either side shows up as a failure.
const ADMIN_ROLES = ["roles/storage.legacyBucketReader", "roles/storage.objectAdmin"];
const URL_SIGNER_ROLES = ["roles/storage.legacyBucketReader", "roles/storage.objectViewer"];

function stackConfig(overrides: Record<string, string> = {}): GcpStackConfig {
    return gcpStackConfig({ "gcp:region": REGION, ...RANGES, ...overrides }, STACK);
}

function planDataPlane(config: GcpStackConfig, rawDataBucket: boolean, controlPlane: GcpControlPlaneOutput = CONTROL_PLANE): Promise<Plan> {
    return planDataPlanePlatform({ stack: STACK, protection: config.protection, controlPlane, rawDataBucket }, (common) => new GcpDataPlanePlatform("dp", { ...common, config: config.gcp }));
}

/** Every bucket-level grant of the plan, as `bucket role member`. */
function bucketGrants(plan: Plan): string[] {
    return ofType(plan, "gcp:storage/bucketIAMMember:BucketIAMMember")
        .map((g) => `${String(g.inputs.bucket)} ${String(g.inputs.role)} ${String(g.inputs.member)}`)
        .sort();
}

const grantsOf = (bucket: string, roles: readonly string[], email: string) => roles.map((role) => `${bucket} ${role} serviceAccount:${email}`);

/** Every IAM grant of the plan, whatever it binds on. */
function iamGrants(plan: Plan): RecordedResource[] {
    return plan.resources.filter((r) => /iam(member|binding|policy)$/i.test(r.type));
}

describe("on the control plane's user-data bucket", () => {
    let plan: Plan;
    beforeAll(async () => {
        plan = await planDataPlane(stackConfig(), false);
    });
    const get = (type: string, name: string) => byName(plan, type, name);

    test("no VPC, Cloud SQL, private services access, load balancer address or bucket of its own", () => {
        for (const type of [
            "gcp:compute/network:Network",
            "gcp:compute/globalAddress:GlobalAddress",
            "gcp:servicenetworking/connection:Connection",
            "gcp:sql/databaseInstance:DatabaseInstance",
            "gcp:sql/database:Database",
            "gcp:sql/user:User",
            "gcp:compute/address:Address",
            "gcp:storage/bucket:Bucket",
            "flyte:gcp:Network",
            "flyte:gcp:CloudSqlPostgres",
            "flyte:gcp:RawDataBucket",
        ]) {
            expect([type, ofType(plan, type)]).toEqual([type, []]);
        }
    });

    test("enables the APIs a cluster with flytepropeller calls, not Cloud SQL's or service networking's", () => {
        const services = ofType(plan, "gcp:projects/service:Service").map((s) => String(s.inputs.service));
        expect(services.sort()).toEqual(
            [
                "cloudresourcemanager.googleapis.com",
                "compute.googleapis.com",
                "container.googleapis.com",
                "iam.googleapis.com",
                "iamcredentials.googleapis.com",
                "logging.googleapis.com",
                "monitoring.googleapis.com",
                "storage.googleapis.com",
            ].sort(),
        );
    });

    test("its subnet, with the pods' and Services' ranges, is in the control plane's network, in its own region", () => {
        const subnet = only(plan, "gcp:compute/subnetwork:Subnetwork");
        expect(subnet.inputs).toEqual({
            project: PROJECT,
            region: REGION,
            name: names.subnet,
            network: CP_NETWORK,
            ipCidrRange: "10.128.0.0/20",
            privateIpGoogleAccess: true,
            secondaryIpRanges: [
                { rangeName: "pods", ipCidrRange: "10.132.0.0/14" },
                { rangeName: "services", ipCidrRange: "10.136.0.0/20" },
            ],
        });
        // The network is another stack's: the subnet waits for the Compute API instead.
        expect(subnet.dependencies).toEqual([get("gcp:projects/service:Service", "dp-apis-compute").urn]);
        expect(subnet.parent).toBe(component(plan, "flyte:gcp:DataPlaneNetwork").urn);
    });

    test("its own router and NAT, in the control plane's network, translate its subnet only", () => {
        const router = only(plan, "gcp:compute/router:Router");
        expect(router.inputs).toEqual({ project: PROJECT, region: REGION, name: names.router, network: CP_NETWORK });
        const nat = only(plan, "gcp:compute/routerNat:RouterNat");
        expect(nat.inputs).toMatchObject({
            project: PROJECT,
            region: REGION,
            name: names.nat,
            router: names.router,
            sourceSubnetworkIpRangesToNat: "LIST_OF_SUBNETWORKS",
            subnetworks: [{ name: `projects/${PROJECT}/regions/${REGION}/subnetworks/${names.subnet}`, sourceIpRangesToNats: ["ALL_IP_RANGES"] }],
        });
        const network = component(plan, "flyte:gcp:DataPlaneNetwork");
        expect(childrenOf(plan, network).map((r) => r.type).sort()).toEqual([
            "gcp:compute/router:Router",
            "gcp:compute/routerNat:RouterNat",
            "gcp:compute/subnetwork:Subnetwork",
        ]);
    });

    test("the cluster is in the control plane's network, on its subnet, private, named for this deployment", () => {
        const cluster = only(plan, "gcp:container/cluster:Cluster").inputs;
        expect(cluster).toMatchObject({ project: PROJECT, name: names.cluster, location: REGION, network: CP_NETWORK });
        expect(cluster.subnetwork).toBe(`projects/${PROJECT}/regions/${REGION}/subnetworks/${names.subnet}`);
        expect(at(cluster, "ipAllocationPolicy")).toEqual({ clusterSecondaryRangeName: "pods", servicesSecondaryRangeName: "services" });
        expect(at(cluster, "privateClusterConfig", "enablePrivateNodes")).toBe(true);
        expect(at(cluster, "privateClusterConfig", "enablePrivateEndpoint")).toBe(true);
        // Flyte's pod webhook: the firewall rule is in the shared network too.
        expect(only(plan, "gcp:compute/firewall:Firewall").inputs.network).toBe(CP_NETWORK);
    });

    test("its private endpoint admits the control plane's node and pod ranges, from every region", () => {
        const cluster = only(plan, "gcp:container/cluster:Cluster").inputs;
        expect(at(cluster, "masterAuthorizedNetworksConfig", "cidrBlocks")).toEqual([
            { cidrBlock: CP_NODES, displayName: `private endpoint client ${CP_NODES}` },
            { cidrBlock: CP_PODS, displayName: `private endpoint client ${CP_PODS}` },
        ]);
        expect(at(cluster, "privateClusterConfig", "masterGlobalAccessConfig")).toEqual({ enabled: true });
        // The private endpoint, as the (mocked) cluster reports it.
        expect(plan.outputs.apiEndpoint).toBe(`https://${privateEndpoint(plan)}`);
    });

    test("flytepropeller: a Google service account of this deployment, bound to <namespace>/flytepropeller only", () => {
        const accounts = ofType(plan, "gcp:serviceaccount/account:Account").map((a) => String(a.inputs.accountId));
        expect(accounts.sort()).toEqual([names.coreServiceAccounts.flytepropeller, names.nodeServiceAccount].sort());
        expect(workloadIdentityBindings(plan)).toEqual([{ email: PROPELLER, pool: `${PROJECT}.svc.id.goog`, namespace: "flyte", ksa: "flytepropeller" }]);
        expect(plan.outputs.propellerIdentity).toEqual({ annotationKey: "iam.gke.io/gcp-service-account", value: PROPELLER });
    });

    test("flytepropeller's grants: the control plane's metadata and user-data buckets, by name, and nothing else", () => {
        expect(bucketGrants(plan)).toEqual(
            [...grantsOf(CONTROL_PLANE.metadataBucket, ADMIN_ROLES, PROPELLER), ...grantsOf(CONTROL_PLANE.userDataBucket, ADMIN_ROLES, PROPELLER)].sort(),
        );
        // No signing, no project-level role beyond the node account's logging and monitoring, no authoritative policy.
        const others = iamGrants(plan).filter((g) => g.type !== "gcp:storage/bucketIAMMember:BucketIAMMember");
        expect(others.filter((g) => g.type === "gcp:projects/iAMMember:IAMMember").map((g) => g.inputs.member)).toEqual(
            Array(4).fill(`serviceAccount:${names.nodeServiceAccount}@${PROJECT}.iam.gserviceaccount.com`),
        );
        expect(others.filter((g) => g.type !== "gcp:projects/iAMMember:IAMMember").map((g) => `${g.type} ${String(g.inputs.role)}`)).toEqual([
            "gcp:serviceaccount/iAMMember:IAMMember roles/iam.workloadIdentityUser",
        ]);
    });

    test("raw data goes to the control plane's user-data bucket", () => {
        expect(plan.outputs.rawDataBucket).toBe(CONTROL_PLANE.userDataBucket);
        expect(plan.outputs.ownRawDataBucket).toBe(false);
    });

    test("what flytepropeller waits for: the node pool, the NAT, its grants and its binding", () => {
        expectReleaseDependencies(plan, [
            get("gcp:container/nodePool:NodePool", "dp-gke-pool"),
            get("gcp:compute/routerNat:RouterNat", "dp-network-nat"),
            ...ofType(plan, "gcp:storage/bucketIAMMember:BucketIAMMember"),
            ...ofType(plan, "gcp:serviceaccount/iAMMember:IAMMember"),
        ]);
    });

    test("the cluster's provider, name, pod range and Cloud Logging link", () => {
        expect(byUrn(plan, String(plan.outputs.provider)).type).toBe("pulumi:providers:kubernetes");
        expect(plan.outputs.clusterName).toBe(names.cluster);
        expect(plan.outputs.podRange).toBe("10.132.0.0/14");
        expect(plan.outputs.taskLogs).toEqual([cloudLoggingTaskLogLink({ project: PROJECT, location: REGION, clusterName: names.cluster })]);
        expect(String(plan.outputs.kubeconfig)).toContain(`gke_${PROJECT}_${REGION}_${names.cluster}`);
    });

    test("every resource is under the platform", () => {
        expectEveryResourceUnder(plan, "flyte:gcp:GcpDataPlanePlatform", "gcp");
    });
});

describe("with a raw-data bucket of its own", () => {
    let plan: Plan;
    beforeAll(async () => {
        plan = await planDataPlane(stackConfig(), true);
    });

    test("one bucket, named for this deployment, in its region, private, protected as the stack says (the default)", () => {
        const bucket = only(plan, "gcp:storage/bucket:Bucket");
        expect(bucket.inputs).toMatchObject({
            project: PROJECT,
            name: names.userDataBucket,
            location: REGION.toUpperCase(),
            uniformBucketLevelAccess: true,
            publicAccessPrevention: "enforced",
            versioning: { enabled: false },
            deletionPolicy: "PREVENT",
            forceDestroy: false,
        });
        expect(bucket.protect).toBe(true);
        expect(only(plan, "gcp:container/cluster:Cluster").inputs.deletionProtection).toBe(true);
        expect(plan.outputs.rawDataBucket).toBe(names.userDataBucket);
        expect(plan.outputs.ownRawDataBucket).toBe(true);
    });

    test("grants: flytepropeller on the metadata bucket and this one; the control plane's task pods write it, its flyteadmin reads it", () => {
        const own = names.userDataBucket;
        expect(bucketGrants(plan)).toEqual(
            [
                ...grantsOf(CONTROL_PLANE.metadataBucket, ADMIN_ROLES, PROPELLER),
                ...grantsOf(own, ADMIN_ROLES, PROPELLER),
                ...grantsOf(own, ADMIN_ROLES, CP_WORKER),
                ...grantsOf(own, URL_SIGNER_ROLES, CP_ADMIN),
            ].sort(),
        );
        // Nothing on the control plane's user-data bucket any more.
        expect(bucketGrants(plan).some((g) => g.startsWith(`${CONTROL_PLANE.userDataBucket} `))).toBe(false);
    });

    test("the control plane's identities' grants are under the bucket's component; flytepropeller waits for its own", () => {
        const bucketComponent = component(plan, "flyte:gcp:RawDataBucket");
        const underBucket = childrenOf(plan, bucketComponent).filter((r) => r.type === "gcp:storage/bucketIAMMember:BucketIAMMember");
        expect(underBucket.map((g) => String(g.inputs.member)).sort()).toEqual(
            [...Array(2).fill(`serviceAccount:${CP_ADMIN}`), ...Array(2).fill(`serviceAccount:${CP_WORKER}`)].sort(),
        );
        const waits = releaseDependencies(plan);
        for (const g of underBucket) {
            expect(waits).not.toContain(g.urn);
        }
        const propellerOnOwn = ofType(plan, "gcp:storage/bucketIAMMember:BucketIAMMember").filter(
            (g) => g.inputs.bucket === names.userDataBucket && g.inputs.member === `serviceAccount:${PROPELLER}`,
        );
        expect(propellerOnOwn).toHaveLength(2);
        for (const g of propellerOnOwn) {
            expect(waits).toContain(g.urn);
        }
    });
});

test("a disposable stack's own bucket may be destroyed, with its objects only where the stack says so", async () => {
    const plan = await planDataPlane(stackConfig(DISPOSABLE_STACK), true);
    const bucket = only(plan, "gcp:storage/bucket:Bucket");
    expect(bucket.inputs).toMatchObject({ deletionPolicy: "DELETE", forceDestroy: true });
    expect(bucket.protect).toBe(false);
    expect(only(plan, "gcp:container/cluster:Cluster").inputs.deletionProtection).toBe(false);
});

test("its own authorized networks come after the control plane's; a public endpoint follows them alone", async () => {
    const plan = await planDataPlane(stackConfig({ "flyte:gkeAuthorizedNetworks": JSON.stringify(["203.0.113.0/24", CP_NODES]) }), false);
    const cluster = only(plan, "gcp:container/cluster:Cluster").inputs;
    expect(at(cluster, "masterAuthorizedNetworksConfig", "cidrBlocks")).toEqual([
        { cidrBlock: CP_NODES, displayName: `private endpoint client ${CP_NODES}` },
        { cidrBlock: CP_PODS, displayName: `private endpoint client ${CP_PODS}` },
        { cidrBlock: "203.0.113.0/24", displayName: "authorized 203.0.113.0/24" },
    ]);
    expect(at(cluster, "privateClusterConfig", "enablePrivateEndpoint")).toBe(false);
    // The control plane still calls the private endpoint.
    expect(plan.outputs.apiEndpoint).toBe(`https://${privateEndpoint(plan)}`);
});

test("refuses an own bucket with project isolation, and a control plane in another project", async () => {
    const isolated = withProjectIsolation(CONTROL_PLANE, { ml: `fwabcde-ml@${PROJECT}.iam.gserviceaccount.com` });
    await expect(planDataPlane(stackConfig(), true, isolated)).rejects.toThrow(/own raw-data bucket is refused when the control plane has project isolation/);
    await expect(planDataPlane(stackConfig(), false, { ...CONTROL_PLANE, gcpProject: "other-project" })).rejects.toThrow(
        /data plane in GCP project acme-test, its control plane in other-project/,
    );
});

test("with project isolation: flytepropeller also reaches each project's bucket, where that project's raw outputs go wherever it runs", async () => {
    const projectBuckets = { alpha: "acme-alpha-data", beta: "acme-beta-data" };
    const isolated = withProjectIsolation(
        CONTROL_PLANE,
        { alpha: "w-alpha@acme-test.iam.gserviceaccount.com", beta: "w-beta@acme-test.iam.gserviceaccount.com" },
        projectBuckets,
    );
    const plan = await planDataPlane(stackConfig(), false, isolated);
    expect(plan.outputs.rawDataBucket).toBe(CONTROL_PLANE.userDataBucket);
    const grants = bucketGrants(plan);
    // Only this data plane's propeller is granted anything here: the projects' task identities are the control plane's.
    expect(new Set(grants.map((g) => g.split(" ")[2]))).toEqual(new Set([`serviceAccount:${PROPELLER}`]));
    expect(new Set(grants.map((g) => g.split(" ")[0]))).toEqual(
        new Set([CONTROL_PLANE.metadataBucket, CONTROL_PLANE.userDataBucket, ...Object.values(projectBuckets)]),
    );
});
