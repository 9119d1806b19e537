/**
 * The whole policy pack against the real program: every shipped stack file planned (the same mechanism as
 * `npm run plan`) and turned into the resource graph the policy engine would see. No shipped stack may violate
 * anything; and edits of a real plan that weaken it must be caught, each by the policy meant to catch it.
 */
import type { PolicyResource } from "@pulumi/policy";
import type { RecordedResource } from "../../lib/plan/monitor";
import type { Plan } from "../../lib/plan/runPlan";
import type { Json } from "../../lib/plan/wire";
import { policies } from "../../policy/policies";
import {
    editInput,
    editResource,
    isJsonObject,
    packViolations,
    planResources,
    planViolations,
    removeResource,
    Violation,
    withInput,
} from "../helpers/policy";
import { beforeAllPlans } from "../helpers/sharedPlans";

const STACKS = ["dev", "prod", "poc", "eks", "local", "gke-sso", "eks-sso", "gke-control", "gke-gpu", "gke-batch", "eks-control", "eks-batch", "eks-spot"] as const;
/** The data planes: flytepropeller only, reporting to a control plane's endpoint. */
const DATA_PLANE_STACKS: readonly string[] = ["gke-gpu", "gke-batch", "eks-batch", "eks-spot"];
/** The stacks with Flyte's endpoint: all but the data planes. */
const ENDPOINT_STACKS = STACKS.filter((s) => !DATA_PLANE_STACKS.includes(s));

const planOf = beforeAllPlans(STACKS);

function one(plan: Plan, type: string, name?: string): RecordedResource {
    const found = plan.resources.filter((r) => r.type === type && (name === undefined || r.name === name));
    if (found.length !== 1) {
        throw new Error(`expected one ${type}${name ? ` named ${name}` : ""} in ${plan.stack}, found ${found.length}`);
    }
    return found[0];
}

function all(plan: Plan, type: string): RecordedResource[] {
    return plan.resources.filter((r) => r.type === type);
}

const T = {
    gcsBucket: "gcp:storage/bucket:Bucket",
    cloudSql: "gcp:sql/databaseInstance:DatabaseInstance",
    gkeCluster: "gcp:container/cluster:Cluster",
    gkeNodePool: "gcp:container/nodePool:NodePool",
    projectIamMember: "gcp:projects/iAMMember:IAMMember",
    bucketIamMember: "gcp:storage/bucketIAMMember:BucketIAMMember",
    s3Bucket: "aws:s3/bucket:Bucket",
    s3PublicAccessBlock: "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
    s3Encryption: "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
    s3BucketPolicy: "aws:s3/bucketPolicy:BucketPolicy",
    rdsInstance: "aws:rds/instance:Instance",
    eksCluster: "aws:eks/cluster:Cluster",
    service: "kubernetes:core/v1:Service",
    release: "kubernetes:helm.sh/v3:Release",
    ingress: "kubernetes:networking.k8s.io/v1:Ingress",
} as const;

// ---- The adapter ----

describe("the plan as the policy engine sees it", () => {
    test("every resource is there once, with its inputs, protect and parent linked", () => {
        const plan = planOf("prod");
        const resources = planResources(plan);
        expect(resources.map((r) => r.urn)).toEqual(plan.resources.map((r) => r.urn));
        const byUrn = new Map(resources.map((r) => [r.urn, r]));
        for (const recorded of plan.resources) {
            const resource = byUrn.get(recorded.urn) as PolicyResource;
            expect(resource.props).toEqual(recorded.inputs);
            expect(resource.opts.protect).toBe(recorded.protect);
            if (recorded.parent === "") {
                expect(resource.parent).toBeUndefined();
            } else {
                // The very object, not a copy: policies compare parents by URN and may walk up.
                expect(resource.parent).toBe(byUrn.get(recorded.parent));
            }
            expect(resource.dependencies.map((d) => d.urn)).toEqual(recorded.dependencies);
        }
    });

    test("property dependencies link an S3 bucket's attachments to the bucket object (eks)", () => {
        const resources = planResources(planOf("eks"));
        const buckets = resources.filter((r) => r.type === T.s3Bucket);
        expect(buckets).toHaveLength(2);
        for (const attachment of [T.s3PublicAccessBlock, T.s3Encryption]) {
            const attached = resources.filter((r) => r.type === attachment);
            expect(attached).toHaveLength(2);
            for (const r of attached) {
                const [target] = r.propertyDependencies.bucket ?? [];
                expect(buckets).toContain(target);
            }
        }
    });

    test("the plan's props are copies: editing them does not change the plan", () => {
        const plan = planOf("prod");
        const [sql] = planResources(plan).filter((r) => r.type === T.cloudSql);
        sql.props.settings = {};
        expect(one(plan, T.cloudSql).inputs.settings).not.toEqual({});
    });
});

// ---- Every shipped stack passes ----

describe.each(STACKS)("the %s stack", (stack) => {
    test("was planned on its own: every URN is the stack's", () => {
        const plan = planOf(stack);
        expect(plan.stack).toBe(stack);
        expect(plan.resources.length).toBeGreaterThan(10);
        expect(plan.resources.filter((r) => !r.urn.startsWith(`urn:pulumi:${stack}::flyte::`))).toEqual([]);
    });

    test("violates no policy", async () => {
        await expect(planViolations(policies, planOf(stack))).resolves.toEqual([]);
    });
});

describe("the shipped stacks give the policies something to check", () => {
    // "No violation" would prove nothing if the plan held none of the resources the policies are about.
    test.each([
        ["dev", [T.gcsBucket, T.cloudSql, T.gkeCluster, T.gkeNodePool, T.projectIamMember, T.service, T.release]],
        ["prod", [T.gcsBucket, T.cloudSql, T.gkeCluster, T.gkeNodePool, T.projectIamMember, T.service, T.release]],
        ["poc", [T.gcsBucket, T.cloudSql, T.gkeCluster, T.gkeNodePool, T.projectIamMember, T.service, T.release]],
        ["eks", [T.s3Bucket, T.s3PublicAccessBlock, T.s3Encryption, T.s3BucketPolicy, T.rdsInstance, T.eksCluster, T.service, T.release]],
        ["local", [T.service, T.release]],
        [
            "gke-sso",
            [T.gkeCluster, T.service, T.release, "kubernetes:gateway.networking.k8s.io/v1:Gateway", "gcp:pubsub/topicIAMMember:TopicIAMMember", "gcp:pubsub/subscriptionIAMMember:SubscriptionIAMMember"],
        ],
        [
            "eks-sso",
            [T.eksCluster, T.release, "aws:lb/loadBalancer:LoadBalancer", "aws:lb/listener:Listener", "aws:sns/topic:Topic", "aws:sns/topicPolicy:TopicPolicy", "aws:sqs/queue:Queue", "aws:sqs/queuePolicy:QueuePolicy"],
        ],
        ["gke-control", [T.gcsBucket, T.cloudSql, T.gkeCluster, T.gkeNodePool, T.projectIamMember, T.bucketIamMember, T.service, T.release, "kubernetes:batch/v1:Job"]],
        // The data planes: GKE, grants on the control plane's buckets, the RBAC flyteadmin acts with there; gpu's own bucket.
        ["gke-gpu", [T.gcsBucket, T.gkeCluster, T.gkeNodePool, T.projectIamMember, T.bucketIamMember, T.release, "kubernetes:rbac.authorization.k8s.io/v1:ClusterRole"]],
        ["gke-batch", [T.gkeCluster, T.gkeNodePool, T.projectIamMember, T.bucketIamMember, T.release, "kubernetes:rbac.authorization.k8s.io/v1:ClusterRole"]],
        ["eks-control", [T.s3Bucket, T.s3PublicAccessBlock, T.s3Encryption, T.s3BucketPolicy, T.rdsInstance, T.eksCluster, T.service, T.release, "kubernetes:batch/v1:Job"]],
        // The AWS data planes: EKS, the RBAC flyteadmin acts with there; no bucket of their own (the control plane isolates projects).
        ["eks-batch", [T.eksCluster, T.release, "kubernetes:rbac.authorization.k8s.io/v1:ClusterRole"]],
        ["eks-spot", [T.eksCluster, T.release, "kubernetes:rbac.authorization.k8s.io/v1:ClusterRole"]],
    ] as const)("%s", (stack, types) => {
        const plan = planOf(stack);
        for (const type of types) {
            // The type in the assertion names what is missing when it fails.
            expect([type, all(plan, type).length > 0]).toEqual([type, true]);
        }
    });

    test("prod's data is protected the way the policy asks, and its endpoint is an internal load balancer", () => {
        const plan = planOf("prod");
        expect(one(plan, T.cloudSql).protect).toBe(true);
        expect(all(plan, T.gcsBucket).every((b) => b.protect)).toBe(true);
        expect(one(plan, T.service).inputs).toMatchObject({ spec: { type: "LoadBalancer" } });
    });

    test.each(ENDPOINT_STACKS)("%s: the Flyte release and its endpoint Service share a namespace (what the auth exemption goes by)", (stack) => {
        const plan = planOf(stack);
        const release = one(plan, T.release);
        const endpoint = one(plan, T.service, "flyte-endpoint");
        expect(typeof release.inputs.namespace).toBe("string");
        expect(endpoint.inputs).toMatchObject({ metadata: { namespace: release.inputs.namespace } });
    });

    test.each(["prod", "poc"] as const)("%s: flyte-core is told not to create the chart's Ingress (its default)", (stack) => {
        const release = one(planOf(stack), T.release);
        expect(release.inputs).toMatchObject({ chart: expect.stringMatching(/flyte-core$/), values: { common: { ingress: { enabled: false } } } });
    });

    test("the local stack exposes Flyte through NodePorts, not load balancers", () => {
        const services = all(planOf("local"), T.service);
        expect(services.length).toBeGreaterThan(0);
        for (const service of services) {
            expect(service.inputs).not.toMatchObject({ spec: { type: "LoadBalancer" } });
        }
    });

    test.each(["dev", "poc", "eks"] as const)(
        "%s (no deletion protection) would fail deletion-protection-in-prod if it were named a production stack",
        async (stack) => {
            const violations = await planViolations(policies, planOf(stack), { "deletion-protection-in-prod": { stacks: [stack] } });
            expect(violations.length).toBeGreaterThan(0);
            expect(new Set(violations.map((v) => v.policy))).toEqual(new Set(["deletion-protection-in-prod"]));
        },
    );

    test("prod passes deletion-protection-in-prod under its own name and under a custom list naming it", async () => {
        await expect(planViolations(policies, planOf("prod"), { "deletion-protection-in-prod": { stacks: ["prod", "production"] } })).resolves.toEqual([]);
    });
});

// ---- Regressions on the prod plan ----

/** The violations of an edited plan, which must be exactly the expected ones. */
async function expectOnly(plan: Plan, expected: readonly { policy: string; urn: string; message: RegExp }[]): Promise<void> {
    const violations: Violation[] = await planViolations(policies, plan);
    expect(violations).toEqual(expected.map((e) => ({ policy: e.policy, urn: e.urn, message: expect.stringMatching(e.message) })));
}

/** A copy of a flyte-core plan with Flyte's authentication on. */
function authenticateCore(plan: Plan): Plan {
    const release = one(plan, T.release);
    return editResource(plan, T.release, release.name, (r) => ({
        ...r,
        inputs: withInput(r.inputs, ["values", "configmap", "adminServer"], { server: { security: { useAuth: true } } }),
    }));
}

/** A copy of a flyte-binary plan with Flyte's authentication on. */
function authenticateBinary(plan: Plan): Plan {
    const release = one(plan, T.release);
    return editInput(plan, T.release, release.name, ["values", "configuration", "auth"], { enabled: true });
}

/** A deep copy of the plan with one more resource (a top-level one, with no dependencies). */
function addResource(plan: Plan, resource: RecordedResource): Plan {
    if (plan.resources.some((r) => r.urn === resource.urn)) {
        throw new Error(`${resource.urn} is already in the plan`);
    }
    return { ...structuredClone(plan), resources: [...structuredClone(plan.resources), resource] };
}

/** An Ingress as another program (or a later change) would add it to the stack, modelled on the plan's endpoint Service. */
function ingressIn(plan: Plan, name: string, namespace: string, spec: { [key: string]: Json }): RecordedResource {
    const template = one(plan, T.service);
    return {
        ...structuredClone(template),
        type: T.ingress,
        name,
        urn: `urn:pulumi:${plan.stack}::flyte::${T.ingress}::${name}`,
        parent: "",
        provider: "",
        dependencies: [],
        propertyDependencies: {},
        protect: false,
        inputs: { metadata: { name, namespace }, spec },
    };
}

describe("regressions on the prod plan are caught", () => {
    const prod = () => planOf("prod");

    test("the Cloud SQL instance without Pulumi's protect", async () => {
        const sql = one(prod(), T.cloudSql);
        const edited = editResource(prod(), T.cloudSql, sql.name, (r) => ({ ...r, protect: false }));
        await expectOnly(edited, [{ policy: "deletion-protection-in-prod", urn: sql.urn, message: /protect option/ }]);
    });

    test("the Cloud SQL instance without deletionProtection", async () => {
        const sql = one(prod(), T.cloudSql);
        const edited = editInput(prod(), T.cloudSql, sql.name, ["deletionProtection"], undefined);
        await expectOnly(edited, [{ policy: "deletion-protection-in-prod", urn: sql.urn, message: /deletionProtection: true/ }]);
    });

    test("the Cloud SQL instance with a public IPv4 address", async () => {
        const sql = one(prod(), T.cloudSql);
        const edited = editInput(prod(), T.cloudSql, sql.name, ["settings", "ipConfiguration", "ipv4Enabled"], true);
        await expectOnly(edited, [{ policy: "database-not-public", urn: sql.urn, message: /ipv4Enabled: false/ }]);
    });

    test("the Cloud SQL instance leaving ipv4Enabled to the default", async () => {
        const sql = one(prod(), T.cloudSql);
        const edited = editInput(prod(), T.cloudSql, sql.name, ["settings", "ipConfiguration", "ipv4Enabled"], undefined);
        await expectOnly(edited, [{ policy: "database-not-public", urn: sql.urn, message: /ipv4Enabled: false/ }]);
    });

    test("the endpoint Service made an external load balancer", async () => {
        const service = one(prod(), T.service);
        const edited = editInput(prod(), T.service, service.name, ["metadata", "annotations", "networking.gke.io/load-balancer-type"], "External");
        await expectOnly(edited, [{ policy: "no-public-load-balancer-without-auth", urn: service.urn, message: /internet-facing LoadBalancer/ }]);
    });

    test("the endpoint Service's internal annotation dropped", async () => {
        const service = one(prod(), T.service);
        const edited = editInput(prod(), T.service, service.name, ["metadata", "annotations", "networking.gke.io/load-balancer-type"], undefined);
        await expectOnly(edited, [{ policy: "no-public-load-balancer-without-auth", urn: service.urn, message: /internet-facing LoadBalancer/ }]);
    });

    test.each(["prod", "poc"] as const)("%s: an external endpoint is accepted once flyte-core authenticates", async (stack) => {
        const plan = planOf(stack);
        const service = one(plan, T.service);
        const release = one(plan, T.release);
        const external = editInput(plan, T.service, service.name, ["metadata", "annotations", "networking.gke.io/load-balancer-type"], "External");
        await expectOnly(authenticateCore(external), []);
        // What the exemption hangs on: the Service is in the release's namespace.
        await expectOnly(authenticateCore(editInput(external, T.service, service.name, ["metadata", "namespace"], "default")), [
            { policy: "no-public-load-balancer-without-auth", urn: service.urn, message: /Service flyte-endpoint is an internet-facing LoadBalancer/ },
        ]);
        await expectOnly(authenticateCore(editInput(external, T.release, release.name, ["namespace"], "flyte-elsewhere")), [
            { policy: "no-public-load-balancer-without-auth", urn: service.urn, message: /internet-facing LoadBalancer/ },
        ]);
    });

    test.each(["flyteadmin", "flyteconsole", "datacatalog", "webhook"])("flyte-core asked for a LoadBalancer %s Service", async (component) => {
        const release = one(prod(), T.release);
        const edited = editResource(prod(), T.release, release.name, (r) => {
            // Keep what the program sets for the component (if anything); only its service type changes.
            const values = r.inputs.values;
            const current = isJsonObject(values) ? values[component] : undefined;
            const settings = isJsonObject(current) ? current : {};
            const service = isJsonObject(settings.service) ? settings.service : {};
            return { ...r, inputs: withInput(r.inputs, ["values", component], { ...settings, service: { ...service, type: "LoadBalancer" } }) };
        });
        await expectOnly(edited, [
            { policy: "no-public-load-balancer-without-auth", urn: release.urn, message: new RegExp(`asks its chart for a LoadBalancer Service for ${component} `) },
        ]);
        await expectOnly(authenticateCore(edited), []);
    });

    test.each([
        ["dropped (the chart's default is on)", undefined],
        ["set to true", true],
    ] as const)("flyte-core's Ingress switch %s", async (_, enabled) => {
        const release = one(prod(), T.release);
        const edited = editInput(prod(), T.release, release.name, ["values", "common", "ingress", "enabled"], enabled);
        await expectOnly(edited, [{ policy: "no-public-load-balancer-without-auth", urn: release.urn, message: /asks its chart for an Ingress while/ }]);
        // With Flyte's authentication on, the chart's Ingress is accepted.
        await expectOnly(authenticateCore(edited), []);
    });

    test("an internet-facing Ingress next to flyte-core: reported, unless flyte-core authenticates in its namespace", async () => {
        expect(one(prod(), T.release).inputs.namespace).toBe("flyte");
        const withIngress = addResource(prod(), ingressIn(prod(), "flyte-web", "flyte", { ingressClassName: "gce" }));
        const ingress = one(withIngress, T.ingress);
        await expectOnly(withIngress, [{ policy: "no-public-load-balancer-without-auth", urn: ingress.urn, message: /Ingress flyte-web faces the internet/ }]);
        await expectOnly(authenticateCore(withIngress), []);
        const elsewhere = addResource(prod(), ingressIn(prod(), "grafana", "monitoring", {}));
        await expectOnly(authenticateCore(elsewhere), [
            { policy: "no-public-load-balancer-without-auth", urn: one(elsewhere, T.ingress).urn, message: /Ingress grafana faces the internet/ },
        ]);
    });

    test("an internal Ingress (gce-internal) next to flyte-core without auth passes", async () => {
        await expectOnly(addResource(prod(), ingressIn(prod(), "flyte-web", "flyte", { ingressClassName: "gce-internal" })), []);
    });

    test("the node pool serving pods the node's metadata", async () => {
        const pool = one(prod(), T.gkeNodePool);
        const edited = editInput(prod(), T.gkeNodePool, pool.name, ["nodeConfig", "workloadMetadataConfig", "mode"], "GCE_METADATA");
        await expectOnly(edited, [{ policy: "gke-workload-identity", urn: pool.urn, message: /GKE_METADATA/ }]);
    });

    test("the cluster without Workload Identity", async () => {
        const cluster = one(prod(), T.gkeCluster);
        const edited = editInput(prod(), T.gkeCluster, cluster.name, ["workloadIdentityConfig"], undefined);
        await expectOnly(edited, [{ policy: "gke-workload-identity", urn: cluster.urn, message: /Workload Identity/ }]);
    });

    test("the cluster with deletion protection off", async () => {
        const cluster = one(prod(), T.gkeCluster);
        const edited = editInput(prod(), T.gkeCluster, cluster.name, ["deletionProtection"], false);
        await expectOnly(edited, [{ policy: "deletion-protection-in-prod", urn: cluster.urn, message: /deletionProtection: true/ }]);
    });

    test("a bucket that may be destroyed with its data, or is no longer protected", async () => {
        const [bucket] = all(prod(), T.gcsBucket);
        const forced = editInput(prod(), T.gcsBucket, bucket.name, ["forceDestroy"], true);
        await expectOnly(forced, [{ policy: "deletion-protection-in-prod", urn: bucket.urn, message: /must not set forceDestroy/ }]);
        const unprotected = editResource(prod(), T.gcsBucket, bucket.name, (r) => ({ ...r, protect: false }));
        await expectOnly(unprotected, [{ policy: "deletion-protection-in-prod", urn: bucket.urn, message: /protect option/ }]);
    });

    test("a bucket open to the public", async () => {
        const [bucket] = all(prod(), T.gcsBucket);
        const edited = editInput(prod(), T.gcsBucket, bucket.name, ["publicAccessPrevention"], "inherited");
        await expectOnly(edited, [{ policy: "storage-not-public", urn: bucket.urn, message: /publicAccessPrevention/ }]);
    });

    test("a bucket grant to allUsers", async () => {
        const [grant] = all(prod(), T.bucketIamMember);
        const edited = editInput(prod(), T.bucketIamMember, grant.name, ["member"], "allUsers");
        await expectOnly(edited, [{ policy: "storage-not-public", urn: grant.urn, message: /to allUsers/ }]);
    });

    test("a project-wide grant widened to roles/editor", async () => {
        const [grant] = all(prod(), T.projectIamMember);
        const edited = editInput(prod(), T.projectIamMember, grant.name, ["role"], "roles/editor");
        await expectOnly(edited, [{ policy: "no-broad-project-roles", urn: grant.urn, message: /roles\/editor on the whole projects/ }]);
    });

    test("several regressions at once are each reported", async () => {
        const sql = one(prod(), T.cloudSql);
        const pool = one(prod(), T.gkeNodePool);
        let edited = editResource(prod(), T.cloudSql, sql.name, (r) => ({
            ...r,
            protect: false,
            inputs: withInput(r.inputs, ["settings", "ipConfiguration", "ipv4Enabled"], true),
        }));
        edited = editInput(edited, T.gkeNodePool, pool.name, ["nodeConfig", "workloadMetadataConfig"], undefined);
        const violations = await planViolations(policies, edited);
        expect(violations.map((v) => [v.policy, v.urn]).sort()).toEqual(
            [
                ["database-not-public", sql.urn],
                ["deletion-protection-in-prod", sql.urn],
                ["gke-workload-identity", pool.urn],
            ].sort(),
        );
    });
});

// ---- Regressions on the eks plan ----

describe("regressions on the eks plan are caught", () => {
    const eks = () => planOf("eks");
    const bucketNamed = (suffix: string): RecordedResource => {
        const found = all(eks(), T.s3Bucket).filter((b) => b.name.endsWith(suffix));
        expect(found).toHaveLength(1);
        return found[0];
    };
    /** The resource of `type` attached to the bucket through its `bucket` property. */
    const attachmentOf = (type: string, bucket: RecordedResource): RecordedResource => {
        const found = all(eks(), type).filter((r) => (r.propertyDependencies.bucket ?? []).includes(bucket.urn));
        expect(found).toHaveLength(1);
        return found[0];
    };

    test("a bucket's public access block dropped", async () => {
        const metadata = bucketNamed("metadata");
        const block = attachmentOf(T.s3PublicAccessBlock, metadata);
        await expectOnly(removeResource(eks(), block.type, block.name), [
            { policy: "s3-public-access-blocked", urn: metadata.urn, message: /no public access block/ },
        ]);
    });

    test("a bucket's public access block weakened", async () => {
        const userdata = bucketNamed("userdata");
        const block = attachmentOf(T.s3PublicAccessBlock, userdata);
        const edited = editInput(eks(), block.type, block.name, ["restrictPublicBuckets"], false);
        await expectOnly(edited, [
            { policy: "storage-not-public", urn: block.urn, message: /restrictPublicBuckets: true/ },
            { policy: "s3-public-access-blocked", urn: userdata.urn, message: /no public access block/ },
        ]);
    });

    test("a bucket's encryption configuration dropped", async () => {
        const userdata = bucketNamed("userdata");
        const sse = attachmentOf(T.s3Encryption, userdata);
        await expectOnly(removeResource(eks(), sse.type, sse.name), [
            { policy: "s3-encrypted", urn: userdata.urn, message: /no server-side encryption/ },
        ]);
    });

    test("a bucket's encryption configuration with an algorithm S3 does not know", async () => {
        const metadata = bucketNamed("metadata");
        const sse = attachmentOf(T.s3Encryption, metadata);
        const edited = editResource(eks(), sse.type, sse.name, (r) => ({
            ...r,
            inputs: withInput(r.inputs, ["rules"], [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "none" } }]),
        }));
        await expectOnly(edited, [{ policy: "s3-encrypted", urn: metadata.urn, message: /no server-side encryption/ }]);
    });

    test("a bucket policy that lets everyone read", async () => {
        const metadata = bucketNamed("metadata");
        const bucketPolicy = attachmentOf(T.s3BucketPolicy, metadata);
        const open = JSON.stringify({
            Version: "2012-10-17",
            Statement: [{ Effect: "Allow", Principal: "*", Action: "s3:GetObject", Resource: "arn:aws:s3:::x/*" }],
        });
        const edited = editInput(eks(), bucketPolicy.type, bucketPolicy.name, ["policy"], open);
        await expectOnly(edited, [{ policy: "storage-not-public", urn: bucketPolicy.urn, message: /allows anyone/ }]);
    });

    test("the database made public and unencrypted", async () => {
        const db = one(eks(), T.rdsInstance);
        let edited = editInput(eks(), T.rdsInstance, db.name, ["publiclyAccessible"], true);
        edited = editInput(edited, T.rdsInstance, db.name, ["storageEncrypted"], false);
        await expectOnly(edited, [
            { policy: "database-not-public", urn: db.urn, message: /publiclyAccessible/ },
            { policy: "rds-encrypted", urn: db.urn, message: /storageEncrypted: true/ },
        ]);
    });

    test("the endpoint Service without its internal annotation", async () => {
        const service = one(eks(), T.service);
        const edited = editInput(eks(), T.service, service.name, ["metadata", "annotations", "service.beta.kubernetes.io/aws-load-balancer-internal"], undefined);
        await expectOnly(edited, [{ policy: "no-public-load-balancer-without-auth", urn: service.urn, message: /internet-facing/ }]);
    });

    test("a bucket with an inline policy that lets everyone read", async () => {
        const metadata = bucketNamed("metadata");
        const open = JSON.stringify({ Version: "2012-10-17", Statement: { Effect: "Allow", Principal: "*", Action: "s3:GetObject", Resource: "arn:aws:s3:::x/*" } });
        const edited = editInput(eks(), T.s3Bucket, metadata.name, ["policy"], open);
        await expectOnly(edited, [{ policy: "storage-not-public", urn: metadata.urn, message: /has a policy that allows anyone/ }]);
    });

    test("a bucket with an inline grant to AllUsers", async () => {
        const userdata = bucketNamed("userdata");
        const uri = "http://acs.amazonaws.com/groups/global/AllUsers";
        const edited = editInput(eks(), T.s3Bucket, userdata.name, ["grants"], [{ type: "Group", uri, permissions: ["READ"] }]);
        await expectOnly(edited, [{ policy: "storage-not-public", urn: userdata.urn, message: /grants access to .*AllUsers/ }]);
    });

    test("the endpoint Service made external is accepted once flyte-binary authenticates, in its namespace only", async () => {
        const service = one(eks(), T.service);
        const external = editInput(eks(), T.service, service.name, ["metadata", "annotations", "service.beta.kubernetes.io/aws-load-balancer-internal"], undefined);
        await expectOnly(authenticateBinary(external), []);
        await expectOnly(authenticateBinary(editInput(external, T.service, service.name, ["metadata", "namespace"], "kube-system")), [
            { policy: "no-public-load-balancer-without-auth", urn: service.urn, message: /internet-facing LoadBalancer/ },
        ]);
    });

    test.each([
        ["a LoadBalancer Service", ["values", "service", "type"], "LoadBalancer"],
        ["an Ingress", ["values", "ingress", "create"], true],
    ] as const)("flyte-binary asked for %s", async (exposure, path, value) => {
        const release = one(eks(), T.release);
        const edited = editInput(eks(), T.release, release.name, path, value);
        await expectOnly(edited, [
            { policy: "no-public-load-balancer-without-auth", urn: release.urn, message: new RegExp(`asks its chart for ${exposure} while`) },
        ]);
        await expectOnly(authenticateBinary(edited), []);
    });

    test("an internet-facing ALB Ingress is reported; the AWS controller's default (internal) is not", async () => {
        const scheme = "alb.ingress.kubernetes.io/scheme";
        const facing = ingressIn(eks(), "flyte-web", "flyte", { ingressClassName: "alb" });
        const internetFacing = { ...facing, inputs: { ...facing.inputs, metadata: { name: "flyte-web", namespace: "flyte", annotations: { [scheme]: "internet-facing" } } } };
        const withFacing = addResource(eks(), internetFacing);
        await expectOnly(withFacing, [
            { policy: "no-public-load-balancer-without-auth", urn: internetFacing.urn, message: /Ingress flyte-web faces the internet/ },
        ]);
        await expectOnly(authenticateBinary(withFacing), []);
        await expectOnly(addResource(eks(), facing), []);
    });

    test("the eks stack run as production: every unprotected database, cluster and bucket is named", async () => {
        const violations = await planViolations(policies, eks(), { "deletion-protection-in-prod": { stacks: ["eks"] } });
        const named = new Set(violations.map((v) => v.urn));
        const expected = [one(eks(), T.rdsInstance), one(eks(), T.eksCluster), ...all(eks(), T.s3Bucket)].map((r) => r.urn);
        expect([...named].sort()).toEqual([...expected].sort());
    });
});

// ---- Regressions on the local plan ----

describe("regressions on the local plan are caught", () => {
    const local = () => planOf("local");

    test("the object store's NodePort made a LoadBalancer: reported, even with Flyte's auth on (another namespace)", async () => {
        const minio = one(local(), T.service, "local-minio-service");
        const release = one(local(), T.release);
        expect(minio.inputs).toMatchObject({ metadata: { namespace: expect.not.stringMatching(`^${String(release.inputs.namespace)}$`) } });
        const edited = editInput(local(), T.service, minio.name, ["spec", "type"], "LoadBalancer");
        const expected = [{ policy: "no-public-load-balancer-without-auth", urn: minio.urn, message: /Service local-minio-service is an internet-facing/ }];
        await expectOnly(edited, expected);
        await expectOnly(authenticateBinary(edited), expected);
    });

    test("Flyte's NodePort made a LoadBalancer: reported without auth, accepted with it (same namespace)", async () => {
        const endpoint = one(local(), T.service, "flyte-endpoint");
        const edited = editInput(local(), T.service, endpoint.name, ["spec", "type"], "LoadBalancer");
        await expectOnly(edited, [{ policy: "no-public-load-balancer-without-auth", urn: endpoint.urn, message: /Service flyte-endpoint is an internet-facing/ }]);
        await expectOnly(authenticateBinary(edited), []);
    });
});

// ---- The same through packViolations directly, to show what links attachments to their bucket ----

describe("how the eks plan's attachments are linked to their buckets", () => {
    /** The plan's resources without parent links and property dependencies (the adapter's edges). */
    const unlinked = () => planResources(planOf("eks")).map((r) => ({ ...r, parent: undefined, propertyDependencies: {} }));
    const ATTACHMENTS: readonly string[] = [T.s3PublicAccessBlock, T.s3Encryption];

    test("the attachments also name their bucket literally, so without the edges the buckets are still covered", async () => {
        const resources = unlinked();
        const buckets = resources.filter((r) => r.type === T.s3Bucket);
        for (const attachment of resources.filter((r) => ATTACHMENTS.includes(r.type))) {
            expect(buckets.map((b) => b.props.bucket)).toContain(attachment.props.bucket);
        }
        await expect(packViolations(policies, resources)).resolves.toEqual([]);
    });

    test("without the edges and with the names not known yet (a first preview), the buckets would look unprotected", async () => {
        const resources = unlinked().map((r) => {
            if (!ATTACHMENTS.includes(r.type)) {
                return r;
            }
            const { bucket: _unknown, ...props } = r.props;
            return { ...r, props };
        });
        const violations = await packViolations(policies, resources);
        const buckets = resources.filter((r) => r.type === T.s3Bucket).map((b) => b.urn);
        expect(violations.map((v) => [v.policy, v.urn]).sort()).toEqual(
            buckets.flatMap((urn) => [["s3-public-access-blocked", urn], ["s3-encrypted", urn]]).sort(),
        );
    });

    test("with the names not known yet, the adapter's edges alone keep the buckets covered", async () => {
        const resources = planResources(planOf("eks")).map((r) => {
            if (!ATTACHMENTS.includes(r.type)) {
                return r;
            }
            const { bucket: _unknown, ...props } = r.props;
            return { ...r, props };
        });
        await expect(packViolations(policies, resources)).resolves.toEqual([]);
    });
});
