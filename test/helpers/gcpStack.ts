import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";
import { mockPassword } from "../../lib/plan/mocks";
import type { Plan } from "../../lib/plan/runPlan";
import { at } from "./components";
import { byName, byUrn, ofType, only, planStack, PROJECT_DIR, transitiveDependencies } from "./plan";

export interface GcpStackExpectations {
    /** Deletion protection, Pulumi protect and PREVENT on data. */
    readonly protectedData: boolean;
    readonly highAvailability: boolean;
    readonly forceDestroyBuckets: boolean;
    readonly clusterLocation: string;
    readonly loadBalancerIp?: string;
}

/** The stack file's own view of a key, read without the program, so tests can catch the program disagreeing. */
function stackFileConfig(stack: string): Record<string, unknown> {
    const doc = parse(fs.readFileSync(path.join(PROJECT_DIR, `Pulumi.${stack}.yaml`), "utf8")) as {
        config: Record<string, unknown>;
    };
    return doc.config;
}

/**
 * The properties every GCP stack must have, asserted on the plan of the real program with the stack's file.
 */
export function describeGcpStack(stack: string, expected: GcpStackExpectations): void {
    const file = stackFileConfig(stack);
    const gcpProject = String(file["gcp:project"]);
    const region = String(file["gcp:region"]);
    const projects = (file["flyte:flyteProjects"] as string[] | undefined) ?? ["flytesnacks"];
    const domains = (file["flyte:flyteDomains"] as string[] | undefined) ?? ["development", "staging", "production"];
    const pool = `${gcpProject}.svc.id.goog`;
    let plan: Plan;

    beforeAll(async () => {
        plan = await planStack(stack);
    });

    const one = (type: string) => only(plan, type);
    const email = (account: string) => `flyte-${stack}-${account}@${gcpProject}.iam.gserviceaccount.com`;

    describe(`stack ${stack}`, () => {
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

        test("identities: storage roles on the two buckets only; Workload Identity for exactly Flyte's accounts", () => {
            for (const g of ofType(plan, "gcp:storage/bucketIAMMember:BucketIAMMember")) {
                expect([plan.outputs.metadataBucket, plan.outputs.userDataBucket]).toContain(g.inputs.bucket);
                expect([`serviceAccount:${email("backend")}`, `serviceAccount:${email("worker")}`]).toContain(g.inputs.member);
            }
            const wi = ofType(plan, "gcp:serviceaccount/iAMMember:IAMMember").filter(
                (m) => m.inputs.role === "roles/iam.workloadIdentityUser",
            );
            const members = wi.map((m) => `${String(m.inputs.serviceAccountId).split("/").pop()} ${m.inputs.member}`);
            const expectedMembers = [
                `${email("backend")} serviceAccount:${pool}[flyte/flyte-binary]`,
                ...projects.flatMap((p) => domains.map((d) => `${email("worker")} serviceAccount:${pool}[${p}-${d}/default]`)),
            ];
            expect(members.sort()).toEqual(expectedMembers.sort());
        });

        test("the internal load balancer sits on a reserved internal IP of the subnet and serves 8088 and 8089", () => {
            const address = one("gcp:compute/address:Address");
            expect(address.inputs.addressType).toBe("INTERNAL");
            expect(String(address.inputs.subnetwork)).toContain("/subnetworks/");
            expect(address.inputs.address).toBe(expected.loadBalancerIp);
            const service = one("kubernetes:core/v1:Service");
            expect(at(service.inputs, "metadata", "annotations", "networking.gke.io/load-balancer-type")).toBe("Internal");
            expect(at(service.inputs, "spec", "type")).toBe("LoadBalancer");
            const ip = expected.loadBalancerIp ?? "10.0.0.10";
            expect(at(service.inputs, "spec", "loadBalancerIP")).toBe(ip);
            expect((at(service.inputs, "spec", "ports") as { port: number }[]).map((p) => p.port)).toEqual([8088, 8089]);
            expect(plan.outputs.grpcEndpoint).toBe(`${ip}:8089`);
            expect(plan.outputs.httpEndpoint).toBe(`http://${ip}:8088`);
        });

        test("the cluster and the database never wait for each other", () => {
            const cluster = one("gcp:container/cluster:Cluster");
            const instance = one("gcp:sql/databaseInstance:DatabaseInstance");
            const nodePool = one("gcp:container/nodePool:NodePool");
            expect(transitiveDependencies(plan, cluster)).not.toContain(instance.urn);
            expect(transitiveDependencies(plan, nodePool)).not.toContain(instance.urn);
            expect(transitiveDependencies(plan, instance)).not.toContain(cluster.urn);
        });

        test("the Helm release waits for the database, buckets, identities, node pool and NAT it uses", () => {
            const release = one("kubernetes:helm.sh/v3:Release");
            const deps = transitiveDependencies(plan, release);
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
            for (const r of [
                ...ofType(plan, "gcp:serviceaccount/iAMMember:IAMMember"),
                ...ofType(plan, "gcp:storage/bucketIAMMember:BucketIAMMember"),
            ]) {
                expect(deps).toContain(r.urn);
            }
            // It does not wait for the load balancer address or the Service.
            expect(deps).not.toContain(one("gcp:compute/address:Address").urn);
            expect(deps).not.toContain(one("kubernetes:core/v1:Service").urn);
            expect(release.inputs).toMatchObject({ chart: "flyte-binary", version: file["flyte:chartVersion"] ?? "v1.16.8" });
            expect(at(release.inputs, "values", "configuration", "database", "options")).toBe("sslmode=require");
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

        test("exports the outputs contract", () => {
            expect(Object.keys(plan.outputs).sort()).toEqual(
                [
                    "backendServiceAccount",
                    "clusterName",
                    "consoleUrl",
                    "databaseHost",
                    "flytectlConfig",
                    "grpcEndpoint",
                    "httpEndpoint",
                    "kubeconfig",
                    "metadataBucket",
                    "userDataBucket",
                    "workerServiceAccount",
                ].sort(),
            );
            expect(plan.outputs.backendServiceAccount).toBe(email("backend"));
            expect(plan.outputs.workerServiceAccount).toBe(email("worker"));
            expect(plan.outputs.clusterName).toBe(`flyte-${stack}`);
            expect(plan.outputs.databaseHost).toBe("10.32.0.3");
            expect(plan.outputs.consoleUrl).toBe(`${plan.outputs.httpEndpoint}/console`);
            expect(plan.outputs.flytectlConfig).toContain(`endpoint: dns:///${plan.outputs.grpcEndpoint}`);
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
