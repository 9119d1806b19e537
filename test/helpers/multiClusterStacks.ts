import { cidrsOverlap, parseCidr } from "../../components/shared/cidr";
import type { ConfigKey } from "../../components/config/schema";
import type { RecordedResource } from "../../lib/plan/monitor";
import { referencedStack } from "../../lib/plan/references";
import type { Plan } from "../../lib/plan/runPlan";
import { clusterServiceAddress, DATA_PLANE_CHART_OBJECTS } from "./coreChart";
import { type AdminCall, executionClusters, routesJobCalls } from "./executionRoutes";
import { configDirectory, containerNamed } from "./flyte";
import { findDoc, findDocs, type K8sObject, mountContaining, podVolume, selects } from "./helm";
import { arrayAt, at, type JsonRecord, recordAt, stringAt, stringMapAt } from "./json";
import { byName, mocked, ofType, only } from "./plan";
import { beforeAllPlans } from "./sharedPlans";
import { readStackSettings, type StackSettings } from "./stackSettings";

/**
 * The multi-cluster stack tests every cloud shares (README "Beyond one cluster"): a control plane's shipped stack and
 * its data planes', each from its shared plan (test/helpers/sharedPlans.ts, never planned twice) with its Flyte
 * release rendered once. What flyte-core, flyteadmin's clusters, the credentials Secret, the execution routes and the
 * control plane's RBAC in a data plane must be does not depend on the cloud; each stack's test file registers these
 * suites and adds its cloud's own checks (load balancers, identities, networks, outputs).
 */

// Spelled out here rather than imported from the program, so that a change on either side shows up as a failure.
/** The Secret flyte-core's syncresources mounts by this fixed name (templates/clusterresourcesync/deployment.yaml). */
const CREDENTIALS_SECRET = "cluster-credentials";
const CREDENTIALS_DIR = "/var/run/credentials";
/** The routes Job's Pulumi name. */
const ROUTES_JOB = "flyte-routes-job";
const DATACATALOG_SERVICE = "flyte-datacatalog-internal";
/** datacatalog's gRPC port, on its Service for the data planes as on the chart's own. */
export const DATACATALOG_PORT = 89;
/** The release flyte-core is installed as, in every stack of a multi-cluster deployment. */
const RELEASE_NAME = "flyte-core";
/** The Kubernetes service account the control plane's flyteadmin uses in a data plane. */
export const ADMIN_SERVICE_ACCOUNT = "flyteadmin-remote";
/** README "What flyteadmin may do in a data plane": the four rules, exactly. */
const CONTROL_PLANE_RULES = [
    { apiGroups: [""], resources: ["namespaces"], verbs: ["create", "get", "patch"] },
    { apiGroups: [""], resources: ["serviceaccounts"], verbs: ["create"] },
    { apiGroups: [""], resources: ["serviceaccounts"], resourceNames: ["default"], verbs: ["get", "patch"] },
    { apiGroups: ["flyte.lyft.com"], resources: ["flyteworkflows"], verbs: ["create", "delete"] },
];

const T = {
    release: "kubernetes:helm.sh/v3:Release",
    secret: "kubernetes:core/v1:Secret",
    service: "kubernetes:core/v1:Service",
    job: "kubernetes:batch/v1:Job",
    serviceAccount: "kubernetes:core/v1:ServiceAccount",
    clusterRole: "kubernetes:rbac.authorization.k8s.io/v1:ClusterRole",
    clusterRoleBinding: "kubernetes:rbac.authorization.k8s.io/v1:ClusterRoleBinding",
    reference: "pulumi:pulumi:StackReference",
} as const;

/** The resource types of Flyte's side of every data plane: the stack, its reference to the control plane, flyte-core and the control plane's access. */
export const FLYTE_DATA_PLANE_TYPES = [
    "pulumi:pulumi:Stack",
    "pulumi:pulumi:StackReference",
    "pulumi:providers:kubernetes",
    "flyte:flyte:FlyteDataPlane",
    "flyte:flyte:ControlPlaneAccess",
    T.release,
    "kubernetes:core/v1:Namespace",
    T.secret,
    T.serviceAccount,
    T.clusterRole,
    T.clusterRoleBinding,
];

/** A data plane as a control plane's stack file lists it (`flyte:dataPlanes`, `<name>=<stack>`). */
export interface ListedDataPlane {
    readonly name: string;
    readonly stack: string;
}

/** What a Flyte release rendered with `helm template` gives these suites. */
export interface RenderedDocs {
    readonly docs: K8sObject[];
}

/**
 * The pairs of address ranges that overlap, as `<stack> <range> / <stack> <range>`, of ranges given as
 * `[stack, range]`; fails on one that is not a CIDR.
 */
export function overlappingRanges(ranges: readonly (readonly [string, string])[]): string[] {
    return ranges.flatMap(([s1, r1], i) =>
        ranges.slice(i + 1).flatMap(([s2, r2]) => {
            const [a, b] = [parseCidr(r1), parseCidr(r2)];
            if (a === undefined || b === undefined) {
                throw new Error(`not a CIDR: ${r1} or ${r2}`);
            }
            return cidrsOverlap(a, b) ? [`${s1} ${r1} / ${s2} ${r2}`] : [];
        }),
    );
}

// ---- A control plane ----

/** A control plane's shipped stack: its stack file, its shared plan and its data planes', its release rendered. */
export interface ControlPlaneStack<R extends RenderedDocs> {
    readonly stack: string;
    readonly settings: StackSettings;
    /** The data planes the stack file lists, in its order. */
    readonly dataPlanes: readonly ListedDataPlane[];
    readonly projects: readonly string[];
    /** The domains' ids (without their display names). */
    readonly domains: readonly string[];
    /** flyteadmin's defaultExecutionLabel, as the stack file sets it. */
    readonly defaultCluster: string;
    readonly plan: () => Plan;
    /** The shared plan of this stack or of one of its data planes. */
    readonly planOf: (stack: string) => Plan;
    readonly rendered: () => R;
    readonly release: () => RecordedResource;
    readonly values: () => JsonRecord;
    readonly namespace: () => string;
    /** The `dataPlane` output of a data plane's shared plan: what this control plane read through its stack reference. */
    readonly dataPlaneOutput: (stack: string) => JsonRecord;
    readonly controlPlaneOutput: () => JsonRecord;
    /** A Kubernetes object the plan declares, by kind (type token) and Kubernetes name. */
    readonly declared: (type: string, name: string) => RecordedResource;
    /** The Service the data planes reach datacatalog by. */
    readonly datacatalogService: () => RecordedResource;
}

/**
 * A control plane's stack for the calling test file: loads its shared plan and its data planes' (a `beforeAll` there)
 * and then renders its Flyte release once with `render`.
 */
export function beforeAllControlPlane<R extends RenderedDocs>(stack: string, dataPlanes: readonly ListedDataPlane[], render: (plan: Plan) => R): ControlPlaneStack<R> {
    const settings = readStackSettings(stack);
    const planOf = beforeAllPlans([stack, ...dataPlanes.map((d) => d.stack)]);
    const plan = (): Plan => planOf(stack);
    let rendered: R | undefined;
    beforeAll(() => {
        rendered = render(plan());
    });
    const release = (): RecordedResource => only(plan(), T.release);
    const declared = (type: string, name: string): RecordedResource => {
        const found = ofType(plan(), type).filter((r) => at(r.inputs, "metadata", "name") === name);
        if (found.length !== 1) {
            throw new Error(`expected one ${type} named ${name} in ${stack}, found ${found.length}`);
        }
        return found[0];
    };
    return {
        stack,
        settings,
        dataPlanes,
        projects: settings.strings("flyteProjects"),
        domains: settings.strings("flyteDomains").map((d) => d.split(":")[0]),
        defaultCluster: settings.string("defaultExecutionCluster"),
        plan,
        planOf,
        rendered: () => {
            if (rendered === undefined) {
                throw new Error(`${stack}'s release was not rendered`);
            }
            return rendered;
        },
        release,
        values: () => recordAt(release().inputs, "values"),
        namespace: () => stringAt(release().inputs, "namespace"),
        dataPlaneOutput: (dataPlane) => recordAt(planOf(dataPlane).outputs, "dataPlane"),
        controlPlaneOutput: () => recordAt(plan().outputs, "controlPlane"),
        declared,
        datacatalogService: () => declared(T.service, DATACATALOG_SERVICE),
    };
}

/** What a control plane's stack file and plan must say beyond what every cloud's does, for controlPlaneSuite. */
export interface ControlPlaneExpectations {
    readonly stackFile: {
        readonly title: string;
        /** The data planes it lists, in its order. */
        readonly dataPlanes: readonly ListedDataPlane[];
        readonly defaultCluster: string;
        /** The cloud's own expectations of the stack file, run in the same test. */
        readonly check?: () => void;
    };
    readonly datacatalog: {
        readonly title: string;
        /** The stack-file key each data plane's pod range is, in the data plane's own stack file. */
        readonly podRangeSetting: ConfigKey;
        /** The cloud's internal load balancer: what makes the Service one. */
        readonly checkLoadBalancer: (service: RecordedResource) => void;
    };
    readonly routes: {
        /** The stack file's `executionRoutes`. */
        readonly settings: readonly string[];
        /** The Pulumi names of the stack's Jobs other than the routes Job. */
        readonly otherJobs: readonly string[];
        /** The cluster of each `<project>/<domain>` once the routes Job has run. */
        readonly executionClusters: Readonly<Record<string, string>>;
    };
    /** The cloud's own tests, registered in the suite's describe blocks of the same subject. */
    readonly more?: {
        readonly values?: () => void;
        readonly outputs?: () => void;
        readonly chart?: () => void;
    };
}

/**
 * Registers the tests every cloud's control plane must pass: flyte-core's values (no flytepropeller nor webhook, the
 * cluster resource sync standalone, flyteadmin's clusters from the data planes' published outputs, the credentials
 * Secret mounted), the credentials Secret, datacatalog's Service for the data planes, the execution routes Job, the
 * stack references and the chart rendered with the plan's values.
 */
export function controlPlaneSuite(cp: ControlPlaneStack<RenderedDocs>, expected: ControlPlaneExpectations): void {
    const { settings, dataPlanes, plan, values, release, namespace } = cp;
    const docs = () => cp.rendered().docs;
    /** The Secret's keys: a token and a CA certificate per data plane (README "Beyond one cluster"). */
    const credentialKeys = dataPlanes.flatMap(({ name }) => [`${name}_token`, `${name}_cacert`]);

    test(expected.stackFile.title, () => {
        expect(settings.string("clusterRole")).toBe("controlPlane");
        expect(settings.string("flavor")).toBe("core");
        expect(dataPlanes).toEqual(expected.stackFile.dataPlanes);
        expect(cp.defaultCluster).toBe(expected.stackFile.defaultCluster);
        expect(settings.boolean("controlPlanePropeller")).toBe(false);
        expect(settings.string("authentication")).toBe("none");
        expected.stackFile.check?.();
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
                clusterConfigs: dataPlanes.map(({ name, stack }) => ({
                    name,
                    endpoint: cp.dataPlaneOutput(stack).apiEndpoint,
                    enabled: true,
                    auth: { tokenPath: `${CREDENTIALS_DIR}/${name}_token`, certPath: `${CREDENTIALS_DIR}/${name}_cacert` },
                })),
                labelClusterMap: Object.fromEntries(dataPlanes.map(({ name }) => [name, [{ id: name, weight: 1 }]])),
                defaultExecutionLabel: cp.defaultCluster,
            });
            for (const { stack } of dataPlanes) {
                expect(String(cp.dataPlaneOutput(stack).apiEndpoint)).toMatch(/^https:\/\/[^/]+$/);
            }
        });

        test("flyteadmin's pod mounts the credentials Secret read-only where the clusters' files are", () => {
            expect(arrayAt(values(), "flyteadmin", "additionalVolumes")).toContainEqual({ name: CREDENTIALS_SECRET, secret: { secretName: CREDENTIALS_SECRET } });
            expect(arrayAt(values(), "flyteadmin", "additionalVolumeMounts")).toContainEqual({ name: CREDENTIALS_SECRET, mountPath: CREDENTIALS_DIR, readOnly: true });
        });

        expected.more?.values?.();
    });

    test("the credentials Secret: declared in Flyte's namespace, its content a secret, and the release waits for it", () => {
        const secret = cp.declared(T.secret, CREDENTIALS_SECRET);
        expect(at(secret.inputs, "metadata", "namespace")).toBe(namespace());
        expect(secret.inputs.type).toBe("Opaque");
        // pulumi-kubernetes makes all of a Secret's stringData a Pulumi secret, so the plan shows neither the tokens nor
        // the keys: the keys the chart's pods read are credentialKeys (below), which the component's own test
        // (test/components/flyte/controlPlaneClusters.test.ts) holds the Secret to.
        expect(secret.inputs.stringData).toBe("[secret]");
        expect(secret.inputs.data).toBeUndefined();
        expect(release().dependencies).toContain(secret.urn);
        expect(secret.provider).toBe(release().provider);
    });

    describe("datacatalog for the data planes", () => {
        test(expected.datacatalog.title, () => {
            const service = cp.datacatalogService();
            expect(at(service.inputs, "metadata", "namespace")).toBe(namespace());
            expect(at(service.inputs, "spec", "type")).toBe("LoadBalancer");
            expected.datacatalog.checkLoadBalancer(service);
            const podRanges = dataPlanes.map(({ stack }) => cp.dataPlaneOutput(stack).podRange);
            expect(at(service.inputs, "spec", "loadBalancerSourceRanges")).toEqual(podRanges);
            // Each data plane's pod range as its own stack file sets it.
            expect(podRanges).toEqual(dataPlanes.map(({ stack }) => readStackSettings(stack).string(expected.datacatalog.podRangeSetting)));
        });

        test("selects datacatalog's pods as the chart renders them, on their gRPC port", () => {
            const service = cp.datacatalogService();
            const deployment = findDoc(docs(), "Deployment", "datacatalog", namespace());
            const podLabels = stringMapAt(deployment, "spec", "template", "metadata", "labels");
            expect(selects(stringMapAt(service.inputs, "spec", "selector"), podLabels)).toBe(true);
            const ports = arrayAt(service.inputs, "spec", "ports");
            expect(ports.map((p) => at(p, "port"))).toEqual([DATACATALOG_PORT]);
            // The chart's own datacatalog Service maps the same port to the same container port.
            const chartService = findDoc(docs(), "Service", "datacatalog", namespace());
            const chartGrpc = arrayAt(chartService, "spec", "ports").find((p) => at(p, "port") === DATACATALOG_PORT);
            expect(at(ports[0], "targetPort")).toBe(at(chartGrpc, "targetPort"));
            const containerPorts = arrayAt(deployment, "spec", "template", "spec", "containers", 0, "ports").map((p) => at(p, "containerPort"));
            expect(containerPorts).toContain(at(ports[0], "targetPort"));
        });
    });

    describe("execution routes", () => {
        /** The routes Job (components/flyte/executionRoutes.ts). */
        const job = () => byName(plan(), T.job, ROUTES_JOB);
        let calls: AdminCall[] | undefined;
        /** The Job's script run (once) against a curl that answers every request with success, as flyteadmin would. */
        const adminCalls = (): AdminCall[] => (calls ??= routesJobCalls(job()));

        test(`the stack's routes: ${expected.routes.settings.join(", ")}`, () => {
            expect(settings.strings("executionRoutes")).toEqual(expected.routes.settings);
        });

        test("the Job makes flyteadmin send each project-domain's executions where the routes say, the rest to the default", () => {
            expect(executionClusters(adminCalls(), { projects: cp.projects, domains: cp.domains, defaultCluster: cp.defaultCluster })).toEqual(expected.routes.executionClusters);
        });

        test("every route names a registered cluster, and the Job calls the flyteadmin Service the chart renders", () => {
            const clusters = arrayAt(values(), "configmap", "clusters", "clusterConfigs").map((c) => at(c, "name"));
            for (const call of adminCalls().filter((c) => c.method === "PUT")) {
                expect(clusters).toContain(at(call.body, "attributes", "matching_attributes", "execution_cluster_label", "value"));
            }
            for (const call of adminCalls()) {
                // The URL as the script has it (URL would drop the default port).
                const upstream = clusterServiceAddress(/^http:\/\/([^/]+)\//.exec(call.url)?.[1] ?? call.url);
                expect(upstream.namespace).toBe(namespace());
                const service = findDoc(docs(), "Service", upstream.service, namespace());
                expect(arrayAt(service, "spec", "ports").map((p) => at(p, "port"))).toContain(upstream.port);
            }
        });

        test("the Job runs once the release is installed, in Flyte's namespace", () => {
            expect(ofType(plan(), T.job).map((j) => j.name).sort()).toEqual([ROUTES_JOB, ...expected.routes.otherJobs].sort());
            expect(job().dependencies).toContain(release().urn);
            expect(at(job().inputs, "metadata", "namespace")).toBe(namespace());
        });
    });

    describe("the outputs", () => {
        expected.more?.outputs?.();

        test("no controlPlaneClientSecret: sign-in is off, so propeller needs no client", () => {
            expect(Object.keys(plan().outputs)).not.toContain("controlPlaneClientSecret");
            expect(cp.controlPlaneOutput().propellerClientId).toBeUndefined();
        });
    });

    test("reads exactly its two data planes' stacks, each through a StackReference that creates nothing", () => {
        const reads = plan().resources.filter((r) => r.read);
        expect(reads.map((r) => [r.type, r.name, r.inputs.name])).toEqual(expect.arrayContaining(dataPlanes.map(({ name, stack }) => [T.reference, `data-plane-${name}`, stack])));
        expect(reads).toHaveLength(dataPlanes.length);
        expect(ofType(plan(), T.reference)).toHaveLength(dataPlanes.length);
    });

    describe("the chart, rendered with the plan's values", () => {
        const workload = (name: string) => findDoc(docs(), "Deployment", name, namespace());
        /** The containers that read the clusters' credentials: flyteadmin's server and the cluster resource sync. */
        const readers = () => [
            { workload: workload("flyteadmin"), container: containerNamed(workload("flyteadmin"), "flyteadmin") },
            { workload: workload("syncresources"), container: containerNamed(workload("syncresources"), "sync-cluster-resources") },
        ];

        test("is the release the plan installs", () => {
            expect(release().inputs).toMatchObject({ chart: "flyte-core", name: RELEASE_NAME });
        });

        test("no flytepropeller, no pod webhook, no FlyteWorkflow CRD", () => {
            const names = docs().map((d) => `${d.kind} ${d.metadata.name}`);
            expect(names.filter((n) => /propeller|pod-webhook/.test(n))).toEqual([]);
            expect(findDocs(docs(), "CustomResourceDefinition")).toEqual([]);
            expect(findDocs(docs(), "MutatingWebhookConfiguration")).toEqual([]);
            // flyteadmin's pod has no init container that syncs clusters (one unreachable data plane must not stop it).
            const admin = workload("flyteadmin");
            expect(arrayAt(admin, "spec", "template", "spec", "initContainers").map((c) => at(c, "name"))).not.toContain("sync-cluster-resources");
        });

        test("flyteadmin and the cluster resource sync read the clusters config the values set", () => {
            for (const { workload: w, container } of readers()) {
                const config = configDirectory(docs(), w, container, namespace()).merged;
                expect([w.metadata.name, at(config, "clusters")]).toEqual([w.metadata.name, at(values(), "configmap", "clusters")]);
            }
        });

        test(`both find every token and CA file of the clusters in Secret ${CREDENTIALS_SECRET}, under its keys`, () => {
            for (const { workload: w, container } of readers()) {
                const clusters = arrayAt(configDirectory(docs(), w, container, namespace()).merged, "clusters", "clusterConfigs");
                const files = clusters.flatMap((c) => [stringAt(c, "auth", "tokenPath"), stringAt(c, "auth", "certPath")]);
                const read = files.map((file) => {
                    const { mount, relative } = mountContaining(container, file);
                    return `${mount.mountPath} ${String(at(podVolume(w, mount.name), "secret", "secretName"))}/${relative}`;
                });
                expect([w.metadata.name, read]).toEqual([w.metadata.name, credentialKeys.map((key) => `${CREDENTIALS_DIR} ${CREDENTIALS_SECRET}/${key}`)]);
            }
        });

        expected.more?.chart?.();
    });
}

// ---- A data plane ----

/** A data plane's shipped stack: its stack file, its shared plan and its control plane's, its release rendered. */
export interface DataPlaneStack {
    readonly stack: string;
    readonly settings: StackSettings;
    readonly controlPlaneStack: string;
    readonly plan: () => Plan;
    /** The control plane's shared plan. */
    readonly controlPlanePlan: () => Plan;
    /** The control plane's `controlPlane` output, from its shared plan. */
    readonly cp: () => JsonRecord;
    readonly release: () => RecordedResource;
    readonly values: () => JsonRecord;
    readonly namespace: () => string;
    /** The service-account token Secrets the stack declares. */
    readonly tokenSecrets: () => RecordedResource[];
    /** A key of the (one) token Secret as Kubernetes fills it (the mocks), decoded. */
    readonly tokenValue: (key: string) => string;
    readonly docs: () => K8sObject[];
}

/**
 * The data planes of a control plane, for the calling test file: loads the shared plans of all of them (a `beforeAll`
 * there), then renders each data plane's release once with `render`; `of(stack)` reads one of them.
 */
export function beforeAllDataPlanes<S extends string, R extends RenderedDocs>(
    controlPlaneStack: string,
    dataPlanes: readonly S[],
    render: (plan: Plan, stack: S) => R,
): { readonly planOf: (stack: string) => Plan; readonly cp: () => JsonRecord; readonly rendered: (stack: S) => R; readonly of: (stack: S) => DataPlaneStack } {
    const planOf = beforeAllPlans([controlPlaneStack, ...dataPlanes]);
    const rendered = new Map<S, R>();
    beforeAll(() => {
        for (const stack of dataPlanes) {
            rendered.set(stack, render(planOf(stack), stack));
        }
    });
    const cp = (): JsonRecord => recordAt(planOf(controlPlaneStack).outputs, "controlPlane");
    const renderedOf = (stack: S): R => {
        const found = rendered.get(stack);
        if (found === undefined) {
            throw new Error(`${stack}'s release was not rendered`);
        }
        return found;
    };
    const of = (stack: S): DataPlaneStack => {
        const plan = (): Plan => planOf(stack);
        const release = () => only(plan(), T.release);
        const tokenSecrets = () => ofType(plan(), T.secret).filter((s) => s.inputs.type === "kubernetes.io/service-account-token");
        return {
            stack,
            settings: readStackSettings(stack),
            controlPlaneStack,
            plan,
            controlPlanePlan: () => planOf(controlPlaneStack),
            cp,
            release,
            values: () => recordAt(release().inputs, "values"),
            namespace: () => stringAt(release().inputs, "namespace"),
            tokenSecrets,
            tokenValue: (key) => {
                const [token] = tokenSecrets();
                return Buffer.from(stringAt(recordAt(mocked(token).state, "data"), key), "base64").toString("utf8");
            },
            docs: () => renderedOf(stack).docs,
        };
    };
    return { planOf, cp, rendered: renderedOf, of };
}

/** What a data plane must do beyond what every cloud's does, for dataPlaneSuite. */
export interface DataPlaneExpectations {
    /** The type token of the stack's Kubernetes cluster (its name is the clusterName output). */
    readonly clusterType: string;
    /** flytepropeller's service account annotations that give it its cloud identity, at least. */
    readonly propellerIdentity: () => Readonly<Record<string, string>>;
    /** What flytepropeller's merged config says of its storage and raw outputs, and what it must say. */
    readonly propellerStorage: { readonly read: (config: JsonRecord) => JsonRecord; readonly expected: () => JsonRecord };
    /** The cloud's own tests, registered in the suite's describe blocks of the same subject. */
    readonly more?: {
        readonly values?: () => void;
        readonly outputs?: () => void;
        readonly chart?: () => void;
    };
}

/**
 * Registers the tests every cloud's data plane must pass: flyte-core with flytepropeller only, for the control plane
 * (its chart, namespace, flyteadmin and datacatalog), the control plane's flyteadmin here (its service account, the
 * four rules README lists, its token), the outputs a control plane reads, and the chart rendered with the plan's values.
 */
export function dataPlaneSuite(dp: DataPlaneStack, expected: DataPlaneExpectations): void {
    const { plan, cp, values, release, namespace, docs } = dp;
    const one = (type: string) => only(plan(), type);

    describe("flyte-core with flytepropeller only, for the control plane", () => {
        test("the control plane's chart and namespace; everything but flytepropeller and its webhook off", () => {
            expect(release().inputs).toMatchObject({ chart: "flyte-core", version: cp().chartVersion, namespace: cp().flyteNamespace, repositoryOpts: { repo: cp().chartRepository } });
            const enabled = Object.fromEntries(
                ["flyteadmin", "datacatalog", "flyteconsole", "flyteconnector", "cluster_resource_manager", "workflow_scheduler", "flytepropeller", "webhook"].map((c) => [c, at(values(), c, "enabled")]),
            );
            expect(enabled).toEqual({
                flyteadmin: false,
                datacatalog: false,
                flyteconsole: false,
                flyteconnector: false,
                cluster_resource_manager: false,
                workflow_scheduler: false,
                flytepropeller: true,
                webhook: true,
            });
        });

        test("propeller reports to the control plane's flyteadmin and caches through its datacatalog", () => {
            expect(at(values(), "configmap", "admin", "admin")).toEqual(cp().admin);
            expect(at(values(), "configmap", "catalog", "catalog-cache")).toEqual({ ...recordAt(cp(), "datacatalog"), type: "datacatalog" });
        });

        expected.more?.values?.();
    });

    describe("the control plane's flyteadmin here", () => {
        test(`the ServiceAccount ${ADMIN_SERVICE_ACCOUNT} in Flyte's namespace, mounting no token`, () => {
            const accounts = ofType(plan(), T.serviceAccount);
            expect(accounts.map((a) => at(a.inputs, "metadata"))).toEqual([expect.objectContaining({ name: ADMIN_SERVICE_ACCOUNT, namespace: namespace() })]);
            expect(accounts[0].inputs.automountServiceAccountToken).toBe(false);
        });

        test("a ClusterRole of exactly the four rules README lists, bound to that service account only", () => {
            const role = one(T.clusterRole);
            const roleName = `flyte-control-plane-${namespace()}`;
            expect(at(role.inputs, "metadata", "name")).toBe(roleName);
            expect(role.inputs.rules).toEqual(CONTROL_PLANE_RULES);
            const binding = one(T.clusterRoleBinding);
            expect(at(binding.inputs, "metadata", "name")).toBe(roleName);
            expect(binding.inputs.roleRef).toEqual({ apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: roleName });
            expect(binding.inputs.subjects).toEqual([{ kind: "ServiceAccount", name: ADMIN_SERVICE_ACCOUNT, namespace: namespace() }]);
        });

        test("one token Secret, of generation 1, for that service account, created after it", () => {
            expect(dp.settings.integer("dataPlaneTokenGeneration")).toBe(1);
            const secrets = dp.tokenSecrets();
            expect(secrets.map((s) => at(s.inputs, "metadata"))).toEqual([
                expect.objectContaining({
                    name: `${ADMIN_SERVICE_ACCOUNT}-token-1`,
                    namespace: namespace(),
                    annotations: { "kubernetes.io/service-account.name": ADMIN_SERVICE_ACCOUNT },
                }),
            ]);
            expect(secrets[0].dependencies).toContain(one(T.serviceAccount).urn);
            // No other Secret: without sign-in, propeller needs no client secret.
            expect(ofType(plan(), T.secret)).toHaveLength(1);
        });
    });

    describe("the outputs", () => {
        test("exactly kubeconfig, clusterName, dataPlane and dataPlaneToken, the token and kubeconfig secret", () => {
            expect(Object.keys(plan().outputs).sort()).toEqual(["clusterName", "dataPlane", "dataPlaneToken", "kubeconfig"]);
            expect(plan().outputs.kubeconfig).toBe("[secret]");
            expect(plan().outputs.dataPlaneToken).toBe("[secret]");
            expect(plan().outputs.clusterName).toBe(stringAt(one(expected.clusterType).inputs, "name"));
            expect(referencedStack(plan()).secretOutputNames).toEqual(["dataPlaneToken", "kubeconfig"]);
        });

        test("dataPlaneToken: what a stack reference reads is the current generation's token, as Kubernetes fills it", () => {
            expect(referencedStack(plan()).outputs.dataPlaneToken).toBe(dp.tokenValue("token"));
        });

        expected.more?.outputs?.();
    });

    describe("the chart, rendered with the plan's values", () => {
        test("renders flytepropeller, its pod webhook and the FlyteWorkflow CRD, nothing else", () => {
            expect(release().inputs.name).toBe(RELEASE_NAME);
            expect(docs().map((d) => `${d.kind} ${d.metadata.name}`).sort()).toEqual(DATA_PLANE_CHART_OBJECTS);
        });

        test("flytepropeller reads the control plane's endpoints and buckets as its config, and runs as its cloud identity", () => {
            const deployment = findDoc(docs(), "Deployment", "flytepropeller", namespace());
            const config = configDirectory(docs(), deployment, containerNamed(deployment, "flytepropeller"), namespace()).merged;
            expect({
                admin: { endpoint: at(config, "admin", "endpoint"), insecure: at(config, "admin", "insecure") },
                catalog: at(config, "catalog-cache"),
                ...expected.propellerStorage.read(config),
            }).toEqual({
                admin: cp().admin,
                catalog: { ...recordAt(cp(), "datacatalog"), type: "datacatalog" },
                ...expected.propellerStorage.expected(),
            });
            const account = findDoc(docs(), "ServiceAccount", "flytepropeller", namespace());
            expect(stringMapAt(account, "metadata", "annotations")).toMatchObject(expected.propellerIdentity());
        });

        expected.more?.chart?.();
    });
}
