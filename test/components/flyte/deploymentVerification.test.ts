/**
 * The verification Jobs as each shipped stack plans them: where they run and as whom, with which image and bounds,
 * what each checks (the probe's config, compared with what the same plan declares: the Service, the identities, the
 * buckets), what they wait for and what they do not, and their RBAC. The probe's logic is tested in
 * test/verification/probe/, the pure parts in verification.test.ts.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { stringify } from "yaml";
import type { EndpointStage, WorkloadStage } from "../../../verification/probe/config";
import { VERIFICATION_IMAGE } from "../../../components/config/schema";
import { probeFiles } from "../../../components/flyte/verification";
import type { RecordedResource } from "../../../lib/plan/monitor";
import type { Plan } from "../../../lib/plan/runPlan";
import { arrayAt, at, recordAt, stringAt } from "../../helpers/json";
import { byName, byUrn, ofType, planStack, stackFileConfig } from "../../helpers/plan";
import { beforeAllPlans } from "../../helpers/sharedPlans";

const T = {
    job: "kubernetes:batch/v1:Job",
    configMap: "kubernetes:core/v1:ConfigMap",
    secret: "kubernetes:core/v1:Secret",
    serviceAccount: "kubernetes:core/v1:ServiceAccount",
    clusterRole: "kubernetes:rbac.authorization.k8s.io/v1:ClusterRole",
    binding: "kubernetes:rbac.authorization.k8s.io/v1:ClusterRoleBinding",
    service: "kubernetes:core/v1:Service",
    release: "kubernetes:helm.sh/v3:Release",
} as const;

const CLOUD_STACKS = ["dev", "prod", "eks", "poc", "gke-sso", "eks-sso"] as const;
type CloudStack = (typeof CLOUD_STACKS)[number];
const planOf = beforeAllPlans([...CLOUD_STACKS, "local"]);

const endpointJob = (plan: Plan) => byName(plan, T.job, "flyte-verification-endpoint");
const workloadJob = (plan: Plan) => byName(plan, T.job, "flyte-verification-workload");
const podSpec = (job: RecordedResource) => recordAt(job.inputs, "spec", "template", "spec");
const container = (job: RecordedResource) => recordAt(arrayAt(podSpec(job), "containers")[0]);
function probeConfig<S>(job: RecordedResource): S {
    const env = arrayAt(container(job), "env");
    return JSON.parse(stringAt(env[0], "value")) as S;
}
/** The names of the resources a resource waits on directly. */
const directDependencies = (plan: Plan, resource: RecordedResource) => resource.dependencies.map((urn) => byUrn(plan, urn).name).sort();

function settings(stack: string) {
    const config = stackFileConfig(stack);
    const projects = (config["flyte:flyteProjects"] as string[] | undefined) ?? ["flytesnacks"];
    const domains = ((config["flyte:flyteDomains"] as string[] | undefined) ?? ["development"]).map((d) => d.split(":")[0]);
    const template = (config["flyte:namespaceTemplate"] as string | undefined) ?? "{{ project }}-{{ domain }}";
    return {
        flyteNamespace: (config["flyte:flyteNamespace"] as string | undefined) ?? "flyte",
        projects,
        project: projects[0],
        domain: domains[0],
        taskNamespace: template.replace("{{ project }}", projects[0]).replace("{{ domain }}", domains[0]),
        isolated: config["flyte:projectIsolation"] === true,
        authenticated: config["flyte:authentication"] !== undefined && config["flyte:authentication"] !== "none",
        aws: config["flyte:cloud"] === "aws",
    };
}

describe.each(CLOUD_STACKS)("stack %s (verification on by default)", (stack: CloudStack) => {
    const s = settings(stack);
    const plan = () => planOf(stack);

    test("two Jobs named by their content, exported in the order they run", () => {
        const jobs = ofType(plan(), T.job).filter((j) => j.name.startsWith("flyte-verification-"));
        expect(jobs.map((j) => j.name).sort()).toEqual(["flyte-verification-endpoint", "flyte-verification-workload"]);
        const endpointName = stringAt(endpointJob(plan()).inputs, "metadata", "name");
        const workloadName = stringAt(workloadJob(plan()).inputs, "metadata", "name");
        expect(endpointName).toMatch(/^flyte-verify-endpoint-[0-9a-f]{10}$/);
        expect(workloadName).toMatch(/^flyte-verify-workload-[0-9a-f]{10}$/);
        expect(plan().outputs.verificationJobs).toEqual([`${s.flyteNamespace}/${endpointName}`, `${s.taskNamespace}/${workloadName}`]);
    });

    test.each(["endpoint", "workload"])("the %s Job: the pinned image, bounded, restricted, non-root, with limits", (stage) => {
        const job = stage === "endpoint" ? endpointJob(plan()) : workloadJob(plan());
        expect(at(job.inputs, "spec", "activeDeadlineSeconds")).toBe(300);
        expect(at(job.inputs, "spec", "backoffLimit")).toBe(1);
        expect(at(podSpec(job), "restartPolicy")).toBe("Never");
        expect(at(podSpec(job), "securityContext")).toEqual({ runAsNonRoot: true, runAsUser: 1000, runAsGroup: 1000, fsGroup: 1000, fsGroupChangePolicy: "OnRootMismatch", seccompProfile: { type: "RuntimeDefault" } });
        const c = container(job);
        expect(c.image).toBe(VERIFICATION_IMAGE);
        expect(c.image).toMatch(/@sha256:[0-9a-f]{64}$/);
        expect(c.securityContext).toEqual({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ["ALL"] } });
        expect(c.resources).toEqual({ requests: { cpu: "50m", memory: "64Mi" }, limits: { memory: "192Mi" } });
        expect(c.terminationMessagePolicy).toBe("FallbackToLogsOnError");
    });

    test("the endpoint Job: Flyte's namespace, its own service account with an API token, the Service clients use", () => {
        const job = endpointJob(plan());
        expect(stringAt(job.inputs, "metadata", "namespace")).toBe(s.flyteNamespace);
        expect(at(podSpec(job), "serviceAccountName")).toBe("flyte-verification");
        expect(at(podSpec(job), "automountServiceAccountToken")).toBe(true);
        const config = probeConfig<EndpointStage>(job);
        const service = ofType(plan(), T.service).find((r) => r.name === "flyte-endpoint");
        expect(service).toBeDefined();
        expect(config.service).toEqual({ namespace: s.flyteNamespace, name: stringAt(service?.inputs, "metadata", "name"), httpPort: 8088, grpcPort: 8089 });
        expect(config.projects).toEqual(s.projects);
        expect(config.signedUpload).toEqual({ project: s.project, domain: s.domain });
        const identities = plan().outputs.identities as Record<string, string>;
        const worker = s.isolated ? identities[`worker-${s.project}`] : identities.worker;
        expect(config.taskNamespace).toEqual({
            name: s.taskNamespace,
            serviceAccount: "default",
            annotation: { key: s.aws ? "eks.amazonaws.com/role-arn" : "iam.gke.io/gcp-service-account", value: worker },
        });
    });

    test("the workload Job: the task namespace, as its task service account, without any API token or Flyte secret", () => {
        const job = workloadJob(plan());
        expect(stringAt(job.inputs, "metadata", "namespace")).toBe(s.taskNamespace);
        expect(at(podSpec(job), "serviceAccountName")).toBe("default");
        expect(at(podSpec(job), "automountServiceAccountToken")).toBe(false);
        expect(arrayAt(podSpec(job), "volumes").filter((v) => at(v, "secret") !== undefined)).toEqual([]);
        expect(at(container(job), "envFrom")).toBeUndefined();
    });

    test("the workload stage checks the task identity the plan declares, and writes where the project's tasks write", () => {
        const config = probeConfig<WorkloadStage>(workloadJob(plan()));
        const identities = plan().outputs.identities as Record<string, string>;
        const worker = s.isolated ? identities[`worker-${s.project}`] : identities.worker;
        if (s.aws) {
            expect(config.identity).toEqual({ kind: "irsa", roleArn: worker, region: expect.any(String) });
            expect(config.store).toEqual({ kind: "s3", region: (config.identity as { region: string }).region });
        } else {
            expect(config.identity).toEqual({ kind: "gke", email: worker, nodeEmail: expect.stringMatching(/@.*\.iam\.gserviceaccount\.com$/) });
            expect(config.store).toEqual({ kind: "gcs" });
        }
        const rawBucket = s.isolated
            ? String((plan().outputs.projectDataLocations as Record<string, string>)[s.project]).replace(/^(gs|s3):\/\//, "").replace(/\/data$/, "")
            : plan().outputs.userDataBucket;
        expect(config.locations).toEqual([
            { purpose: `raw outputs of project ${s.project}`, bucket: rawBucket, prefix: "data/" },
            { purpose: `execution metadata of ${s.project}/${s.domain}`, bucket: plan().outputs.metadataBucket, prefix: `metadata/propeller/${s.project}-${s.domain}-` },
        ]);
    });

    test("the endpoint Job waits for the release, the Service and its own objects, not for the load balancer or DNS", () => {
        const names = directDependencies(plan(), endpointJob(plan()));
        expect(names).toEqual(expect.arrayContaining(["flyte-release", "flyte-endpoint", "flyte-verification-endpoint-probe", "flyte-verification-endpoint"]));
        const waited = endpointJob(plan()).dependencies.map((urn) => byUrn(plan(), urn).type);
        for (const type of waited) {
            expect(type).toMatch(/^kubernetes:(helm\.sh\/v3:Release|core\/v1:(Service|Namespace|ConfigMap|ServiceAccount|Secret)|rbac\.authorization\.k8s\.io\/v1:ClusterRoleBinding)$|^(gcp:serviceaccount\/account:Account|aws:iam\/role:Role)$/);
        }
    });

    test("the workload Job runs after the endpoint Job and once the task identity's grants exist", () => {
        const job = workloadJob(plan());
        const waited = job.dependencies.map((urn) => byUrn(plan(), urn));
        expect(waited.map((r) => r.name)).toEqual(expect.arrayContaining(["flyte-verification-endpoint", "flyte-verification-workload-probe"]));
        if (s.aws) {
            expect(waited.some((r) => r.type === "aws:iam/rolePolicy:RolePolicy")).toBe(true);
        } else {
            const bindings = waited.filter((r) => r.type === "gcp:serviceaccount/iAMMember:IAMMember");
            expect(bindings.map((b) => b.inputs.member)).toContainEqual(expect.stringContaining(`[${s.taskNamespace}/default]`));
            expect(waited.some((r) => r.type === "gcp:storage/bucketIAMMember:BucketIAMMember")).toBe(true);
        }
    });

    test("the endpoint stage may get the verified namespace and service accounts named default, nothing more", () => {
        const role = byName(plan(), T.clusterRole, "flyte-verification-endpoint");
        expect(role.inputs.rules).toEqual([
            { apiGroups: [""], resources: ["namespaces"], resourceNames: [s.taskNamespace], verbs: ["get"] },
            { apiGroups: [""], resources: ["serviceaccounts"], resourceNames: ["default"], verbs: ["get"] },
        ]);
        const binding = byName(plan(), T.binding, "flyte-verification-endpoint");
        expect(binding.inputs.roleRef).toEqual({ apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: stringAt(role.inputs, "metadata", "name") });
        expect(binding.inputs.subjects).toEqual([{ kind: "ServiceAccount", name: "flyte-verification", namespace: s.flyteNamespace }]);
        expect(at(byName(plan(), T.serviceAccount, "flyte-verification-endpoint").inputs, "automountServiceAccountToken")).toBe(false);
    });

    test("both namespaces get the probe's files, and nothing else", () => {
        for (const name of ["flyte-verification-endpoint-probe", "flyte-verification-workload-probe"]) {
            expect(byName(plan(), T.configMap, name).inputs.data).toEqual(probeFiles());
        }
    });

    test(s.authenticated ? "signs in as the CI client, its secret only in a Secret of Flyte's namespace" : "calls Flyte without credentials", () => {
        const config = probeConfig<EndpointStage>(endpointJob(plan()));
        const secret = ofType(plan(), T.secret).find((r) => r.name === "flyte-verification-ci-client");
        if (!s.authenticated) {
            expect(config.client).toBeUndefined();
            expect(secret).toBeUndefined();
            return;
        }
        expect(config.client).toEqual({ clientId: "flyte-ci", secretFile: "/etc/flyte/ci-client/client_secret", tokenPath: "/oauth2/token", scope: "all" });
        expect(secret?.inputs.stringData).toBe("[secret]");
        expect(stringAt(secret?.inputs, "metadata", "namespace")).toBe(s.flyteNamespace);
        expect(arrayAt(podSpec(endpointJob(plan())), "volumes")).toContainEqual({
            name: "ci-client",
            secret: { secretName: stringAt(secret?.inputs, "metadata", "name"), items: [{ key: "client_secret", path: "client_secret" }] },
        });
    });
});

describe("local", () => {
    test("off by default: no verification resources, no output", () => {
        const plan = planOf("local");
        expect(plan.resources.filter((r) => r.name.startsWith("flyte-verification"))).toEqual([]);
        expect(plan.outputs.verificationJobs).toBeUndefined();
    });

    describe("with verification: on", () => {
        let plan: Plan;
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "verify-local-"));
        beforeAll(async () => {
            const file = path.join(dir, "Pulumi.local-verified.yaml");
            fs.writeFileSync(file, stringify({ config: { ...stackFileConfig("local"), "flyte:verification": "on" } }));
            plan = await planStack("local-verified", file);
        });
        afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

        test("the task pods' MinIO keys, from the Secret Flyte's task pods get them from, at MinIO's endpoint", () => {
            const job = workloadJob(plan);
            expect(at(container(job), "envFrom")).toEqual([{ secretRef: { name: "flyte-storage-credentials" } }]);
            const config = probeConfig<WorkloadStage>(job);
            expect(config.identity).toEqual({ kind: "static-keys" });
            expect(config.store).toEqual({ kind: "s3-compatible", endpoint: expect.stringMatching(/^http:\/\/.*:9000$/), region: "us-east-1" });
        });

        test("no annotation to wait for, and the workload stage waits for the task namespace this program makes", () => {
            expect(probeConfig<EndpointStage>(endpointJob(plan)).taskNamespace).toEqual({ name: "flytesnacks-development", serviceAccount: "default" });
            const waited = workloadJob(plan).dependencies.map((urn) => byUrn(plan, urn).type);
            expect(waited).toContain("kubernetes:core/v1:Namespace");
        });
    });
});
