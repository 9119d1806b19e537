/**
 * Pulumi.gke-control.yaml: the control plane of a multi-cluster Flyte (README "Beyond one cluster"), as the last step
 * of its first deployment leaves it: both data planes (gke-gpu, gke-batch) deployed and registered. Its shared plan
 * read the data planes' own shared plans as stack references (lib/plan/references.ts), so what it says about them is
 * checked against what those plans publish; its Flyte release is rendered once with the real chart. The order of the
 * first deployment (control plane before its data planes): multiCluster.firstDeployment.test.ts.
 */
import type { RecordedResource } from "../../lib/plan/monitor";
import type { Plan } from "../../lib/plan/runPlan";
import { configDirectory, containerNamed } from "../helpers/flyte";
import { clusterServiceAddress } from "../helpers/coreChart";
import { findDoc, findDocs, mountContaining, podVolume, type RenderedRelease, renderFlyteRelease, selects } from "../helpers/helm";
import { runWithFakes } from "../helpers/jobs";
import { arrayAt, at, isRecord, type JsonRecord, recordAt, stringAt, stringMapAt } from "../helpers/json";
import { byName, mocked, ofType, only } from "../helpers/plan";
import { beforeAllPlans } from "../helpers/sharedPlans";
import { readStackSettings } from "../helpers/stackSettings";

const STACK = "gke-control";
const settings = readStackSettings(STACK);

/** The data planes as the stack file lists them (`<name>=<stack>`), in its order. */
const DATA_PLANES = settings.strings("dataPlanes").map((entry) => {
    const [name, stack] = entry.split("=");
    return { name, stack };
});
const PROJECTS = settings.strings("flyteProjects");
const DOMAINS = settings.strings("flyteDomains").map((d) => d.split(":")[0]);
const DEFAULT_CLUSTER = settings.string("defaultExecutionCluster");

// Spelled out here rather than imported from the program, so that a change on either side shows up as a failure.
/** The Secret flyte-core's syncresources mounts by this fixed name (templates/clusterresourcesync/deployment.yaml). */
const CREDENTIALS_SECRET = "cluster-credentials";
const CREDENTIALS_DIR = "/var/run/credentials";
/** The Secret's keys: a token and a CA certificate per data plane (README "Beyond one cluster"). */
const CREDENTIAL_KEYS = DATA_PLANES.flatMap(({ name }) => [`${name}_token`, `${name}_cacert`]);
const DATACATALOG_SERVICE = "flyte-datacatalog-internal";
const DATACATALOG_PORT = 89;

const T = {
    release: "kubernetes:helm.sh/v3:Release",
    secret: "kubernetes:core/v1:Secret",
    service: "kubernetes:core/v1:Service",
    job: "kubernetes:batch/v1:Job",
    account: "gcp:serviceaccount/account:Account",
    wiMember: "gcp:serviceaccount/iAMMember:IAMMember",
    subnet: "gcp:compute/subnetwork:Subnetwork",
    network: "gcp:compute/network:Network",
    psaRange: "gcp:compute/globalAddress:GlobalAddress",
    reference: "pulumi:pulumi:StackReference",
} as const;

const planOf = beforeAllPlans([STACK, ...DATA_PLANES.map((d) => d.stack)]);
const plan = (): Plan => planOf(STACK);
let rendered: RenderedRelease;
beforeAll(() => {
    rendered = renderFlyteRelease(plan());
});

const release = (): RecordedResource => only(plan(), T.release);
const values = (): JsonRecord => recordAt(release().inputs, "values");
const namespace = (): string => stringAt(release().inputs, "namespace");
/** The `dataPlane` output of a data plane's shared plan: what this control plane read through its stack reference. */
const dataPlaneOutput = (stack: string): JsonRecord => recordAt(planOf(stack).outputs, "dataPlane");
const controlPlaneOutput = (): JsonRecord => recordAt(plan().outputs, "controlPlane");
/** A Kubernetes object the plan declares, by kind (type token) and Kubernetes name. */
function declared(type: string, name: string): RecordedResource {
    const found = ofType(plan(), type).filter((r) => at(r.inputs, "metadata", "name") === name);
    if (found.length !== 1) {
        throw new Error(`expected one ${type} named ${name} in ${STACK}, found ${found.length}`);
    }
    return found[0];
}
const datacatalogService = () => declared(T.service, DATACATALOG_SERVICE);

test("the stack file: a flyte-core control plane on GKE with two data planes, a default cluster and routes", () => {
    expect(settings.string("clusterRole")).toBe("controlPlane");
    expect(settings.string("flavor")).toBe("core");
    expect(DATA_PLANES).toEqual([
        { name: "gpu", stack: "gke-gpu" },
        { name: "batch", stack: "gke-batch" },
    ]);
    expect(DEFAULT_CLUSTER).toBe("batch");
    expect(settings.boolean("controlPlanePropeller")).toBe(false);
    expect(settings.string("authentication")).toBe("none");
});

describe("flyte-core's values", () => {
    test("no flytepropeller nor its webhook; the cluster resource sync on its own Deployment, not in flyteadmin's pod", () => {
        expect(at(values(), "flytepropeller", "enabled")).toBe(false);
        expect(at(values(), "webhook", "enabled")).toBe(false);
        expect(at(values(), "cluster_resource_manager", "enabled")).toBe(true);
        expect(at(values(), "cluster_resource_manager", "standalone_deploy")).toBe(true);
    });

    test("flyteadmin's clusters: exactly the data planes, at the API endpoints they publish, with their credentials' files", () => {
        expect(at(values(), "configmap", "clusters")).toEqual({
            clusterConfigs: DATA_PLANES.map(({ name, stack }) => ({
                name,
                endpoint: dataPlaneOutput(stack).apiEndpoint,
                enabled: true,
                auth: { tokenPath: `${CREDENTIALS_DIR}/${name}_token`, certPath: `${CREDENTIALS_DIR}/${name}_cacert` },
            })),
            labelClusterMap: Object.fromEntries(DATA_PLANES.map(({ name }) => [name, [{ id: name, weight: 1 }]])),
            defaultExecutionLabel: DEFAULT_CLUSTER,
        });
        for (const { stack } of DATA_PLANES) {
            expect(String(dataPlaneOutput(stack).apiEndpoint)).toMatch(/^https:\/\/[^/]+$/);
        }
    });

    test("flyteadmin's pod mounts the credentials Secret read-only where the clusters' files are", () => {
        expect(arrayAt(values(), "flyteadmin", "additionalVolumes")).toContainEqual({ name: CREDENTIALS_SECRET, secret: { secretName: CREDENTIALS_SECRET } });
        expect(arrayAt(values(), "flyteadmin", "additionalVolumeMounts")).toContainEqual({ name: CREDENTIALS_SECRET, mountPath: CREDENTIALS_DIR, readOnly: true });
    });
});

test("the credentials Secret: declared in Flyte's namespace, its content a secret, and the release waits for it", () => {
    const secret = declared(T.secret, CREDENTIALS_SECRET);
    expect(at(secret.inputs, "metadata", "namespace")).toBe(namespace());
    expect(secret.inputs.type).toBe("Opaque");
    // pulumi-kubernetes makes all of a Secret's stringData a Pulumi secret, so the plan shows neither the tokens nor
    // the keys: the keys the chart's pods read are CREDENTIAL_KEYS (below), which the component's own test
    // (test/components/flyte/controlPlaneClusters.test.ts) holds the Secret to.
    expect(secret.inputs.stringData).toBe("[secret]");
    expect(secret.inputs.data).toBeUndefined();
    expect(release().dependencies).toContain(secret.urn);
    expect(secret.provider).toBe(release().provider);
});

describe("datacatalog for the data planes", () => {
    test("an internal load balancer Service, reachable from every region, that only the data planes' pods may reach", () => {
        const service = datacatalogService();
        expect(at(service.inputs, "metadata", "namespace")).toBe(namespace());
        expect(at(service.inputs, "spec", "type")).toBe("LoadBalancer");
        expect(stringMapAt(service.inputs, "metadata", "annotations")).toMatchObject({
            "networking.gke.io/load-balancer-type": "Internal",
            "networking.gke.io/internal-load-balancer-allow-global-access": "true",
        });
        const podRanges = DATA_PLANES.map(({ stack }) => dataPlaneOutput(stack).podRange);
        expect(at(service.inputs, "spec", "loadBalancerSourceRanges")).toEqual(podRanges);
        // Each data plane's pod range as its own stack file sets it.
        expect(podRanges).toEqual(DATA_PLANES.map(({ stack }) => readStackSettings(stack).string("podsCidr")));
    });

    test("selects datacatalog's pods as the chart renders them, on their gRPC port", () => {
        const service = datacatalogService();
        const deployment = findDoc(rendered.docs, "Deployment", "datacatalog", namespace());
        const podLabels = stringMapAt(deployment, "spec", "template", "metadata", "labels");
        expect(selects(stringMapAt(service.inputs, "spec", "selector"), podLabels)).toBe(true);
        const ports = arrayAt(service.inputs, "spec", "ports");
        expect(ports.map((p) => at(p, "port"))).toEqual([DATACATALOG_PORT]);
        // The chart's own datacatalog Service maps the same port to the same container port.
        const chartService = findDoc(rendered.docs, "Service", "datacatalog", namespace());
        const chartGrpc = arrayAt(chartService, "spec", "ports").find((p) => at(p, "port") === DATACATALOG_PORT);
        expect(at(ports[0], "targetPort")).toBe(at(chartGrpc, "targetPort"));
        const containerPorts = arrayAt(deployment, "spec", "template", "spec", "containers", 0, "ports").map((p) => at(p, "containerPort"));
        expect(containerPorts).toContain(at(ports[0], "targetPort"));
    });
});

describe("execution routes", () => {
    const job = () => only(plan(), T.job);
    const container = () => recordAt(job().inputs, "spec", "template", "spec", "containers", 0);

    interface AdminCall {
        readonly method: string;
        readonly url: string;
        readonly body: JsonRecord;
    }

    let calls: AdminCall[] | undefined;
    /** The Job's script run (once) against a curl that answers every request with success, as flyteadmin would. */
    function adminCalls(): AdminCall[] {
        calls ??= runScript();
        return calls;
    }

    function runScript(): AdminCall[] {
        expect(arrayAt(container(), "command")).toEqual(["/bin/sh", "-c"]);
        const [script] = arrayAt(container(), "args");
        const run = runWithFakes(String(script), { curl: `case "$*" in *"-X DELETE"*) printf '{}\\n%s' 200 ;; esac; exit 0` });
        expect({ status: run.status, stderr: run.stderr }).toEqual({ status: 0, stderr: "" });
        return run.calls
            .filter((c) => c.command === "curl")
            .map(({ args }) => {
                const flag = (name: string) => args[args.indexOf(name) + 1];
                const body: unknown = JSON.parse(flag("--data"));
                return { method: flag("-X"), url: args.find((a) => a.startsWith("http://")) ?? "", body: isRecord(body) ? body : {} };
            });
    }

    /**
     * flyteadmin's EXECUTION_CLUSTER_LABEL attributes after the calls, from labels of `stale` on every configured
     * project and project-domain (set by hand, or by routes since removed). A DELETE removes every attribute whose
     * project (and domain, if given) match, at any level below (flyteadmin/pkg/repositories/gormimpl/resource_repo.go
     * Delete at v1.16.8: a struct condition skips empty fields); a PUT sets one. An execution gets the label of the
     * most specific level that has one (resource_repo.go Get, priority order), else defaultExecutionLabel.
     */
    function executionClusters(made: readonly AdminCall[]): Record<string, string> {
        const labels = new Map<string, string>([...PROJECTS.map((p) => `${p}/`), ...PROJECTS.flatMap((p) => DOMAINS.map((d) => `${p}/${d}`))].map((k) => [k, "stale"]));
        for (const { method, url, body } of made) {
            const scope = method === "PUT" ? recordAt(body, "attributes") : body;
            const project = stringAt(scope, "project");
            const domain = typeof scope.domain === "string" ? scope.domain : undefined;
            // The path names the same project (and domain) as the body.
            const path = domain === undefined ? `/api/v1/project_attributes/${project}` : `/api/v1/project_domain_attributes/${project}/${domain}`;
            expect(new URL(url).pathname).toBe(path);
            if (method === "DELETE") {
                expect(body.resource_type).toBe("EXECUTION_CLUSTER_LABEL");
                const deleted = (key: string) => (domain === undefined ? key.startsWith(`${project}/`) : key === `${project}/${domain}`);
                for (const key of [...labels.keys()].filter(deleted)) {
                    labels.delete(key);
                }
            } else {
                expect(method).toBe("PUT");
                expect(Object.keys(recordAt(scope, "matching_attributes"))).toEqual(["execution_cluster_label"]);
                labels.set(`${project}/${domain ?? ""}`, stringAt(scope, "matching_attributes", "execution_cluster_label", "value"));
            }
        }
        return Object.fromEntries(
            PROJECTS.flatMap((p) => DOMAINS.map((d) => [`${p}/${d}`, labels.get(`${p}/${d}`) ?? labels.get(`${p}/`) ?? DEFAULT_CLUSTER])),
        );
    }

    test("the stack's routes: ml and analytics/development to gpu", () => {
        expect(settings.strings("executionRoutes")).toEqual(["ml=gpu", "analytics/development=gpu"]);
    });

    test("the Job makes flyteadmin send each project-domain's executions where the routes say, the rest to the default", () => {
        expect(executionClusters(adminCalls())).toEqual({
            "ml/development": "gpu",
            "ml/staging": "gpu",
            "ml/production": "gpu",
            "analytics/development": "gpu",
            "analytics/staging": DEFAULT_CLUSTER,
            "analytics/production": DEFAULT_CLUSTER,
        });
    });

    test("every route names a registered cluster, and the Job calls the flyteadmin Service the chart renders", () => {
        const clusters = arrayAt(values(), "configmap", "clusters", "clusterConfigs").map((c) => at(c, "name"));
        const calls = adminCalls();
        for (const call of calls.filter((c) => c.method === "PUT")) {
            expect(clusters).toContain(at(call.body, "attributes", "matching_attributes", "execution_cluster_label", "value"));
        }
        for (const call of calls) {
            // The URL as the script has it (URL would drop the default port).
            const upstream = clusterServiceAddress(/^http:\/\/([^/]+)\//.exec(call.url)?.[1] ?? call.url);
            expect(upstream.namespace).toBe(namespace());
            const service = findDoc(rendered.docs, "Service", upstream.service, namespace());
            expect(arrayAt(service, "spec", "ports").map((p) => at(p, "port"))).toContain(upstream.port);
        }
    });

    test("the Job runs once the release is installed, in Flyte's namespace", () => {
        expect(job().dependencies).toContain(release().urn);
        expect(at(job().inputs, "metadata", "namespace")).toBe(namespace());
    });
});

describe("identities", () => {
    test("no flytepropeller identity: no Google service account, no Workload Identity binding, no annotation", () => {
        const accounts = ofType(plan(), T.account).map((a) => String(a.inputs.accountId));
        expect(accounts.filter((a) => a.includes("propeller"))).toEqual([]);
        expect(Object.keys(recordAt(plan().outputs, "identities"))).not.toContain("flytepropeller");
        const members = ofType(plan(), T.wiMember).map((m) => String(m.inputs.member));
        expect(members.filter((m) => m.includes("/flytepropeller]"))).toEqual([]);
        expect(at(values(), "flytepropeller", "serviceAccount", "annotations")).toEqual({});
    });
});

describe("the outputs", () => {
    test("controlPlane: flyteadmin, datacatalog, the buckets, identities, network and Flyte's projects for the data planes", () => {
        const outputs = plan().outputs;
        const subnet = only(plan(), T.subnet);
        const clientRanges = [
            stringAt(subnet.inputs, "ipCidrRange"),
            stringAt(
                arrayAt(subnet.inputs, "secondaryIpRanges").find((r) => at(r, "rangeName") === "pods"),
                "ipCidrRange",
            ),
        ];
        const subnetRanges = [stringAt(subnet.inputs, "ipCidrRange"), ...arrayAt(subnet.inputs, "secondaryIpRanges").map((r) => stringAt(r, "ipCidrRange"))];
        const psa = only(plan(), T.psaRange);
        const ingress = arrayAt(mocked(datacatalogService()).state, "status", "loadBalancer", "ingress");
        const identities = recordAt(outputs, "identities");
        expect(controlPlaneOutput()).toEqual({
            cloud: "gcp",
            gcpProject: settings.provider("gcp:project"),
            region: settings.provider("gcp:region"),
            adminGlobalAccess: settings.boolean("loadBalancerGlobalAccess"),
            network: mocked(only(plan(), T.network)).state.selfLink,
            clientRanges,
            networkRanges: [...subnetRanges, `${stringAt(psa.inputs, "address")}/${String(psa.inputs.prefixLength)}`],
            flyteNamespace: namespace(),
            admin: { endpoint: outputs.grpcEndpoint, insecure: true },
            datacatalog: { endpoint: `${stringAt(ingress[0], "ip")}:${DATACATALOG_PORT}`, insecure: true },
            metadataBucket: outputs.metadataBucket,
            userDataBucket: outputs.userDataBucket,
            projectBuckets: {},
            projectIsolation: false,
            identities: { flyteadmin: identities.flyteadmin, worker: outputs.workerServiceAccount, projectWorkers: {} },
            projects: PROJECTS,
            domains: DOMAINS,
            domainNames: Object.fromEntries(DOMAINS.map((d) => [d, d])),
            namespaceTemplate: settings.string("namespaceTemplate"),
            chartVersion: stringAt(release().inputs, "version"),
            chartRepository: stringAt(release().inputs, "repositoryOpts", "repo"),
        });
        expect(outputs.grpcEndpoint).toBe(`${stringAt(byName(plan(), T.service, "flyte-endpoint").inputs, "spec", "loadBalancerIP")}:8089`);
    });

    test("no controlPlaneClientSecret: sign-in is off, so propeller needs no client", () => {
        expect(Object.keys(plan().outputs)).not.toContain("controlPlaneClientSecret");
        expect(controlPlaneOutput().propellerClientId).toBeUndefined();
    });
});

test("reads exactly its two data planes' stacks, each through a StackReference that creates nothing", () => {
    const reads = plan().resources.filter((r) => r.read);
    expect(reads.map((r) => [r.type, r.name, r.inputs.name])).toEqual(
        expect.arrayContaining(DATA_PLANES.map(({ name, stack }) => [T.reference, `data-plane-${name}`, stack])),
    );
    expect(reads).toHaveLength(DATA_PLANES.length);
    expect(ofType(plan(), T.reference)).toHaveLength(DATA_PLANES.length);
});

describe("the chart, rendered with the plan's values", () => {
    const workload = (name: string) => findDoc(rendered.docs, "Deployment", name, namespace());
    /** The containers that read the clusters' credentials: flyteadmin's server and the cluster resource sync. */
    const readers = () => [
        { workload: workload("flyteadmin"), container: containerNamed(workload("flyteadmin"), "flyteadmin") },
        { workload: workload("syncresources"), container: containerNamed(workload("syncresources"), "sync-cluster-resources") },
    ];

    test("no flytepropeller, no pod webhook, no FlyteWorkflow CRD", () => {
        const names = rendered.docs.map((d) => `${d.kind} ${d.metadata.name}`);
        expect(names.filter((n) => /propeller|pod-webhook/.test(n))).toEqual([]);
        expect(findDocs(rendered.docs, "CustomResourceDefinition")).toEqual([]);
        expect(findDocs(rendered.docs, "MutatingWebhookConfiguration")).toEqual([]);
        // flyteadmin's pod has no init container that syncs clusters (one unreachable data plane must not stop it).
        const admin = workload("flyteadmin");
        expect(arrayAt(admin, "spec", "template", "spec", "initContainers").map((c) => at(c, "name"))).not.toContain("sync-cluster-resources");
    });

    test("flyteadmin and the cluster resource sync read the clusters config the values set", () => {
        for (const { workload: w, container } of readers()) {
            const config = configDirectory(rendered.docs, w, container, namespace()).merged;
            expect([w.metadata.name, at(config, "clusters")]).toEqual([w.metadata.name, at(values(), "configmap", "clusters")]);
        }
    });

    test(`both find every token and CA file of the clusters in Secret ${CREDENTIALS_SECRET}, under its keys`, () => {
        for (const { workload: w, container } of readers()) {
            const clusters = arrayAt(configDirectory(rendered.docs, w, container, namespace()).merged, "clusters", "clusterConfigs");
            const files = clusters.flatMap((c) => [stringAt(c, "auth", "tokenPath"), stringAt(c, "auth", "certPath")]);
            const read = files.map((file) => {
                const { mount, relative } = mountContaining(container, file);
                return `${mount.mountPath} ${String(at(podVolume(w, mount.name), "secret", "secretName"))}/${relative}`;
            });
            expect([w.metadata.name, read]).toEqual([w.metadata.name, CREDENTIAL_KEYS.map((key) => `${CREDENTIALS_DIR} ${CREDENTIALS_SECRET}/${key}`)]);
        }
    });
});
