import { COMMON_OUTPUTS, EVERY_STACK_OUTPUTS, ISOLATION_OUTPUTS, SHARED_WORKER_OUTPUTS, VERIFICATION_OUTPUTS } from "../../components/contract/outputs";
import type { RecordedResource } from "../../lib/plan/monitor";
import type { Plan } from "../../lib/plan/runPlan";
import { byName, byUrn, mocked, ofType, only, planStack } from "../helpers/plan";
import { readStackSettings } from "../helpers/stackSettings";
import { at } from "../helpers/json";

/**
 * Pulumi.poc.yaml: the proof of concept on a locked-down multi-tenant GKE platform. Every namespace is dictated by
 * the platform (`<appid>-<application>-<env>`), flavor core gives each Flyte component its own identity, and with
 * projectIsolation each project's task pods get theirs. Expectations come from the stack file itself (read without
 * the program's config code), so the program cannot agree with itself by accident.
 */

const settings = readStackSettings("poc");
const gcpProject = settings.provider("gcp:project");
const flyteNamespace = settings.string("flyteNamespace");
const template = settings.string("namespaceTemplate");
const projects = settings.strings("flyteProjects");
const domainEntries = settings.strings("flyteDomains");
const domains = domainEntries.map((d) => d.split(":")[0]);
const pool = `${gcpProject}.svc.id.goog`;
const namespaceOf = (project: string, domain: string) => template.replace("{{ project }}", project).replace("{{ domain }}", domain);
const COMPONENTS = ["datacatalog", "flyteadmin", "flytepropeller", "flytescheduler"];

let plan: Plan;
beforeAll(async () => {
    plan = await planStack("poc");
});

function outputRecord(name: string): Record<string, string> {
    const value = plan.outputs[name];
    if (typeof value !== "object" || value === null || Array.isArray(value)) {
        throw new Error(`output ${name} is not a map: ${JSON.stringify(value)}`);
    }
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, String(v)]));
}

const accounts = () => ofType(plan, "gcp:serviceaccount/account:Account").filter((a) => a.name.startsWith("gcp-identities-"));
const emailOf = (account: RecordedResource) => String(mocked(account).state.email);
const release = () => only(plan, "kubernetes:helm.sh/v3:Release");
const values = () => release().inputs.values;

/** The Kubernetes service accounts (`namespace/name`) allowed to act as the Google service account with this email. */
function workloadIdentityMembers(email: string): string[] {
    const account = accounts().find((a) => emailOf(a) === email);
    if (!account) {
        throw new Error(`no service account ${email}`);
    }
    return ofType(plan, "gcp:serviceaccount/iAMMember:IAMMember")
        .filter((m) => m.inputs.role === "roles/iam.workloadIdentityUser" && m.inputs.serviceAccountId === mocked(account).id)
        .map((m) => {
            const match = /^serviceAccount:([^[]+)\[([^/]+)\/([^\]]+)\]$/.exec(String(m.inputs.member));
            if (!match || match[1] !== pool) {
                throw new Error(`not a member of ${pool}: ${String(m.inputs.member)}`);
            }
            return `${match[2]}/${match[3]}`;
        })
        .sort();
}

test("the stack file is the proof of concept it says: core, isolation, the platform's namespaces and domains", () => {
    expect(settings.string("cloud")).toBe("gcp");
    expect(settings.string("flavor")).toBe("core");
    expect(settings.boolean("projectIsolation")).toBe(true);
    expect(flyteNamespace).toBe("103020-flytepoc-dev");
    expect(template).toBe("103020-flytepoc-{{ project }}-{{ domain }}");
    // Plain ids: the template names the domain, and Flyte 1.x's namespace sync would use a display name instead.
    expect(domainEntries).toEqual(["d-dev", "t-dev", "p-dev"]);
    expect(projects).toEqual(["x", "y"]);
});

describe("identities", () => {
    test("one Google service account per Flyte component and one per project, nothing shared", () => {
        const keys = accounts().map((a) => a.name.replace(/^gcp-identities-/, "")).sort();
        expect(keys).toEqual([...COMPONENTS, ...projects.map((p) => `worker-${p}`)].sort());
        expect(Object.keys(outputRecord("identities")).sort()).toEqual(keys);
        for (const a of accounts()) {
            expect(a.inputs.project).toBe(gcpProject);
            expect(String(a.inputs.accountId)).toMatch(/^[a-z]([-a-z0-9]*[a-z0-9])$/);
            expect(String(a.inputs.accountId).length).toBeGreaterThanOrEqual(6);
            expect(String(a.inputs.accountId).length).toBeLessThanOrEqual(30);
        }
        // The identities output names exactly the emails of those accounts.
        expect(Object.values(outputRecord("identities")).sort()).toEqual(accounts().map(emailOf).sort());
    });

    test("each component's account is bound to exactly its own service account in Flyte's namespace", () => {
        const identities = outputRecord("identities");
        for (const component of COMPONENTS) {
            expect({ component, members: workloadIdentityMembers(identities[component]) }).toEqual({
                component,
                members: [`${flyteNamespace}/${component}`],
            });
        }
    });

    test("each project's account is bound to the default service account of exactly its three namespaces", () => {
        const workers = outputRecord("projectWorkerServiceAccounts");
        expect(Object.keys(workers).sort()).toEqual([...projects].sort());
        for (const project of projects) {
            expect(workloadIdentityMembers(workers[project])).toEqual(domains.map((d) => `${namespaceOf(project, d)}/default`).sort());
        }
        expect(workloadIdentityMembers(workers.x)).toEqual([
            "103020-flytepoc-x-d-dev/default",
            "103020-flytepoc-x-p-dev/default",
            "103020-flytepoc-x-t-dev/default",
        ]);
        expect(workloadIdentityMembers(workers.x).some((m) => m.includes("-y-"))).toBe(false);
    });

    test("Workload Identity binds nothing else", () => {
        const all = ofType(plan, "gcp:serviceaccount/iAMMember:IAMMember").filter((m) => m.inputs.role === "roles/iam.workloadIdentityUser");
        expect(all).toHaveLength(COMPONENTS.length + projects.length * domains.length);
    });

    test("only flyteadmin may sign URLs, as itself", () => {
        const signers = ofType(plan, "gcp:serviceaccount/iAMMember:IAMMember").filter(
            (m) => m.inputs.role === "roles/iam.serviceAccountTokenCreator",
        );
        const admin = outputRecord("identities").flyteadmin;
        expect(signers.map((s) => [s.inputs.serviceAccountId, s.inputs.member])).toEqual([
            [`projects/${gcpProject}/serviceAccounts/${admin}`, `serviceAccount:${admin}`],
        ]);
        expect(at(values(), "configmap", "remoteData", "remoteData", "signedUrls", "signingPrincipal")).toBe(admin);
    });

    test("the chart annotates each component's service account with its own account", () => {
        const identities = outputRecord("identities");
        for (const component of COMPONENTS) {
            expect(at(values(), component, "serviceAccount")).toEqual({
                create: true,
                annotations: { "iam.gke.io/gcp-service-account": identities[component] },
            });
        }
    });
});

describe("namespaces", () => {
    test("Flyte itself runs in the platform's namespace, and everything this program creates in Kubernetes lives there but the verification's task pod", () => {
        expect(ofType(plan, "kubernetes:core/v1:Namespace").map((n) => at(n.inputs, "metadata", "name"))).toEqual([flyteNamespace]);
        expect(release().inputs.namespace).toBe(flyteNamespace);
        expect(release().inputs.createNamespace).toBe(false);
        const namespaced = plan.resources.filter((r) => r.type.startsWith("kubernetes:") && at(r.inputs, "metadata", "namespace") !== undefined);
        expect(namespaced.length).toBeGreaterThanOrEqual(5);
        // The workload stage runs as a task pod, in the first project-domain namespace, which Flyte creates.
        const taskPodStage = new Set(["flyte-verification-workload", "flyte-verification-workload-probe"]);
        const taskNamespace = namespaceOf(projects[0], domains[0]);
        for (const r of namespaced) {
            const expected = taskPodStage.has(r.name) ? taskNamespace : flyteNamespace;
            expect({ resource: r.name, namespace: at(r.inputs, "metadata", "namespace") }).toEqual({ resource: r.name, namespace: expected });
        }
        expect(at(values(), "configmap", "core", "propeller", "leader-election", "lock-config-map", "namespace")).toBe(flyteNamespace);
    });

    test("Flyte maps project-domain pairs with the platform's template and knows each domain by its id, named as its id", () => {
        expect(at(values(), "configmap", "namespace_config", "namespace_mapping", "template")).toBe(template);
        expect(at(values(), "configmap", "domain", "domains")).toEqual([
            { id: "d-dev", name: "d-dev" },
            { id: "t-dev", name: "t-dev" },
            { id: "p-dev", name: "p-dev" },
        ]);
        // Flyte 1.x's sync maps the NAME through the template, executions the id: the same namespaces.
        const domainsConfig = at(values(), "configmap", "domain", "domains") as { id: string; name: string }[];
        for (const project of projects) {
            expect(domainsConfig.map((d) => namespaceOf(project, d.name))).toEqual(domains.map((d) => namespaceOf(project, d)));
        }
        // Double-quoted YAML scalars: the chart writes them into the seed-projects command unquoted, where `y` would be a boolean.
        expect(at(values(), "flyteadmin", "initialProjects")).toEqual(projects.map((p) => JSON.stringify(p)));
    });

    test("no default namespace names leak in (flyte, <project>-<domain>)", () => {
        const text = JSON.stringify(plan.resources.map((r) => r.inputs));
        for (const project of projects) {
            for (const domain of domains) {
                expect(text).not.toContain(`"${project}-${domain}"`);
                expect(text).not.toContain(`[${project}-${domain}/`);
            }
        }
        expect(text).not.toContain(".flyte.svc.cluster.local");
        expect(text).not.toMatch(/"namespace":"flyte"/);
    });

    test("each project-domain namespace's default service account is annotated with that project's account", () => {
        const resourceManager = at(values(), "cluster_resource_manager");
        const templates = at(resourceManager, "templates") as { key: string; value: string }[];
        const sa = templates.find((t) => t.key === "002_serviceaccount");
        expect(sa?.value).toContain("  name: default\n");
        expect(sa?.value).toContain("iam.gke.io/gcp-service-account: '{{ workerIdentityPrefix }}{{ project }}{{ workerIdentitySuffix }}'");
        const customData = at(resourceManager, "config", "cluster_resources", "customData") as Record<string, Record<string, { value: string }>[]>[];
        expect(customData.map((entry) => Object.keys(entry)).flat()).toEqual(domains);
        const workers = outputRecord("projectWorkerServiceAccounts");
        for (const entry of customData) {
            const [variables] = Object.values(entry);
            const merged = Object.assign({}, ...variables) as Record<string, { value: string }>;
            for (const project of projects) {
                // What Flyte renders for this project equals the account bound to its namespaces.
                expect(`${merged.workerIdentityPrefix.value}${project}${merged.workerIdentitySuffix.value}`).toBe(workers[project]);
            }
        }
    });
});

describe("data locations", () => {
    const bucketNamed = (name: string) => ofType(plan, "gcp:storage/bucket:Bucket").find((b) => b.inputs.name === name);

    test("four private buckets: the shared metadata and user data, and one per project labelled with it", () => {
        const buckets = ofType(plan, "gcp:storage/bucket:Bucket");
        expect(buckets).toHaveLength(2 + projects.length);
        for (const b of buckets) {
            expect(b.inputs.uniformBucketLevelAccess).toBe(true);
            expect(b.inputs.publicAccessPrevention).toBe("enforced");
        }
        const locations = outputRecord("projectDataLocations");
        for (const project of projects) {
            const match = /^gs:\/\/([^/]+)\/data$/.exec(locations[project]);
            expect(match).not.toBeNull();
            const bucket = bucketNamed(match?.[1] ?? "");
            expect(bucket?.name).toBe(`gcp-buckets-data-${project}`);
            expect(at(bucket?.inputs, "labels", "flyte-project")).toBe(project);
        }
    });

    test("outputs: each project's worker and data location, and no shared worker", () => {
        expect(Object.keys(plan.outputs).sort()).toEqual([...COMMON_OUTPUTS, ...EVERY_STACK_OUTPUTS, ...ISOLATION_OUTPUTS, ...VERIFICATION_OUTPUTS].sort());
        for (const key of SHARED_WORKER_OUTPUTS) {
            expect(plan.outputs).not.toHaveProperty(key);
        }
        const workers = outputRecord("projectWorkerServiceAccounts");
        const identities = outputRecord("identities");
        for (const project of projects) {
            expect(workers[project]).toBe(identities[`worker-${project}`]);
            expect(workers[project]).toMatch(new RegExp(`^fw[0-9a-f]{5}-${project}@${gcpProject}\\.iam\\.gserviceaccount\\.com$`));
        }
        expect(plan.outputs.backendServiceAccount).toBe(identities.flyteadmin);
    });

    test("executions without project attributes would write to the shared bucket, which no project's tasks may use", () => {
        expect(at(values(), "configmap", "core", "propeller", "rawoutput-prefix")).toBe(`gs://${String(plan.outputs.userDataBucket)}/data`);
        expect(at(values(), "configmap", "core", "propeller", "metadata-prefix")).toBe("metadata/propeller");
        expect(at(values(), "storage", "bucketName")).toBe(plan.outputs.metadataBucket);
    });
});

describe("the project data Job", () => {
    const job = () => byName(plan, "kubernetes:batch/v1:Job", "flyte-project-data-job");

    interface PutCall {
        readonly url: string;
        readonly body: unknown;
    }

    /** The curl PUTs of the Job's script, in order. */
    function putCalls(): PutCall[] {
        const container = at(job().inputs, "spec", "template", "spec", "containers", 0);
        expect(at(container, "command")).toEqual(["/bin/sh", "-c"]);
        const script = String(at(container, "args", 0));
        const calls = [...script.matchAll(/-X PUT -H 'Content-Type: application\/json' '([^']+)' \\\n {2}--data '([^']+)'/g)];
        return calls.map((m) => ({ url: m[1], body: JSON.parse(m[2]) as unknown }));
    }

    test("runs in Flyte's namespace after the release, with the configured image", () => {
        expect(at(job().inputs, "metadata", "namespace")).toBe(flyteNamespace);
        expect(job().dependencies).toContain(release().urn);
        expect(byUrn(plan, job().parent).type).toBe("flyte:flyte:ProjectDataLocations");
        const container = at(job().inputs, "spec", "template", "spec", "containers", 0);
        expect(at(container, "image")).toBe(settings.string("projectSetupImage"));
        expect(at(job().inputs, "spec", "template", "spec", "automountServiceAccountToken")).toBe(false);
    });

    test("PUTs each project's attributes to flyteadmin so its raw outputs go to its own bucket", () => {
        const locations = outputRecord("projectDataLocations");
        expect(putCalls()).toEqual(
            projects.map((project) => ({
                url: `http://flyteadmin.${flyteNamespace}.svc.cluster.local:80/api/v1/project_attributes/${project}`,
                body: {
                    attributes: {
                        project,
                        matching_attributes: {
                            workflow_execution_config: { raw_output_data_config: { output_location_prefix: locations[project] } },
                        },
                    },
                },
            })),
        );
        const planned = (project: string) => String(byName(plan, "gcp:storage/bucket:Bucket", `gcp-buckets-data-${project}`).inputs.name);
        expect(locations).toEqual(Object.fromEntries(projects.map((p) => [p, `gs://${planned(p)}/data`])));
        expect(planned("x")).not.toBe(planned("y"));
    });

    test("fails rather than carrying on after a failed call, and retries until flyteadmin answers", () => {
        const script = String(at(job().inputs, "spec", "template", "spec", "containers", 0, "args", 0));
        expect(script.startsWith("set -eu\n")).toBe(true);
        expect(script.match(/curl --silent --show-error --fail-with-body --retry 30 /g)).toHaveLength(projects.length);
    });
});

describe("what Flyte waits for", () => {
    test("the release waits for every component's grants and bindings, not for the projects' (created alongside)", () => {
        const deps = new Set(release().dependencies);
        const grants = ofType(plan, "gcp:storage/bucketIAMMember:BucketIAMMember");
        const bindings = ofType(plan, "gcp:serviceaccount/iAMMember:IAMMember").filter((m) => m.name.startsWith("gcp-wi-"));
        for (const r of [...grants, ...bindings]) {
            const forWorker = /-worker-/.test(r.name);
            expect({ resource: r.name, waited: deps.has(r.urn) }).toEqual({ resource: r.name, waited: !forWorker });
        }
        expect(deps.has(byName(plan, "gcp:container/nodePool:NodePool", "gcp-gke-pool").urn)).toBe(true);
    });
});
