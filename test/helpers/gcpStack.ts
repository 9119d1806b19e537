import { mockPassword } from "../../lib/plan/mocks";
import type { RecordedResource } from "../../lib/plan/monitor";
import type { Plan } from "../../lib/plan/runPlan";
import { flyteProjectNamespaces } from "./flyte";
import { selects } from "./helm";
import { byName, byUrn, ofType, only, planStack, stackFileConfig, transitiveDependencies } from "./plan";
import { readStackSettings } from "./stackSettings";
import { arrayAt, at, stringAt, stringMapAt } from "./json";

export interface GcpStackExpectations {
    /** Deletion protection, Pulumi protect and PREVENT on data. */
    readonly protectedData: boolean;
    readonly highAvailability: boolean;
    readonly forceDestroyBuckets: boolean;
    readonly clusterLocation: string;
    readonly loadBalancerIp?: string;
}

// Spelled out here rather than imported from the program, so that a change on either side shows up as a failure.
const BUCKET_ROLES = ["roles/storage.legacyBucketReader", "roles/storage.objectAdmin"];
const SIGN_BLOB_ROLE = "roles/iam.serviceAccountTokenCreator";
const WORKLOAD_IDENTITY_USER = "roles/iam.workloadIdentityUser";
const WORKER_KSA = "default";

type Bucket = "metadata" | "userData";

/** Who runs as which Google service account on each flavor, and what each may touch. */
interface ExpectedIdentity {
    /** The key in the `identities` output. */
    readonly key: string;
    /** `flyte-<stack>-<suffix>@...`. */
    readonly accountSuffix: string;
    /** Kubernetes service accounts in Flyte's namespace bound to it (the chart's fixed names). */
    readonly flyteServiceAccounts: readonly string[];
    /** Bound to the `default` account of every project-domain namespace. */
    readonly taskPods: boolean;
    readonly buckets: readonly Bucket[];
    readonly signsBlobs: boolean;
}

const BINARY_IDENTITIES: readonly ExpectedIdentity[] = [
    { key: "backend", accountSuffix: "backend", flyteServiceAccounts: ["flyte-binary"], taskPods: false, buckets: ["metadata", "userData"], signsBlobs: true },
    { key: "worker", accountSuffix: "worker", flyteServiceAccounts: [], taskPods: true, buckets: ["metadata", "userData"], signsBlobs: false },
];

/** flyte-core: one identity per backend component, bound to exactly the chart's account of the same name. */
const CORE_IDENTITIES: readonly ExpectedIdentity[] = [
    { key: "flyteadmin", accountSuffix: "admin", flyteServiceAccounts: ["flyteadmin"], taskPods: false, buckets: ["metadata", "userData"], signsBlobs: true },
    { key: "flytepropeller", accountSuffix: "propeller", flyteServiceAccounts: ["flytepropeller"], taskPods: false, buckets: ["metadata", "userData"], signsBlobs: false },
    { key: "datacatalog", accountSuffix: "catalog", flyteServiceAccounts: ["datacatalog"], taskPods: false, buckets: ["metadata"], signsBlobs: false },
    // The scheduler only talks to the database and flyteadmin.
    { key: "flytescheduler", accountSuffix: "scheduler", flyteServiceAccounts: ["flytescheduler"], taskPods: false, buckets: [], signsBlobs: false },
    { key: "worker", accountSuffix: "worker", flyteServiceAccounts: [], taskPods: true, buckets: ["metadata", "userData"], signsBlobs: false },
];

const FLAVORS = {
    binary: { release: "flyte-binary", chart: "flyte-binary", identities: BINARY_IDENTITIES, backendKey: "backend" },
    core: { release: "flyte-core", chart: "flyte-core", identities: CORE_IDENTITIES, backendKey: "flyteadmin" },
} as const;


function sorted(values: Iterable<string>): string[] {
    return [...values].sort();
}

/**
 * The properties every GCP stack must have, asserted on the plan of the real program with the stack's file. The
 * flavor (flyte-binary or flyte-core) comes from the stack's settings and decides which identities, release and
 * endpoint the plan must have.
 */
export function describeGcpStack(stack: string, expected: GcpStackExpectations): void {
    const file = stackFileConfig(stack);
    const settings = readStackSettings(stack);
    const gcpProject = String(file["gcp:project"]);
    const region = String(file["gcp:region"]);
    const flavorName = settings.string("flavor");
    if (flavorName !== "binary" && flavorName !== "core") {
        throw new Error(`Pulumi.${stack}.yaml: unknown flavor ${flavorName}`);
    }
    const flavor = FLAVORS[flavorName];
    const projects = settings.strings("flyteProjects");
    const domains = settings.strings("flyteDomains").map((entry) => entry.split(":")[0]);
    const flyteNamespace = settings.string("flyteNamespace");
    const taskNamespaces = flyteProjectNamespaces(settings.string("namespaceTemplate"), projects, domains);
    if (settings.boolean("projectIsolation")) {
        // Per-project task identities are covered by test/contracts/charts/core.test.ts (the poc stack).
        throw new Error(`describeGcpStack expects one task identity shared by every project; Pulumi.${stack}.yaml sets projectIsolation`);
    }
    const pool = `${gcpProject}.svc.id.goog`;
    let plan: Plan;

    beforeAll(async () => {
        plan = await planStack(stack);
    });

    const one = (type: string) => only(plan, type);
    const email = (account: string) => `flyte-${stack}-${account}@${gcpProject}.iam.gserviceaccount.com`;
    const bucketName = (bucket: Bucket) => String(bucket === "metadata" ? plan.outputs.metadataBucket : plan.outputs.userDataBucket);
    const release = () => one("kubernetes:helm.sh/v3:Release");
    /** Workload Identity member bindings, as `<gsa email> <member>`. */
    const workloadIdentityMembers = () =>
        ofType(plan, "gcp:serviceaccount/iAMMember:IAMMember")
            .filter((m) => m.inputs.role === WORKLOAD_IDENTITY_USER)
            .map((m) => `${String(m.inputs.serviceAccountId).split("/").pop()} ${m.inputs.member}`);
    /** The grants and bindings that give an identity its access (bucket roles, signBlob, Workload Identity). */
    const grantsOf = (identity: ExpectedIdentity): RecordedResource[] => {
        const member = `serviceAccount:${email(identity.accountSuffix)}`;
        const accountId = `projects/${gcpProject}/serviceAccounts/${email(identity.accountSuffix)}`;
        return [
            ...ofType(plan, "gcp:storage/bucketIAMMember:BucketIAMMember").filter((g) => g.inputs.member === member),
            ...ofType(plan, "gcp:serviceaccount/iAMMember:IAMMember").filter((g) => g.inputs.serviceAccountId === accountId),
        ];
    };

    describe(`stack ${stack} (flyte-${flavorName})`, () => {
        test("enables the APIs before using them", () => {
            const cluster = one("gcp:container/cluster:Cluster");
            const container = byName(plan, "gcp:projects/service:Service", "gcp-apis-container");
            expect(cluster.dependencies).toContain(container.urn);
            const instance = one("gcp:sql/databaseInstance:DatabaseInstance");
            expect(instance.dependencies).toContain(byName(plan, "gcp:projects/service:Service", "gcp-apis-sqladmin").urn);
            expect(ofType(plan, "gcp:projects/service:Service").every((s) => s.inputs.project === gcpProject)).toBe(true);
        });

        test("GKE: Workload Identity pool, GKE_METADATA on every pool, private nodes, release channel", () => {
            const cluster = one("gcp:container/cluster:Cluster");
            expect(at(cluster.inputs, "workloadIdentityConfig", "workloadPool")).toBe(pool);
            expect(cluster.inputs.removeDefaultNodePool).toBe(true);
            expect(cluster.inputs.location).toBe(expected.clusterLocation);
            expect(at(cluster.inputs, "privateClusterConfig", "enablePrivateNodes")).toBe(true);
            expect(at(cluster.inputs, "releaseChannel", "channel")).toMatch(/^(RAPID|REGULAR|STABLE)$/);
            expect(cluster.inputs.deletionProtection).toBe(expected.protectedData);
            const nodeConfigs = [at(cluster.inputs, "nodeConfig"), ...ofType(plan, "gcp:container/nodePool:NodePool").map((p) => at(p.inputs, "nodeConfig"))];
            expect(nodeConfigs.length).toBeGreaterThanOrEqual(2);
            for (const nodeConfig of nodeConfigs) {
                expect(at(nodeConfig, "workloadMetadataConfig", "mode")).toBe("GKE_METADATA");
                expect(at(nodeConfig, "serviceAccount")).toBe(email("nodes"));
            }
        });

        test("no project-wide grant beyond the node account's logging and monitoring roles", () => {
            const grants = ofType(plan, "gcp:projects/iAMMember:IAMMember");
            for (const g of grants) {
                expect(g.inputs.member).toBe(`serviceAccount:${email("nodes")}`);
                expect(String(g.inputs.role)).toMatch(/^roles\/(logging|monitoring|stackdriver)\./);
            }
            expect(ofType(plan, "gcp:projects/iAMBinding:IAMBinding")).toEqual([]);
            expect(ofType(plan, "gcp:projects/iAMPolicy:IAMPolicy")).toEqual([]);
            const roles = plan.resources.map((r) => r.inputs.role).filter((r) => typeof r === "string");
            expect(roles).not.toContain("roles/storage.admin");
            expect(roles).not.toContain("roles/owner");
            expect(roles).not.toContain("roles/editor");
        });

        test("Cloud SQL: private IP only, TLS enforced, backups and PITR, HA and protection as the stack says", () => {
            const instance = one("gcp:sql/databaseInstance:DatabaseInstance");
            expect(at(instance.inputs, "settings", "ipConfiguration", "ipv4Enabled")).toBe(false);
            expect(at(instance.inputs, "settings", "ipConfiguration", "sslMode")).toBe("ENCRYPTED_ONLY");
            expect(at(instance.inputs, "settings", "backupConfiguration", "enabled")).toBe(true);
            expect(at(instance.inputs, "settings", "backupConfiguration", "pointInTimeRecoveryEnabled")).toBe(true);
            expect(at(instance.inputs, "settings", "availabilityType")).toBe(expected.highAvailability ? "REGIONAL" : "ZONAL");
            expect(instance.inputs.deletionProtection).toBe(expected.protectedData);
            expect(instance.protect).toBe(expected.protectedData);
            expect(instance.inputs.region).toBe(region);
        });

        test("GCS: two private buckets, metadata versioned, protection and force-destroy as the stack says", () => {
            const buckets = ofType(plan, "gcp:storage/bucket:Bucket");
            expect(buckets.map((b) => b.inputs.name).sort()).toEqual([plan.outputs.metadataBucket, plan.outputs.userDataBucket].sort());
            for (const b of buckets) {
                expect(b.inputs.uniformBucketLevelAccess).toBe(true);
                expect(b.inputs.publicAccessPrevention).toBe("enforced");
                expect(b.inputs.forceDestroy).toBe(expected.forceDestroyBuckets);
                expect(b.protect).toBe(expected.protectedData);
            }
            const metadata = buckets.find((b) => b.inputs.name === plan.outputs.metadataBucket);
            expect(at(metadata?.inputs, "versioning", "enabled")).toBe(true);
        });

        test(`identities: exactly one Google service account per ${flavorName === "core" ? "flyte-core component" : "backend"} and one for task pods`, () => {
            const accounts = ofType(plan, "gcp:serviceaccount/account:Account")
                .map((a) => `${String(a.inputs.accountId)}@${String(a.inputs.project)}.iam.gserviceaccount.com`)
                .filter((e) => e !== email("nodes"));
            expect(sorted(accounts)).toEqual(sorted(flavor.identities.map((i) => email(i.accountSuffix))));
            expect(new Set(accounts).size).toBe(accounts.length);
        });

        test("identities: storage roles on Flyte's buckets only, each identity on exactly the buckets it uses", () => {
            const grants = ofType(plan, "gcp:storage/bucketIAMMember:BucketIAMMember").map(
                (g) => `${String(g.inputs.member)} ${String(g.inputs.bucket)} ${String(g.inputs.role)}`,
            );
            const expectedGrants = flavor.identities.flatMap((identity) =>
                identity.buckets.flatMap((bucket) =>
                    BUCKET_ROLES.map((role) => `serviceAccount:${email(identity.accountSuffix)} ${bucketName(bucket)} ${role}`),
                ),
            );
            expect(sorted(grants)).toEqual(sorted(expectedGrants));
            for (const g of ofType(plan, "gcp:storage/bucketIAMMember:BucketIAMMember")) {
                // Whole-bucket roles: nothing narrows them to other objects.
                expect(g.inputs.condition).toBeUndefined();
            }
        });

        test("identities: only the identity behind the data proxy may sign blobs, and only as itself", () => {
            const signers = ofType(plan, "gcp:serviceaccount/iAMMember:IAMMember").filter((m) => m.inputs.role === SIGN_BLOB_ROLE);
            const expectedSigners = flavor.identities.filter((i) => i.signsBlobs).map((i) => email(i.accountSuffix));
            expect(expectedSigners).toHaveLength(1);
            expect(signers.map((m) => [m.inputs.serviceAccountId, m.inputs.member])).toEqual(
                expectedSigners.map((e) => [`projects/${gcpProject}/serviceAccounts/${e}`, `serviceAccount:${e}`]),
            );
            // Nobody holds the role project-wide.
            expect(ofType(plan, "gcp:projects/iAMMember:IAMMember").map((g) => g.inputs.role)).not.toContain(SIGN_BLOB_ROLE);
        });

        test("identities: Workload Identity binds each account to exactly its Kubernetes service accounts", () => {
            const expectedMembers = flavor.identities.flatMap((identity) => [
                ...identity.flyteServiceAccounts.map(
                    (ksa) => `${email(identity.accountSuffix)} serviceAccount:${pool}[${flyteNamespace}/${ksa}]`,
                ),
                ...(identity.taskPods
                    ? taskNamespaces.map((ns) => `${email(identity.accountSuffix)} serviceAccount:${pool}[${ns}/${WORKER_KSA}]`)
                    : []),
            ]);
            expect(sorted(workloadIdentityMembers())).toEqual(sorted(expectedMembers));
            // Every member binding is made once the cluster's pool exists.
            for (const m of ofType(plan, "gcp:serviceaccount/iAMMember:IAMMember").filter((r) => r.inputs.role === WORKLOAD_IDENTITY_USER)) {
                expect(transitiveDependencies(plan, m)).toContain(one("gcp:container/cluster:Cluster").urn);
            }
        });

        test("the chart values annotate each of Flyte's service accounts with its own identity", () => {
            const values = at(release().inputs, "values");
            if (flavorName === "binary") {
                expect(stringMapAt(values, "serviceAccount", "annotations")).toEqual({
                    "iam.gke.io/gcp-service-account": email("backend"),
                });
                return;
            }
            for (const identity of CORE_IDENTITIES.filter((i) => !i.taskPods)) {
                expect([identity.key, stringMapAt(values, identity.key, "serviceAccount", "annotations")]).toEqual([
                    identity.key,
                    { "iam.gke.io/gcp-service-account": email(identity.accountSuffix) },
                ]);
            }
            expect(at(values, "configmap", "remoteData", "remoteData", "signedUrls", "signingPrincipal")).toBe(email("admin"));
        });

        test("the internal load balancer sits on a reserved internal IP of the subnet and serves 8088 and 8089", () => {
            const address = one("gcp:compute/address:Address");
            expect(address.inputs.addressType).toBe("INTERNAL");
            expect(String(address.inputs.subnetwork)).toContain("/subnetworks/");
            expect(address.inputs.address).toBe(expected.loadBalancerIp);
            const service = one("kubernetes:core/v1:Service");
            expect(at(service.inputs, "metadata", "name")).toBe(`${flavor.release}-lb`);
            expect(at(service.inputs, "metadata", "annotations", "networking.gke.io/load-balancer-type")).toBe("Internal");
            expect(at(service.inputs, "spec", "type")).toBe("LoadBalancer");
            const ip = expected.loadBalancerIp ?? "10.0.0.10";
            expect(at(service.inputs, "spec", "loadBalancerIP")).toBe(ip);
            expect((at(service.inputs, "spec", "ports") as { port: number }[]).map((p) => p.port)).toEqual([8088, 8089]);
            expect(plan.outputs.grpcEndpoint).toBe(`${ip}:8089`);
            expect(plan.outputs.httpEndpoint).toBe(`http://${ip}:8088`);
        });

        if (flavorName === "core") {
            test("flyte-core: the load balancer selects the endpoint proxy's pods, on the proxy's http and grpc ports", () => {
                const service = one("kubernetes:core/v1:Service");
                const proxy = byName(plan, "kubernetes:apps/v1:Deployment", "flyte-proxy-deployment");
                expect(ofType(plan, "kubernetes:apps/v1:Deployment")).toEqual([proxy]);
                expect(at(service.inputs, "metadata", "namespace")).toBe(at(proxy.inputs, "metadata", "namespace"));
                const selector = stringMapAt(service.inputs, "spec", "selector");
                const podLabels = stringMapAt(proxy.inputs, "spec", "template", "metadata", "labels");
                expect(Object.keys(selector).length).toBeGreaterThan(0);
                expect(selects(selector, podLabels)).toBe(true);
                // Only pods the proxy Deployment claims: its own selector is within the Service's.
                expect(selects(stringMapAt(proxy.inputs, "spec", "selector", "matchLabels"), selector)).toBe(true);
                // The chart's pods carry its own labels, never the proxy's.
                expect(Object.values(selector)).not.toContain(flavor.release);

                const containerPorts = new Map(
                    arrayAt(proxy.inputs, "spec", "template", "spec", "containers", 0, "ports").map((p) => [
                        stringAt(p, "name"),
                        at(p, "containerPort"),
                    ]),
                );
                const targets = arrayAt(service.inputs, "spec", "ports").map((p) => [at(p, "port"), containerPorts.get(stringAt(p, "targetPort"))]);
                expect(targets).toEqual([
                    [8088, 8088],
                    [8089, 8089],
                ]);
                // nginx starts once the chart's Services exist: the proxy waits for the release.
                expect(proxy.dependencies).toContain(release().urn);
            });

            test("flyte-core: replicas of the stateless services and the proxy as coreReplicas says", () => {
                const replicas = settings.integer("coreReplicas");
                const values = at(release().inputs, "values");
                const proxy = byName(plan, "kubernetes:apps/v1:Deployment", "flyte-proxy-deployment");
                expect({
                    flyteadmin: at(values, "flyteadmin", "replicaCount"),
                    flyteconsole: at(values, "flyteconsole", "replicaCount"),
                    datacatalog: at(values, "datacatalog", "replicaCount"),
                    proxy: at(proxy.inputs, "spec", "replicas"),
                }).toEqual({ flyteadmin: replicas, flyteconsole: replicas, datacatalog: replicas, proxy: replicas });
            });
        }

        test("the cluster and the database never wait for each other", () => {
            const cluster = one("gcp:container/cluster:Cluster");
            const instance = one("gcp:sql/databaseInstance:DatabaseInstance");
            const nodePool = one("gcp:container/nodePool:NodePool");
            expect(transitiveDependencies(plan, cluster)).not.toContain(instance.urn);
            expect(transitiveDependencies(plan, nodePool)).not.toContain(instance.urn);
            expect(transitiveDependencies(plan, instance)).not.toContain(cluster.urn);
        });

        test(`the Helm release (${flavor.release}) waits for the database, the backend's grants, node pool and NAT, not the task pods' grants`, () => {
            const deps = transitiveDependencies(plan, release());
            for (const type of [
                "gcp:sql/user:User",
                "gcp:sql/database:Database",
                "gcp:container/nodePool:NodePool",
                "gcp:compute/routerNat:RouterNat",
                "kubernetes:core/v1:Secret",
                "kubernetes:core/v1:Namespace",
            ]) {
                expect(deps).toContain(one(type).urn);
            }
            const backend = flavor.identities.filter((i) => !i.taskPods);
            const workers = flavor.identities.filter((i) => i.taskPods);
            const backendGrants = backend.flatMap(grantsOf);
            // Bucket roles, signBlob and a Workload Identity binding per backend identity (the scheduler has no bucket).
            expect(backendGrants.length).toBe(
                backend.reduce((n, i) => n + i.buckets.length * BUCKET_ROLES.length + (i.signsBlobs ? 1 : 0) + i.flyteServiceAccounts.length, 0),
            );
            expect(backendGrants.filter((g) => !deps.has(g.urn)).map((g) => g.name)).toEqual([]);
            const workerGrants = workers.flatMap(grantsOf);
            expect(workerGrants.length).toBe(
                workers.reduce((n, i) => n + i.buckets.length * BUCKET_ROLES.length + taskNamespaces.length, 0),
            );
            expect(workerGrants.filter((g) => deps.has(g.urn)).map((g) => g.name)).toEqual([]);
            // It does not wait for the load balancer address or the Service.
            expect(deps).not.toContain(one("gcp:compute/address:Address").urn);
            expect(deps).not.toContain(one("kubernetes:core/v1:Service").urn);
            expect(release().inputs).toMatchObject({
                name: flavor.release,
                chart: flavor.chart,
                namespace: flyteNamespace,
                version: file["flyte:chartVersion"] ?? "v1.16.8",
            });
            const values = at(release().inputs, "values");
            const databaseOptions =
                flavorName === "binary"
                    ? [at(values, "configuration", "database", "options")]
                    : [at(values, "db", "admin", "database", "options"), at(values, "db", "datacatalog", "database", "options")];
            expect(databaseOptions).toEqual(databaseOptions.map(() => "sslmode=require"));
        });

        test("every Kubernetes object goes through the provider built from the cluster", () => {
            const provider = one("pulumi:providers:kubernetes");
            expect(provider.dependencies).toContain(one("gcp:container/cluster:Cluster").urn);
            for (const r of plan.resources.filter((r) => r.type.startsWith("kubernetes:"))) {
                expect(r.provider.startsWith(`${provider.urn}::`)).toBe(true);
            }
        });

        test("secrets stay secret: the password and kubeconfig are never printed", () => {
            const text = JSON.stringify(plan);
            const password = one("random:index/randomPassword:RandomPassword");
            expect(text).not.toContain(mockPassword(password.name));
            expect(plan.outputs.kubeconfig).toBe("[secret]");
            expect(byUrn(plan, one("pulumi:providers:kubernetes").urn).inputs.kubeconfig).toBe("[secret]");
            expect(one("gcp:sql/user:User").inputs.password).toBe("[secret]");
        });

        test("exports the outputs contract: every identity by key, the backend's and the task pods'", () => {
            expect(Object.keys(plan.outputs).sort()).toEqual(
                [
                    "backendServiceAccount",
                    "clusterName",
                    "consoleUrl",
                    "databaseHost",
                    "flytectlConfig",
                    "grpcEndpoint",
                    "httpEndpoint",
                    "identities",
                    "kubeconfig",
                    "metadataBucket",
                    "portForwardCommand",
                    "userDataBucket",
                    // On by default on gcp (test/components/flyte/deploymentVerification.test.ts).
                    "verificationJobs",
                    "workerServiceAccount",
                ].sort(),
            );
            expect(plan.outputs.identities).toEqual(
                Object.fromEntries(flavor.identities.map((identity) => [identity.key, email(identity.accountSuffix)])),
            );
            const backend = flavor.identities.find((i) => i.key === flavor.backendKey);
            expect(plan.outputs.backendServiceAccount).toBe(email(backend?.accountSuffix ?? "(none)"));
            expect(plan.outputs.workerServiceAccount).toBe(email("worker"));
            expect(plan.outputs.clusterName).toBe(`flyte-${stack}`);
            expect(plan.outputs.databaseHost).toBe("10.32.0.3");
            expect(plan.outputs.consoleUrl).toBe(`${plan.outputs.httpEndpoint}/console`);
            expect(plan.outputs.flytectlConfig).toContain(`endpoint: dns:///${plan.outputs.grpcEndpoint}`);
            expect(plan.outputs.portForwardCommand).toBe(
                `kubectl --namespace ${flyteNamespace} port-forward service/${flavor.release}-lb 8088:8088 8089:8089`,
            );
        });

        test("no two resources share a URN and every parent exists", () => {
            const urns = plan.resources.map((r) => r.urn);
            expect(new Set(urns).size).toBe(urns.length);
            for (const r of plan.resources) {
                if (r.parent) {
                    expect(urns).toContain(r.parent);
                }
            }
        });
    });
}
