import { FlyteRoles } from "../../../components/aws/flyteRoles";
import { irsaTrustPolicy } from "../../../components/aws/iam";
import { awsNames } from "../../../components/aws/names";
import { iamPolicySize, trustPolicySize } from "../../../components/config/aws";
import { CONFIG_KEYS } from "../../../components/config/schema";
import type { AwsStackConfig } from "../../../components/contract/config";
import { flyteWorkloads, type IdentityRequest, identityName } from "../../../components/contract/identities";
import type { RecordedResource } from "../../../lib/plan/monitor";
import type { Plan } from "../../../lib/plan/runPlan";
import { runComponents } from "../../helpers/components";
import { awsStackConfig } from "../../helpers/config";
import { iamRoleSimulatedAllows } from "../../helpers/iamSimulator";
import { irsaTrustAllows, serviceAccountToken } from "../../helpers/irsaTrust";
import { ofType } from "../../helpers/plan";
import type { StorageRequest } from "../../helpers/storageAccess";

/**
 * A control plane's FlyteRoles with data planes (components/aws/flyteRoles.ts): the task pods' roles trust every data
 * plane's cluster too, Flyte's own roles only their own, judged by the strict IRSA evaluator (test/helpers/irsaTrust.ts);
 * and the data planes' raw-data buckets as the IAM simulator judges the roles' policies.
 */

const ROLE = "aws:iam/role:Role";
/** An EKS issuer in eu-central-1 with the given id, and its IAM provider in the simulated account. */
function cluster(id: string): { readonly issuer: string; readonly issuerUrl: string; readonly oidcProviderArn: string } {
    const issuer = `oidc.eks.eu-central-1.amazonaws.com/id/${id.repeat(32).slice(0, 32)}`;
    return { issuer, issuerUrl: `https://${issuer}`, oidcProviderArn: `arn:aws:iam::123456789012:oidc-provider/${issuer}` };
}
const CONTROL = cluster("C");
const BATCH = cluster("B");
const GPU = cluster("9");
/** A cluster the control plane does not know. */
const STRANGER = cluster("5");
const DATA_PLANES = [BATCH, GPU];
const METADATA = "flyte-test-meta";
const USER_DATA = "flyte-test-userdata";
const BATCH_RAW = "flyte-eks-batch-raw";
const GPU_RAW = "flyte-eks-gpu-raw";

/** A control plane's config on aws: flyte-core, projects ml and analytics in two domains, data planes batch and gpu. */
function controlPlaneConfig(isolation: boolean): AwsStackConfig {
    return awsStackConfig({
        "flyte:flavor": "core",
        "flyte:clusterRole": "controlPlane",
        "flyte:flyteProjects": '["ml","analytics"]',
        "flyte:flyteDomains": '["dev","prod"]',
        "flyte:projectIsolation": String(isolation),
        "flyte:dataPlanes": '["batch=eks-batch","gpu=eks-gpu"]',
    });
}

const names = awsNames({ pulumiProject: "flyte", stack: "test" });
const roleNames = { backend: names.backendRole, worker: names.workerRole, core: names.coreRoles, projectWorkerPrefix: names.projectWorkerRolePrefix };

/**
 * The control plane's roles, as its platform declares them (flytepropeller's too with `propeller`), with the data
 * planes' providers and raw buckets.
 */
function controlPlaneRoles(config: AwsStackConfig, dataPlaneRawData: readonly string[], propeller = false): Promise<Plan> {
    const workloads = flyteWorkloads(config.flyte, { propeller });
    return runComponents(() => {
        new FlyteRoles("roles", {
            roles: workloads.identities.map((request) => ({ request, roleName: identityName(roleNames, request) })),
            oidcProviderArn: CONTROL.oidcProviderArn,
            oidcIssuerUrl: CONTROL.issuerUrl,
            // As a data plane publishes it: the issuer without its scheme.
            workerTrust: DATA_PLANES.map((d) => ({ oidcProviderArn: d.oidcProviderArn, issuerUrl: d.issuer })),
            bucketArns: {
                metadata: `arn:aws:s3:::${METADATA}`,
                userData: `arn:aws:s3:::${USER_DATA}`,
                projects: Object.fromEntries(workloads.isolatedProjects.map((p) => [p, `arn:aws:s3:::flyte-test-${p}`])),
                ...(dataPlaneRawData.length > 0 && { dataPlaneRawData: dataPlaneRawData.map((b) => `arn:aws:s3:::${b}`) }),
            },
            tags: {},
        });
        return {};
    });
}

function roleOf(plan: Plan, request: IdentityRequest): RecordedResource {
    const name = identityName(roleNames, request);
    const found = ofType(plan, ROLE).filter((r) => r.inputs.name === name);
    expect(found).toHaveLength(1);
    return found[0];
}

const trustOf = (role: RecordedResource) => String(role.inputs.assumeRolePolicy);

describe.each([false, true])("a control plane's roles (projectIsolation %s)", (isolation) => {
    const config = controlPlaneConfig(isolation);
    const requests = flyteWorkloads(config.flyte, { propeller: false }).identities;
    const workers = requests.filter((r) => r.role === "worker");
    const backends = requests.filter((r) => r.role === "backend");
    let plan: Plan;

    beforeAll(async () => {
        plan = await controlPlaneRoles(config, isolation ? [] : [BATCH_RAW, GPU_RAW]);
    });

    test("each task pods' role admits its project-domain namespaces' default accounts from the control plane and every data plane", () => {
        expect(workers).toHaveLength(isolation ? 2 : 1);
        for (const worker of workers) {
            const trust = trustOf(roleOf(plan, worker));
            for (const from of [CONTROL, ...DATA_PLANES]) {
                for (const { namespace, name } of worker.serviceAccounts) {
                    expect([worker.key, from.issuer, namespace, irsaTrustAllows(trust, serviceAccountToken(from, namespace, name))]).toEqual([
                        worker.key,
                        from.issuer,
                        namespace,
                        true,
                    ]);
                }
            }
        }
    });

    test("a task pods' role admits neither flytepropeller nor another account of those namespaces, nor a cluster it was not given", () => {
        for (const worker of workers) {
            const trust = trustOf(roleOf(plan, worker));
            const namespace = worker.serviceAccounts[0].namespace;
            for (const from of [CONTROL, ...DATA_PLANES]) {
                expect(irsaTrustAllows(trust, serviceAccountToken(from, config.flyte.namespace, "flytepropeller"))).toBe(false);
                expect(irsaTrustAllows(trust, serviceAccountToken(from, namespace, "flytepropeller"))).toBe(false);
                expect(irsaTrustAllows(trust, serviceAccountToken(from, namespace, "builder"))).toBe(false);
            }
            expect(irsaTrustAllows(trust, serviceAccountToken(STRANGER, namespace, "default"))).toBe(false);
        }
    });

    test("each statement names one cluster's provider with that cluster's keys: none admits another cluster's tokens", () => {
        for (const worker of workers) {
            const statements = (JSON.parse(trustOf(roleOf(plan, worker))) as { Statement: unknown[] }).Statement;
            const clusters = [CONTROL, ...DATA_PLANES];
            expect(statements).toHaveLength(clusters.length);
            const { namespace } = worker.serviceAccounts[0];
            statements.forEach((statement, i) => {
                const alone = JSON.stringify({ Version: "2012-10-17", Statement: [statement] });
                expect(clusters.map((from) => irsaTrustAllows(alone, serviceAccountToken(from, namespace, "default")))).toEqual(clusters.map((_, j) => i === j));
            });
        }
    });

    if (isolation) {
        test("a project's role admits no namespace of the other project, from any cluster", () => {
            const ml = workers.find((w) => w.data.kind === "project" && w.data.project === "ml");
            const analytics = workers.find((w) => w.data.kind === "project" && w.data.project === "analytics");
            if (ml === undefined || analytics === undefined) {
                throw new Error("expected a role per project");
            }
            for (const from of [CONTROL, ...DATA_PLANES]) {
                for (const { namespace } of analytics.serviceAccounts) {
                    expect(irsaTrustAllows(trustOf(roleOf(plan, ml)), serviceAccountToken(from, namespace, "default"))).toBe(false);
                }
            }
        });
    }

    test("Flyte's own roles trust their own cluster alone, exactly as before data planes", () => {
        for (const backend of backends) {
            const trust = trustOf(roleOf(plan, backend));
            const [account] = backend.serviceAccounts;
            expect(irsaTrustAllows(trust, serviceAccountToken(CONTROL, account.namespace, account.name))).toBe(true);
            for (const from of [...DATA_PLANES, STRANGER]) {
                expect(irsaTrustAllows(trust, serviceAccountToken(from, account.namespace, account.name))).toBe(false);
            }
            expect(trust).toBe(irsaTrustPolicy({ providers: [CONTROL], serviceAccounts: backend.serviceAccounts }));
        }
    });

    test("each task role's trust policy is as long as the config check measured it, and within the quota", () => {
        const max = CONFIG_KEYS.awsTrustPolicyMaxLength.default;
        for (const worker of workers) {
            const size = iamPolicySize(trustOf(roleOf(plan, worker)));
            expect(size).toBe(trustPolicySize(worker.serviceAccounts, "eu-central-1", 1 + DATA_PLANES.length));
            expect(size).toBeLessThanOrEqual(max);
        }
    });
});

describe("the data planes' raw-data buckets, as the IAM simulator judges the control plane's roles", () => {
    const config = controlPlaneConfig(false);
    const requests = flyteWorkloads(config.flyte, { propeller: true }).identities;
    const roleName = (key: string) => {
        const request = requests.find((r) => r.key === key);
        if (request === undefined) {
            throw new Error(`no identity ${key}`);
        }
        return identityName(roleNames, request);
    };
    let plan: Plan;

    beforeAll(async () => {
        // With flytepropeller on the control plane too, so that its role is judged as well.
        plan = await controlPlaneRoles(config, [BATCH_RAW, GPU_RAW], true);
    });

    const allows = (key: string, request: StorageRequest) => iamRoleSimulatedAllows(plan, roleName(key), request);
    const everything = (bucket: string): StorageRequest[] => [
        { action: "get", bucket, key: "ab/x-1/n0/0/data" },
        { action: "put", bucket, key: "ab/x-1/n0/0/data" },
        { action: "delete", bucket, key: "ab/x-1/n0/0/data" },
        { action: "list", bucket, prefix: "" },
    ];

    test.each([BATCH_RAW, GPU_RAW])("the task pods' role reads, writes, deletes and lists in %s", async (bucket) => {
        for (const request of everything(bucket)) {
            expect([request, await allows("worker", request)]).toEqual([request, true]);
        }
    });

    test.each([BATCH_RAW, GPU_RAW])("flyteadmin reads and lists %s (it signs download links), and neither writes nor deletes", async (bucket) => {
        expect(await allows("flyteadmin", { action: "get", bucket, key: "ab/x-1/n0/0/data" })).toBe(true);
        expect(await allows("flyteadmin", { action: "list", bucket, prefix: "ab/" })).toBe(true);
        expect(await allows("flyteadmin", { action: "put", bucket, key: "ab/x-1/n0/0/data" })).toBe(false);
        expect(await allows("flyteadmin", { action: "delete", bucket, key: "ab/x-1/n0/0/data" })).toBe(false);
    });

    test.each(["flytepropeller", "datacatalog"])("%s may do nothing in the data planes' buckets", async (key) => {
        for (const bucket of [BATCH_RAW, GPU_RAW]) {
            for (const request of everything(bucket)) {
                expect([key, request, await allows(key, request)]).toEqual([key, request, false]);
            }
        }
    });

    test("the scheduler has no policy at all; the control plane's own buckets keep their grants", async () => {
        expect(plan.resources.filter((r) => r.type === "aws:iam/rolePolicy:RolePolicy" && r.inputs.role === roleName("flytescheduler"))).toEqual([]);
        for (const key of ["worker", "flyteadmin", "flytepropeller"]) {
            expect(await allows(key, { action: "put", bucket: USER_DATA, key: "ab/o" })).toBe(true);
            expect(await allows(key, { action: "put", bucket: METADATA, key: "metadata/propeller/o" })).toBe(true);
        }
    });

    test("a bucket not listed stays out of reach", async () => {
        for (const key of ["worker", "flyteadmin"]) {
            expect(await allows(key, { action: "get", bucket: "flyte-eks-other-raw", key: "o" })).toBe(false);
        }
    });
});
