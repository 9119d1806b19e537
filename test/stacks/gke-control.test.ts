/**
 * Pulumi.gke-control.yaml: the control plane of a multi-cluster Flyte (README "Beyond one cluster"), as the last step
 * of its first deployment leaves it: both data planes (gke-gpu, gke-batch) deployed and registered. Its shared plan
 * read the data planes' own shared plans as stack references (lib/plan/references.ts), so what it says about them is
 * checked against what those plans publish; its Flyte release is rendered once with the real chart. What every cloud's
 * control plane must do: controlPlaneSuite (test/helpers/multiClusterStacks.ts); here, GKE's own. The order of the
 * first deployment (control plane before its data planes): multiCluster.firstDeployment.test.ts.
 */
import { renderFlyteRelease } from "../helpers/helm";
import { arrayAt, at, recordAt, stringAt, stringMapAt } from "../helpers/json";
import { beforeAllControlPlane, controlPlaneSuite, DATACATALOG_PORT } from "../helpers/multiClusterStacks";
import { byName, mocked, ofType, only } from "../helpers/plan";
import { readStackSettings } from "../helpers/stackSettings";

const STACK = "gke-control";

/** The data planes as the stack file lists them (`<name>=<stack>`), in its order. */
const DATA_PLANES = readStackSettings(STACK)
    .strings("dataPlanes")
    .map((entry) => {
        const [name, stack] = entry.split("=");
        return { name, stack };
    });

const T = {
    service: "kubernetes:core/v1:Service",
    account: "gcp:serviceaccount/account:Account",
    wiMember: "gcp:serviceaccount/iAMMember:IAMMember",
    subnet: "gcp:compute/subnetwork:Subnetwork",
    network: "gcp:compute/network:Network",
    psaRange: "gcp:compute/globalAddress:GlobalAddress",
} as const;

const cp = beforeAllControlPlane(STACK, DATA_PLANES, (plan) => renderFlyteRelease(plan));
const { settings, plan, values, release, namespace } = cp;

controlPlaneSuite(cp, {
    stackFile: {
        title: "the stack file: a flyte-core control plane on GKE with two data planes, a default cluster and routes",
        dataPlanes: [
            { name: "gpu", stack: "gke-gpu" },
            { name: "batch", stack: "gke-batch" },
        ],
        defaultCluster: "batch",
    },
    datacatalog: {
        title: "an internal load balancer Service, reachable from every region, that only the data planes' pods may reach",
        podRangeSetting: "podsCidr",
        checkLoadBalancer: (service) => {
            expect(stringMapAt(service.inputs, "metadata", "annotations")).toMatchObject({
                "networking.gke.io/load-balancer-type": "Internal",
                "networking.gke.io/internal-load-balancer-allow-global-access": "true",
            });
        },
    },
    routes: {
        otherJobs: [],
        settings: ["ml=gpu", "analytics/development=gpu"],
        executionClusters: {
            "ml/development": "gpu",
            "ml/staging": "gpu",
            "ml/production": "gpu",
            "analytics/development": "gpu",
            "analytics/staging": cp.defaultCluster,
            "analytics/production": cp.defaultCluster,
        },
    },
    more: {
        outputs: () => {
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
                const ingress = arrayAt(mocked(cp.datacatalogService()).state, "status", "loadBalancer", "ingress");
                const identities = recordAt(outputs, "identities");
                expect(cp.controlPlaneOutput()).toEqual({
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
                    projects: cp.projects,
                    domains: cp.domains,
                    domainNames: Object.fromEntries(cp.domains.map((d) => [d, d])),
                    namespaceTemplate: settings.string("namespaceTemplate"),
                    chartVersion: stringAt(release().inputs, "version"),
                    chartRepository: stringAt(release().inputs, "repositoryOpts", "repo"),
                });
                expect(outputs.grpcEndpoint).toBe(`${stringAt(byName(plan(), T.service, "flyte-endpoint").inputs, "spec", "loadBalancerIP")}:8089`);
            });
        },
    },
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
