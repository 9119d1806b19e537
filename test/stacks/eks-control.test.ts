/**
 * Pulumi.eks-control.yaml: the control plane of a multi-cluster Flyte on EKS (README "On AWS: one VPC, one account,
 * trust across clusters"), as the last step of its first deployment leaves it: both data planes (eks-batch, eks-spot)
 * deployed and registered. Its shared plan read the data planes' own shared plans as stack references
 * (lib/plan/references.ts), so what it says about them (API endpoints, pod ranges, OIDC providers) is checked against
 * what those plans publish; its Flyte release is rendered once with the real chart. What every cloud's control plane
 * must do: controlPlaneSuite (test/helpers/multiClusterStacks.ts, with gke-control.test.ts); here, EKS's own. The first
 * deployment on AWS: multiCluster.aws.firstDeployment.test.ts.
 */
import { MOCK_AWS_ACCOUNT } from "../../lib/plan/mocks";
import type { RecordedResource } from "../../lib/plan/monitor";
import { serviceAccountSubject, webIdentityTrust } from "../helpers/aws";
import { renderCoreValues } from "../helpers/coreChart";
import { listedDataPlanes, type OidcProvider, planOidcProvider, roleWithArn } from "../helpers/eksMultiCluster";
import { flyteProjectNamespaces } from "../helpers/flyte";
import { irsaTrustAllows, serviceAccountToken } from "../helpers/irsaTrust";
import { arrayAt, at, recordAt, stringAt, stringMapAt } from "../helpers/json";
import { planObjects, schemaReport } from "../helpers/kubernetesSchemas";
import { beforeAllControlPlane, controlPlaneSuite, DATACATALOG_PORT } from "../helpers/multiClusterStacks";
import { byName, mapOutput, mocked, ofType, only } from "../helpers/plan";

const STACK = "eks-control";
const DATA_PLANES = listedDataPlanes(STACK);

// Spelled out here rather than imported from the program, so that a change on either side shows up as a failure.
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
/** The service account task pods run as in every project-domain namespace (the cluster resource sync annotates it). */
const TASK_SERVICE_ACCOUNT = "default";
/** Flyte's own services' Kubernetes service accounts, by the identity key of the `identities` output. */
const FLYTE_SERVICE_ACCOUNTS = { flyteadmin: "flyteadmin", datacatalog: "datacatalog", flytescheduler: "flytescheduler" } as const;

const T = {
    service: "kubernetes:core/v1:Service",
    vpc: "aws:ec2/vpc:Vpc",
    igw: "aws:ec2/internetGateway:InternetGateway",
    cluster: "aws:eks/cluster:Cluster",
    role: "aws:iam/role:Role",
} as const;

const cp = beforeAllControlPlane(STACK, DATA_PLANES, (plan) => {
    const flyte = only(plan, "kubernetes:helm.sh/v3:Release");
    return renderCoreValues(recordAt(flyte.inputs, "values"), stringAt(flyte.inputs, "namespace"), STACK);
});
const { settings, plan, planOf, values, release, namespace, dataPlaneOutput, controlPlaneOutput, datacatalogService } = cp;
const PROJECTS = cp.projects;
const DOMAINS = cp.domains;
const DEFAULT_CLUSTER = cp.defaultCluster;
/** A load balancer Service's address as the cloud reports it (the mocks: an internal NLB's DNS name). */
const loadBalancerHost = (service: RecordedResource) => stringAt(arrayAt(mocked(service).state, "status", "loadBalancer", "ingress")[0], "hostname");
/** The OIDC providers task pods' tokens may come through: this cluster's, then each data plane's, in config order. */
const clusterProviders = (): OidcProvider[] => [
    planOidcProvider(plan()),
    ...DATA_PLANES.map(({ stack }) => ({ oidcProviderArn: stringAt(dataPlaneOutput(stack), "oidcProviderArn"), issuer: stringAt(dataPlaneOutput(stack), "oidcIssuer") })),
];

controlPlaneSuite(cp, {
    stackFile: {
        title: "the stack file: a flyte-core control plane on EKS with project isolation, two data planes, a default cluster and a route",
        dataPlanes: [
            { name: "batch", stack: "eks-batch" },
            { name: "spot", stack: "eks-spot" },
        ],
        defaultCluster: "batch",
        check: () => {
            expect(settings.string("cloud")).toBe("aws");
            expect(settings.boolean("projectIsolation")).toBe(true);
            expect(settings.string("dnsName")).toBe("");
        },
    },
    datacatalog: {
        title: "an internal NLB Service that only the data planes' blocks may reach",
        // Each data plane's pods take their addresses from the block its own stack file adds to the VPC (the VPC CNI).
        podRangeSetting: "awsVpcCidr",
        checkLoadBalancer: (service) => {
            expect(stringMapAt(service.inputs, "metadata", "annotations")).toEqual(INTERNAL_NLB_ANNOTATIONS);
            // The same kind of load balancer as flyteadmin's endpoint (no dnsName: an internal NLB too).
            expect(stringMapAt(byName(plan(), T.service, "flyte-endpoint").inputs, "metadata", "annotations")).toEqual(INTERNAL_NLB_ANNOTATIONS);
        },
    },
    routes: {
        // With project isolation: the Job that sets each project's data location (components/flyte/projectDataLocations.ts).
        otherJobs: ["flyte-project-data-job"],
        settings: ["analytics=spot"],
        executionClusters: {
            "ml/development": DEFAULT_CLUSTER,
            "ml/staging": DEFAULT_CLUSTER,
            "ml/production": DEFAULT_CLUSTER,
            "analytics/development": "spot",
            "analytics/staging": "spot",
            "analytics/production": "spot",
        },
    },
    more: {
        values: () => {
            test("each data plane's API endpoint is its EKS cluster's, as its own plan reports it", () => {
                for (const { stack } of DATA_PLANES) {
                    expect(dataPlaneOutput(stack).apiEndpoint).toBe(mocked(only(planOf(stack), T.cluster)).state.endpoint);
                }
            });
        },
        outputs: () => {
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
                    vpcCidr: vpc.inputs.cidrBlock,
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
        },
        chart: () => {
            test("every object it renders, and every Kubernetes object the program declares, passes the Kubernetes schemas, strictly", () => {
                expect(cp.rendered().problems).toEqual([]);
                const objects = planObjects(plan());
                const report = schemaReport(objects.documents, { placeholder: (v) => v === "[secret]" });
                expect([...objects.problems, ...report.problems, ...report.freeForm]).toEqual([]);
                expect(report.validated).toBe(objects.documents.length);
            });
        },
    },
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
