/**
 * Pulumi.eks-control.yaml: the control plane of a multi-cluster Flyte on EKS (README "On AWS: one VPC, one account,
 * trust across clusters"), as the last step of its first deployment leaves it: both data planes (eks-batch, eks-spot)
 * deployed and registered. Its shared plan read the data planes' own shared plans as stack references
 * (lib/plan/references.ts), so what it says about them (API endpoints, pod ranges, OIDC providers) is checked against
 * what those plans publish; its Flyte release is rendered once with the real chart. The GKE counterpart:
 * gke-control.test.ts; the first deployment on AWS: multiCluster.aws.firstDeployment.test.ts.
 */
import { MOCK_AWS_ACCOUNT } from "../../lib/plan/mocks";
import type { RecordedResource } from "../../lib/plan/monitor";
import type { Plan } from "../../lib/plan/runPlan";
import { serviceAccountSubject, webIdentityTrust } from "../helpers/aws";
import { clusterServiceAddress, type RenderedCoreValues, renderCoreValues } from "../helpers/coreChart";
import { listedDataPlanes, type OidcProvider, planOidcProvider, roleWithArn } from "../helpers/eksMultiCluster";
import { executionClusters, routesJobCalls, type AdminCall } from "../helpers/executionRoutes";
import { configDirectory, containerNamed, flyteProjectNamespaces } from "../helpers/flyte";
import { findDoc, findDocs, mountContaining, podVolume, selects } from "../helpers/helm";
import { irsaTrustAllows, serviceAccountToken } from "../helpers/irsaTrust";
import { arrayAt, at, type JsonRecord, recordAt, stringAt, stringMapAt } from "../helpers/json";
import { planObjects, schemaReport } from "../helpers/kubernetesSchemas";
import { byName, mapOutput, mocked, ofType, only } from "../helpers/plan";
import { beforeAllPlans } from "../helpers/sharedPlans";
import { readStackSettings } from "../helpers/stackSettings";

const STACK = "eks-control";
const settings = readStackSettings(STACK);
const DATA_PLANES = listedDataPlanes(STACK);
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
const FLYTE_GRPC_PORT = 8089;
/**
 * What makes the in-tree AWS cloud provider create an internal Network Load Balancer for a Service, across zones
 * (components/aws/awsPlatform.ts internalNlbAnnotations; Kubernetes "Service" docs, "Network Load Balancer support on
 * AWS"). Spelled out: importing the program's function would load the Pulumi SDK, a second of this file's run.
 */
const INTERNAL_NLB_ANNOTATIONS = {
    "service.beta.kubernetes.io/aws-load-balancer-type": "nlb",
    "service.beta.kubernetes.io/aws-load-balancer-internal": "true",
    "service.beta.kubernetes.io/aws-load-balancer-cross-zone-load-balancing-enabled": "true",
};
/** The release flyte-core is installed as (renderCoreValues renders it under this name). */
const RELEASE_NAME = "flyte-core";
/** The service account task pods run as in every project-domain namespace (the cluster resource sync annotates it). */
const TASK_SERVICE_ACCOUNT = "default";
/** Flyte's own services' Kubernetes service accounts, by the identity key of the `identities` output. */
const FLYTE_SERVICE_ACCOUNTS = { flyteadmin: "flyteadmin", datacatalog: "datacatalog", flytescheduler: "flytescheduler" } as const;

const T = {
    release: "kubernetes:helm.sh/v3:Release",
    secret: "kubernetes:core/v1:Secret",
    service: "kubernetes:core/v1:Service",
    job: "kubernetes:batch/v1:Job",
    vpc: "aws:ec2/vpc:Vpc",
    igw: "aws:ec2/internetGateway:InternetGateway",
    cluster: "aws:eks/cluster:Cluster",
    role: "aws:iam/role:Role",
    reference: "pulumi:pulumi:StackReference",
} as const;

const planOf = beforeAllPlans([STACK, ...DATA_PLANES.map((d) => d.stack)]);
const plan = (): Plan => planOf(STACK);
let rendered: RenderedCoreValues;
beforeAll(() => {
    rendered = renderCoreValues(values(), namespace(), STACK);
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
/** A load balancer Service's address as the cloud reports it (the mocks: an internal NLB's DNS name). */
const loadBalancerHost = (service: RecordedResource) => stringAt(arrayAt(mocked(service).state, "status", "loadBalancer", "ingress")[0], "hostname");
/** The OIDC providers task pods' tokens may come through: this cluster's, then each data plane's, in config order. */
const clusterProviders = (): OidcProvider[] => [
    planOidcProvider(plan()),
    ...DATA_PLANES.map(({ stack }) => ({ oidcProviderArn: stringAt(dataPlaneOutput(stack), "oidcProviderArn"), issuer: stringAt(dataPlaneOutput(stack), "oidcIssuer") })),
];

test("the stack file: a flyte-core control plane on EKS with project isolation, two data planes, a default cluster and a route", () => {
    expect(settings.string("cloud")).toBe("aws");
    expect(settings.string("clusterRole")).toBe("controlPlane");
    expect(settings.string("flavor")).toBe("core");
    expect(settings.boolean("projectIsolation")).toBe(true);
    expect(DATA_PLANES).toEqual([
        { name: "batch", stack: "eks-batch" },
        { name: "spot", stack: "eks-spot" },
    ]);
    expect(DEFAULT_CLUSTER).toBe("batch");
    expect(settings.boolean("controlPlanePropeller")).toBe(false);
    expect(settings.string("authentication")).toBe("none");
    expect(settings.string("dnsName")).toBe("");
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
            // Each data plane's EKS endpoint, as its own plan's cluster reports it.
            expect(dataPlaneOutput(stack).apiEndpoint).toBe(mocked(only(planOf(stack), T.cluster)).state.endpoint);
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
    // The plan hides a Secret's stringData (pulumi-kubernetes makes it secret): the keys the chart's pods read are
    // CREDENTIAL_KEYS (below), which test/components/flyte/controlPlaneClusters.test.ts holds the Secret to.
    expect(secret.inputs.stringData).toBe("[secret]");
    expect(secret.inputs.data).toBeUndefined();
    expect(release().dependencies).toContain(secret.urn);
    expect(secret.provider).toBe(release().provider);
});

describe("datacatalog for the data planes", () => {
    test("an internal NLB Service that only the data planes' blocks may reach", () => {
        const service = datacatalogService();
        expect(at(service.inputs, "metadata", "namespace")).toBe(namespace());
        expect(at(service.inputs, "spec", "type")).toBe("LoadBalancer");
        expect(stringMapAt(service.inputs, "metadata", "annotations")).toEqual(INTERNAL_NLB_ANNOTATIONS);
        // The same kind of load balancer as flyteadmin's endpoint (no dnsName: an internal NLB too).
        expect(stringMapAt(byName(plan(), T.service, "flyte-endpoint").inputs, "metadata", "annotations")).toEqual(INTERNAL_NLB_ANNOTATIONS);
        const podRanges = DATA_PLANES.map(({ stack }) => dataPlaneOutput(stack).podRange);
        expect(at(service.inputs, "spec", "loadBalancerSourceRanges")).toEqual(podRanges);
        // Each data plane's pods take their addresses from the block its own stack file adds to the VPC (the VPC CNI).
        expect(podRanges).toEqual(DATA_PLANES.map(({ stack }) => readStackSettings(stack).string("awsVpcCidr")));
    });

    test("selects datacatalog's pods as the chart renders them, on their gRPC port", () => {
        const service = datacatalogService();
        const deployment = findDoc(rendered.docs, "Deployment", "datacatalog", namespace());
        const podLabels = stringMapAt(deployment, "spec", "template", "metadata", "labels");
        expect(selects(stringMapAt(service.inputs, "spec", "selector"), podLabels)).toBe(true);
        const ports = arrayAt(service.inputs, "spec", "ports");
        expect(ports.map((p) => at(p, "port"))).toEqual([DATACATALOG_PORT]);
        const chartService = findDoc(rendered.docs, "Service", "datacatalog", namespace());
        const chartGrpc = arrayAt(chartService, "spec", "ports").find((p) => at(p, "port") === DATACATALOG_PORT);
        expect(at(ports[0], "targetPort")).toBe(at(chartGrpc, "targetPort"));
        const containerPorts = arrayAt(deployment, "spec", "template", "spec", "containers", 0, "ports").map((p) => at(p, "containerPort"));
        expect(containerPorts).toContain(at(ports[0], "targetPort"));
    });
});

describe("execution routes", () => {
    const job = () => byName(plan(), T.job, "flyte-routes-job");
    let calls: AdminCall[] | undefined;
    /** The Job's script run (once) against a curl that answers every request with success, as flyteadmin would. */
    const adminCalls = (): AdminCall[] => (calls ??= routesJobCalls(job()));

    test("the stack's routes: analytics to spot", () => {
        expect(settings.strings("executionRoutes")).toEqual(["analytics=spot"]);
    });

    test("the Job makes flyteadmin send each project-domain's executions where the routes say, the rest to the default", () => {
        expect(executionClusters(adminCalls(), { projects: PROJECTS, domains: DOMAINS, defaultCluster: DEFAULT_CLUSTER })).toEqual({
            "ml/development": DEFAULT_CLUSTER,
            "ml/staging": DEFAULT_CLUSTER,
            "ml/production": DEFAULT_CLUSTER,
            "analytics/development": "spot",
            "analytics/staging": "spot",
            "analytics/production": "spot",
        });
    });

    test("every route names a registered cluster, and the Job calls the flyteadmin Service the chart renders", () => {
        const clusters = arrayAt(values(), "configmap", "clusters", "clusterConfigs").map((c) => at(c, "name"));
        for (const call of adminCalls().filter((c) => c.method === "PUT")) {
            expect(clusters).toContain(at(call.body, "attributes", "matching_attributes", "execution_cluster_label", "value"));
        }
        for (const call of adminCalls()) {
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

describe("IRSA: the task roles trust every cluster's OIDC provider, Flyte's own roles only this cluster's", () => {
    const projectRole = (project: string) => roleWithArn(plan(), mapOutput(plan(), "projectWorkerServiceAccounts")[project]);
    const trustPolicy = (role: RecordedResource) => stringAt(role.inputs, "assumeRolePolicy");
    /** The `default` service accounts of a project's namespaces (one per domain). */
    const taskNamespaces = (project: string) => flyteProjectNamespaces(settings.string("namespaceTemplate"), [project], DOMAINS);

    test("one role per project (project isolation), no shared worker, no flytepropeller role", () => {
        expect(Object.keys(mapOutput(plan(), "projectWorkerServiceAccounts")).sort()).toEqual([...PROJECTS].sort());
        expect(Object.keys(mapOutput(plan(), "identities")).sort()).toEqual([...Object.keys(FLYTE_SERVICE_ACCOUNTS), ...PROJECTS.map((p) => `worker-${p}`)].sort());
        const roleNames = ofType(plan(), T.role).map((r) => String(r.inputs.name));
        expect(roleNames.filter((n) => n.includes("propeller"))).toEqual([]);
        expect(at(values(), "flytepropeller", "serviceAccount", "annotations")).toEqual({});
    });

    test.each(PROJECTS)("%s's role: a statement per cluster (its own, then each data plane's), each for the project's namespaces' default service accounts", (project) => {
        const subjects = taskNamespaces(project)
            .map((ns) => serviceAccountSubject(ns, TASK_SERVICE_ACCOUNT))
            .sort();
        const statements = webIdentityTrust(trustPolicy(projectRole(project)), `${project}'s role`);
        expect(statements.map((s) => ({ federated: s.federated, issuer: s.issuer, subjects: [...s.subjects].sort(), audiences: s.audiences, actions: s.actions }))).toEqual(
            clusterProviders().map((p) => ({ federated: p.oidcProviderArn, issuer: p.issuer, subjects, audiences: ["sts.amazonaws.com"], actions: ["sts:AssumeRoleWithWebIdentity"] })),
        );
        expect(statements).toHaveLength(1 + DATA_PLANES.length);
    });

    test.each(PROJECTS)("%s's role, as STS decides: the project's task pods in every cluster, nothing else", (project) => {
        const trust = trustPolicy(projectRole(project));
        const providers = clusterProviders();
        for (const provider of providers) {
            for (const ns of taskNamespaces(project)) {
                expect([provider.issuer, ns, irsaTrustAllows(trust, serviceAccountToken(provider, ns, TASK_SERVICE_ACCOUNT))]).toEqual([provider.issuer, ns, true]);
            }
            const others = PROJECTS.filter((p) => p !== project).flatMap(taskNamespaces);
            const denied = [
                ...others.map((ns) => serviceAccountToken(provider, ns, TASK_SERVICE_ACCOUNT)),
                serviceAccountToken(provider, namespace(), "flytepropeller"),
                serviceAccountToken(provider, taskNamespaces(project)[0], "flytepropeller"),
            ];
            expect(denied.filter((token) => irsaTrustAllows(trust, token)).map((t) => t.sub)).toEqual([]);
        }
        // A cluster of the account that no stack registered.
        const unregistered = (text: string) => text.replace(/[0-9A-F]{32}$/, "F".repeat(32));
        const stranger = { oidcProviderArn: unregistered(providers[0].oidcProviderArn), issuer: unregistered(providers[0].issuer) };
        expect(providers.map((p) => p.issuer)).not.toContain(stranger.issuer);
        expect(irsaTrustAllows(trust, serviceAccountToken(stranger, taskNamespaces(project)[0], TASK_SERVICE_ACCOUNT))).toBe(false);
    });

    test.each(PROJECTS)("%s's trust policy fits IAM's trust policy length (flyte:awsTrustPolicyMaxLength)", (project) => {
        // IAM does not count white space (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html).
        const size = trustPolicy(projectRole(project)).replace(/\s/g, "").length;
        expect(size).toBeLessThanOrEqual(settings.integer("awsTrustPolicyMaxLength"));
    });

    test.each(Object.entries(FLYTE_SERVICE_ACCOUNTS))("%s's role trusts only this cluster's service account flyte/%s", (identity, serviceAccount) => {
        const role = roleWithArn(plan(), mapOutput(plan(), "identities")[identity]);
        const [own, ...dataPlanes] = clusterProviders();
        const statements = webIdentityTrust(trustPolicy(role), `${identity}'s role`);
        expect(statements.map((s) => [s.federated, s.subjects])).toEqual([[own.oidcProviderArn, [serviceAccountSubject(namespace(), serviceAccount)]]]);
        expect(irsaTrustAllows(trustPolicy(role), serviceAccountToken(own, namespace(), serviceAccount))).toBe(true);
        for (const provider of dataPlanes) {
            expect(irsaTrustAllows(trustPolicy(role), serviceAccountToken(provider, namespace(), serviceAccount))).toBe(false);
        }
    });
});

describe("the outputs", () => {
    test("controlPlane: the VPC, gateway, cluster security group and ranges data planes join; flyteadmin, datacatalog, buckets, identities, projects", () => {
        const outputs = plan().outputs;
        const vpc = only(plan(), T.vpc);
        const cluster = mocked(only(plan(), T.cluster)).state;
        const projectBuckets = Object.fromEntries(
            Object.entries(mapOutput(plan(), "projectDataLocations")).map(([project, location]) => [project, /^s3:\/\/([^/]+)\//.exec(location)?.[1]]),
        );
        expect(controlPlaneOutput()).toEqual({
            cloud: "aws",
            awsAccountId: MOCK_AWS_ACCOUNT,
            region: settings.provider("aws:region"),
            adminGlobalAccess: false,
            vpcId: mocked(vpc).id,
            internetGatewayId: mocked(only(plan(), T.igw)).id,
            clusterSecurityGroupId: stringAt(cluster, "vpcConfig", "clusterSecurityGroupId"),
            clientRanges: [vpc.inputs.cidrBlock],
            networkRanges: [vpc.inputs.cidrBlock, stringAt(cluster, "kubernetesNetworkConfig", "serviceIpv4Cidr")],
            flyteNamespace: namespace(),
            admin: { endpoint: outputs.grpcEndpoint, insecure: true },
            datacatalog: { endpoint: `${loadBalancerHost(datacatalogService())}:${DATACATALOG_PORT}`, insecure: true },
            metadataBucket: outputs.metadataBucket,
            userDataBucket: outputs.userDataBucket,
            projectBuckets,
            projectIsolation: true,
            identities: { flyteadmin: mapOutput(plan(), "identities").flyteadmin, projectWorkers: mapOutput(plan(), "projectWorkerServiceAccounts") },
            projects: PROJECTS,
            domains: DOMAINS,
            domainNames: Object.fromEntries(DOMAINS.map((d) => [d, d])),
            namespaceTemplate: settings.string("namespaceTemplate"),
            chartVersion: stringAt(release().inputs, "version"),
            chartRepository: stringAt(release().inputs, "repositoryOpts", "repo"),
        });
        expect(vpc.inputs.cidrBlock).toBe(settings.string("awsVpcCidr"));
        expect(Object.keys(projectBuckets).sort()).toEqual([...PROJECTS].sort());
        // flyteadmin's internal NLB, as the mocks report its DNS name.
        expect(outputs.grpcEndpoint).toBe(`${loadBalancerHost(byName(plan(), T.service, "flyte-endpoint"))}:${FLYTE_GRPC_PORT}`);
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

    test("is the release the plan installs", () => {
        expect(release().inputs).toMatchObject({ chart: "flyte-core", name: RELEASE_NAME });
    });

    test("no flytepropeller, no pod webhook, no FlyteWorkflow CRD", () => {
        const names = rendered.docs.map((d) => `${d.kind} ${d.metadata.name}`);
        expect(names.filter((n) => /propeller|pod-webhook/.test(n))).toEqual([]);
        expect(findDocs(rendered.docs, "CustomResourceDefinition")).toEqual([]);
        expect(findDocs(rendered.docs, "MutatingWebhookConfiguration")).toEqual([]);
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

    test("every object it renders, and every Kubernetes object the program declares, passes the Kubernetes schemas, strictly", () => {
        expect(rendered.problems).toEqual([]);
        const objects = planObjects(plan());
        const report = schemaReport(objects.documents, { placeholder: (v) => v === "[secret]" });
        expect([...objects.problems, ...report.problems, ...report.freeForm]).toEqual([]);
        expect(report.validated).toBe(objects.documents.length);
    });
});
