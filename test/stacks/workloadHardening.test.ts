/**
 * Every container the shipped stacks run is hardened, and every Job they run is bounded: the workloads the program
 * declares itself (read from the shared plans), and the ones the Flyte charts render from the values the plans
 * hand them (each chart rendered once per stack with `helm template`). Both are judged by the policy pack's own
 * workload rules (policy/policies.ts), so the pack and this test cannot drift apart.
 *
 * The charts do not take values for everything: what flyte-core v1.16.8 writes into its templates is listed in
 * CHART_GAPS, with where, and the test fails if the list changes either way (a value regressed, or the chart now
 * lets us fix one); a control plane or a data plane renders part of flyte-core, and is held to the gaps of the
 * containers it renders. The Kubernetes dashboard's chart (local, off by default) is not rendered offline; its values
 * are checked in test/components/local/kubernetesDashboard.test.ts.
 */
import type { ResourceValidationPolicy } from "@pulumi/policy";
import type { RecordedResource } from "../../lib/plan/monitor";
import type { Plan } from "../../lib/plan/runPlan";
import type { Json } from "../../lib/plan/wire";
import { jobBounded, podSpecPath, workloadReadOnlyRoot, workloadResources, workloadRestricted } from "../../policy/policies";
import { K8sObject, renderFlyteRelease } from "../helpers/helm";
import { editInput, isJsonObject, planViolations, resourceViolations } from "../helpers/policy";
import { beforeAllPlans } from "../helpers/sharedPlans";
import { at, stringAt } from "../helpers/json";
import { readStackSettings } from "../helpers/stackSettings";

const STACKS = ["dev", "prod", "eks", "local", "poc", "gke-control", "gke-gpu", "gke-batch", "eks-control", "eks-batch", "eks-spot"] as const;
type Stack = (typeof STACKS)[number];

const WORKLOAD_POLICIES = [workloadRestricted, workloadResources, jobBounded, workloadReadOnlyRoot];

/** What each stack declares itself that runs containers: `<type> <name>`. */
const VERIFICATION = ["kubernetes:batch/v1:Job flyte-verification-endpoint", "kubernetes:batch/v1:Job flyte-verification-workload"];
const DECLARED: Readonly<Record<Stack, readonly string[]>> = {
    dev: VERIFICATION,
    eks: VERIFICATION,
    prod: ["kubernetes:apps/v1:Deployment flyte-proxy-deployment", ...VERIFICATION],
    poc: ["kubernetes:apps/v1:Deployment flyte-proxy-deployment", "kubernetes:batch/v1:Job flyte-project-data-job", ...VERIFICATION],
    local: [
        "kubernetes:apps/v1:Deployment local-minio-server",
        "kubernetes:apps/v1:Deployment local-postgres-server",
        "kubernetes:batch/v1:Job local-minio-buckets",
    ],
    // A control plane: no verification (it runs no workflow itself), the Job that sets the execution routes.
    "gke-control": ["kubernetes:apps/v1:Deployment flyte-proxy-deployment", "kubernetes:batch/v1:Job flyte-routes-job"],
    // A data plane declares no workload: flytepropeller and its webhook are the chart's.
    "gke-gpu": [],
    "gke-batch": [],
    // With project isolation, also the Job that sets each project's data location.
    "eks-control": ["kubernetes:apps/v1:Deployment flyte-proxy-deployment", "kubernetes:batch/v1:Job flyte-routes-job", "kubernetes:batch/v1:Job flyte-project-data-job"],
    "eks-batch": [],
    "eks-spot": [],
};

/** Each stack's plan, and its Flyte chart rendered with the plan's values. */
const renderedOf = beforeAllPlans(STACKS, (plan) => renderFlyteRelease(plan));
const planOf = (stack: Stack): Plan => renderedOf(stack).plan;

function chartOf(stack: Stack): string {
    return stringAt(renderedOf(stack).release.inputs, "chart");
}

function workloadsOf(plan: Plan): RecordedResource[] {
    return plan.resources.filter((r) => podSpecPath(r.type) !== undefined);
}

/** The provider's type token of a rendered manifest (`apps/v1` Deployment: kubernetes:apps/v1:Deployment). */
function typeOf(doc: K8sObject): string {
    return `kubernetes:${doc.apiVersion.includes("/") ? doc.apiVersion : `core/${doc.apiVersion}`}:${doc.kind}`;
}

function renderedWorkloads(stack: Stack): K8sObject[] {
    return renderedOf(stack).docs.filter((doc) => podSpecPath(typeOf(doc)) !== undefined);
}

/** What `policy` reports about every rendered workload of the stack's chart. */
async function chartReports(stack: Stack, policy: ResourceValidationPolicy): Promise<string[]> {
    const reports: string[] = [];
    for (const doc of renderedWorkloads(stack)) {
        reports.push(...(await resourceViolations(policy, typeOf(doc), doc, { name: doc.metadata.name })));
    }
    return reports.sort();
}

/** Every container of a rendered workload, as `Kind name, [init ]container c` (the policies' wording). */
function renderedContainers(stack: Stack): string[] {
    return renderedWorkloads(stack).flatMap((doc) => {
        const pod = at(doc, ...(podSpecPath(typeOf(doc)) ?? []));
        const named = (kind: string, key: string) =>
            (Array.isArray(at(pod, key)) ? (at(pod, key) as unknown[]) : []).map((c) => `${doc.kind} ${doc.metadata.name}, ${kind} ${String(at(c, "name"))}`);
        return [...named("init container", "initContainers"), ...named("container", "containers")];
    });
}

// ---- What the program declares ----

describe.each(STACKS)("%s: the workloads the program declares", (stack) => {
    test("are the expected ones (none left unchecked, none missing)", () => {
        expect(workloadsOf(planOf(stack)).map((r) => `${r.type} ${r.name}`).sort()).toEqual([...DECLARED[stack]].sort());
    });

    test("run every container non-root, without privilege escalation or capabilities, read-only, with requests and a memory limit", async () => {
        const violations = await planViolations(WORKLOAD_POLICIES, planOf(stack));
        expect(violations).toEqual([]);
        // And said in so many words, for the record.
        for (const workload of workloadsOf(planOf(stack))) {
            const pod = at(workload.inputs, ...(podSpecPath(workload.type) ?? []));
            const containers = [...listOf(at(pod, "initContainers")), ...listOf(at(pod, "containers"))];
            expect(containers.length).toBeGreaterThan(0);
            for (const container of containers) {
                const where = `${workload.name}/${String(at(container, "name"))}`;
                expect([where, at(container, "securityContext")]).toEqual([
                    where,
                    { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ["ALL"] } },
                ]);
                expect([where, at(pod, "securityContext", "runAsNonRoot"), at(pod, "securityContext", "seccompProfile")]).toEqual([
                    where,
                    true,
                    { type: "RuntimeDefault" },
                ]);
                expect([where, at(container, "resources", "requests", "cpu"), at(container, "resources", "requests", "memory"), at(container, "resources", "limits", "memory")]).toEqual([
                    where,
                    expect.any(String),
                    expect.any(String),
                    expect.any(String),
                ]);
            }
        }
    });

    test("bound every Job: a deadline, one retry in a new pod, the log as the failure message", () => {
        for (const job of planOf(stack).resources.filter((r) => r.type === "kubernetes:batch/v1:Job")) {
            expect([job.name, at(job.inputs, "spec", "activeDeadlineSeconds"), at(job.inputs, "spec", "backoffLimit")]).toEqual([job.name, 300, 1]);
            expect([job.name, at(job.inputs, "spec", "template", "spec", "restartPolicy")]).toEqual([job.name, "Never"]);
            for (const container of listOf(at(job.inputs, "spec", "template", "spec", "containers"))) {
                expect([job.name, at(container, "terminationMessagePolicy")]).toEqual([job.name, "FallbackToLogsOnError"]);
            }
        }
    });
});

function listOf(value: unknown): unknown[] {
    return Array.isArray(value) ? value : [];
}

describe("the pack catches a declared workload that regresses", () => {
    const local = () => planOf("local");
    /** A copy of the local plan with the first container of a workload changed. */
    const editContainer = (type: string, name: string, change: (c: { [key: string]: Json }) => { [key: string]: Json }) => {
        const workload = local().resources.find((r) => r.type === type && r.name === name);
        const path = [...(podSpecPath(type) ?? []), "containers"];
        const containers = at(workload?.inputs, ...path);
        if (!Array.isArray(containers) || !isJsonObject(containers[0])) {
            throw new Error(`${name} has no containers`);
        }
        return editInput(local(), type, name, path, [change(structuredClone(containers[0])), ...containers.slice(1)]);
    };
    const DEPLOYMENT = "kubernetes:apps/v1:Deployment";
    const JOB = "kubernetes:batch/v1:Job";

    test("MinIO's container without its securityContext", async () => {
        const edited = editContainer(DEPLOYMENT, "local-minio-server", ({ securityContext: _dropped, ...rest }) => rest);
        const violations = await planViolations(WORKLOAD_POLICIES, edited);
        expect(violations.map((v) => `${v.policy}: ${v.message}`)).toEqual([
            "workload-restricted: Deployment local-minio-server, container minio: securityContext.allowPrivilegeEscalation must be false.",
            "workload-restricted: Deployment local-minio-server, container minio: securityContext.capabilities.drop must include ALL.",
            "workload-read-only-root: Deployment local-minio-server, container minio: securityContext.readOnlyRootFilesystem should be true.",
        ]);
    });

    test("Postgres without resources", async () => {
        const edited = editContainer(DEPLOYMENT, "local-postgres-server", ({ resources: _dropped, ...rest }) => rest);
        await expect(planViolations(WORKLOAD_POLICIES, edited)).resolves.toEqual([
            expect.objectContaining({ policy: "workload-resources", message: expect.stringMatching(/^Deployment local-postgres-server, container postgres: /) }),
        ]);
    });

    test("the bucket Job without its deadline, or running as root", async () => {
        const noDeadline = editInput(local(), JOB, "local-minio-buckets", ["spec", "activeDeadlineSeconds"], undefined);
        await expect(planViolations(WORKLOAD_POLICIES, noDeadline)).resolves.toEqual([
            expect.objectContaining({ policy: "job-bounded", message: "Job local-minio-buckets: activeDeadlineSeconds must be a positive number of seconds, not unset." }),
        ]);
        const root = editInput(local(), JOB, "local-minio-buckets", ["spec", "template", "spec", "securityContext", "runAsUser"], 0);
        await expect(planViolations(WORKLOAD_POLICIES, root)).resolves.toEqual([
            expect.objectContaining({ policy: "workload-restricted", message: "Job local-minio-buckets, container mc: runAsUser must not be 0 (root)." }),
        ]);
    });
});

// ---- What the charts render from the plans' values ----

/**
 * What flyte-core v1.16.8 writes into its templates rather than taking from values, so that no value can fix it
 * (charts/flyte-core/templates/…): the findings of the pack's rules on the rendered chart, each explained.
 */
const CHART_GAPS: Readonly<Record<string, string>> = {
    // clusterresourcesync/deployment.yaml: no securityContext for the pod or its container; only resources are values.
    // It runs as the flyteadmin image's own user (`flyte`, not root: Dockerfile.flyteadmin).
    "Deployment syncresources, container sync-cluster-resources: runAsNonRoot must be true (in the container's or the pod's securityContext).": "clusterresourcesync/deployment.yaml",
    "Deployment syncresources, container sync-cluster-resources: securityContext.allowPrivilegeEscalation must be false.": "clusterresourcesync/deployment.yaml",
    "Deployment syncresources, container sync-cluster-resources: securityContext.capabilities.drop must include ALL.": "clusterresourcesync/deployment.yaml",
    "Deployment syncresources, container sync-cluster-resources: seccompProfile.type must be RuntimeDefault or Localhost (in the container's or the pod's securityContext), not unset.": "clusterresourcesync/deployment.yaml",
    // propeller/deployment.yaml: the pod's securityContext is a value (non-root, seccomp), the container has none.
    "Deployment flytepropeller, container flytepropeller: securityContext.allowPrivilegeEscalation must be false.": "propeller/deployment.yaml",
    "Deployment flytepropeller, container flytepropeller: securityContext.capabilities.drop must include ALL.": "propeller/deployment.yaml",
    // Init containers whose resources the templates leave out (the pod's seccomp and non-root settings cover them).
    "Deployment flyteadmin, init container run-migrations: resources must set requests.cpu, requests.memory, limits.memory.": "admin/deployment.yaml",
    "Deployment flyteadmin, init container seed-projects: resources must set requests.cpu, requests.memory, limits.memory.": "admin/deployment.yaml",
    "Deployment flyteadmin, init container sync-cluster-resources: resources must set requests.cpu, requests.memory, limits.memory.": "admin/deployment.yaml",
    "Deployment flyteadmin, init container generate-secrets: resources must set requests.cpu, requests.memory, limits.memory.": "admin/deployment.yaml",
    "Deployment datacatalog, init container run-migrations: resources must set requests.cpu, requests.memory, limits.memory.": "datacatalog/deployment.yaml",
    "Deployment flytescheduler, init container flytescheduler-check: resources must set requests.cpu, requests.memory, limits.memory.": "flytescheduler/deployment.yaml",
    "Deployment flyte-pod-webhook, init container generate-secrets: resources must set requests.cpu, requests.memory, limits.memory.": "propeller/webhook.yaml",
};

/**
 * How many containers the stack's chart renders at least: flyte-binary's; flyte-core's whole, or as a control plane
 * (no flytepropeller, its webhook, nor flyteadmin's sync init container) or a data plane (flytepropeller and its
 * webhook only) renders it.
 */
function minimumContainers(stack: Stack): number {
    if (chartOf(stack) === "flyte-binary") {
        return 2;
    }
    const role = readStackSettings(stack).string("clusterRole");
    return role === "dataPlane" ? 3 : role === "controlPlane" ? 10 : 13;
}

const findingsOf = new Map<Stack, Promise<string[]>>();
/** What the restricted and resources rules report on the stack's chart (computed once per stack). */
function chartFindings(stack: Stack): Promise<string[]> {
    let findings = findingsOf.get(stack);
    if (findings === undefined) {
        findings = Promise.all([chartReports(stack, workloadRestricted), chartReports(stack, workloadResources)]).then(([a, b]) => [...a, ...b].sort());
        findingsOf.set(stack, findings);
    }
    return findings;
}

describe.each(STACKS)("%s: the Flyte chart's containers, rendered with the plan's values", (stack) => {
    test("are there to check", () => {
        expect(renderedContainers(stack).length).toBeGreaterThanOrEqual(minimumContainers(stack));
    });

    test("are restricted and have requests and a memory limit wherever the chart takes values for it", async () => {
        // The gaps of the containers this stack's chart renders (a control plane or data plane renders part of flyte-core).
        const containers = new Set(renderedContainers(stack));
        const expected = Object.keys(CHART_GAPS)
            .filter((gap) => containers.has(gap.slice(0, gap.indexOf(": "))))
            .sort();
        expect(await chartFindings(stack)).toEqual(expected);
    });

    test("have a read-only root where the chart lets it be set (flyte-binary); flyte-core's templates set it for none", async () => {
        const findings = await chartReports(stack, workloadReadOnlyRoot);
        if (chartOf(stack) === "flyte-binary") {
            expect(findings).toEqual([]);
        } else {
            expect(findings).toEqual(renderedContainers(stack).map((c) => `${c}: securityContext.readOnlyRootFilesystem should be true.`).sort());
        }
    });

    test("no pod asks for SELinux's unconfined spc_t type (the Pod Security Standards' baseline forbids it)", () => {
        for (const doc of renderedWorkloads(stack)) {
            const pod = at(doc, ...(podSpecPath(typeOf(doc)) ?? []));
            expect([doc.metadata.name, at(pod, "securityContext", "seLinuxOptions", "type") ?? "unset"]).not.toEqual([doc.metadata.name, "spc_t"]);
        }
    });
});

test("every gap CHART_GAPS lists is found in some stack's chart: none is stale", async () => {
    const found = new Set((await Promise.all(STACKS.map(chartFindings))).flat());
    expect(Object.keys(CHART_GAPS).filter((gap) => !found.has(gap))).toEqual([]);
});
