/**
 * Pulumi.eks-batch.yaml and Pulumi.eks-spot.yaml: the data planes of the control plane eks-control (README "On AWS:
 * one VPC, one account, trust across clusters"), each an EKS cluster on a CIDR block of its own in the control plane's
 * VPC, running flytepropeller for it. Each shared plan read the control plane's outputs as the first deployment gives
 * them (the control plane planned before its data planes, lib/plan/references.ts); what a data plane uses of the
 * control plane is checked here against eks-control's own shared plan (so the control plane's output must not change
 * when it registers its data planes). Each data plane's Flyte release is rendered once with the real chart. What every
 * cloud's data plane must do: dataPlaneSuite (test/helpers/multiClusterStacks.ts, with gke-data-planes.test.ts);
 * here, EKS's own. A data plane planned before its control plane, or against one it cannot join:
 * multiCluster.aws.firstDeployment.test.ts.
 */
import type { RecordedResource } from "../../lib/plan/monitor";
import { parseIpv4Cidr, rangeContains, routeTableOf, serviceAccountSubject, subnetsOf, webIdentityTrust } from "../helpers/aws";
import { renderCoreValues } from "../helpers/coreChart";
import { crossStackS3Allows, listedDataPlanes, planOidcProvider, roleWithArn } from "../helpers/eksMultiCluster";
import { flyteProjectNamespaces, mergedOneKeyMaps } from "../helpers/flyte";
import { irsaTrustAllows, serviceAccountToken } from "../helpers/irsaTrust";
import { arrayAt, at, recordAt, stringAt, stringMapAt } from "../helpers/json";
import { planObjects, schemaReport } from "../helpers/kubernetesSchemas";
import { ADMIN_SERVICE_ACCOUNT, beforeAllDataPlanes, FLYTE_DATA_PLANE_TYPES, dataPlaneSuite, overlappingRanges } from "../helpers/multiClusterStacks";
import { mocked, ofType, only, transitiveDependencies } from "../helpers/plan";
import { readStackSettings } from "../helpers/stackSettings";
import type { StorageRequest } from "../helpers/storageAccess";

const CONTROL_PLANE = "eks-control";
const DATA_PLANES = ["eks-batch", "eks-spot"] as const;
type DataPlane = (typeof DATA_PLANES)[number];

// Spelled out here rather than imported from the program, so that a change on either side shows up as a failure.
const IRSA_ANNOTATION = "eks.amazonaws.com/role-arn";
const PROPELLER_SERVICE_ACCOUNT = "flytepropeller";
/** As in the flyte-binary chart's EKS examples: task pods give up on the instance metadata service quickly. */
const TASK_ENVIRONMENT = { AWS_METADATA_SERVICE_TIMEOUT: "5", AWS_METADATA_SERVICE_NUM_ATTEMPTS: "20" };
/** The port of an EKS cluster's API server endpoints. */
const API_SERVER_PORT = 443;

const T = {
    release: "kubernetes:helm.sh/v3:Release",
    association: "aws:ec2/vpcIpv4CidrBlockAssociation:VpcIpv4CidrBlockAssociation",
    subnet: "aws:ec2/subnet:Subnet",
    routeTable: "aws:ec2/routeTable:RouteTable",
    nat: "aws:ec2/natGateway:NatGateway",
    eip: "aws:ec2/eip:Eip",
    ingress: "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
    cluster: "aws:eks/cluster:Cluster",
    nodeGroup: "aws:eks/nodeGroup:NodeGroup",
    oidc: "aws:iam/openIdConnectProvider:OpenIdConnectProvider",
    role: "aws:iam/role:Role",
    rolePolicy: "aws:iam/rolePolicy:RolePolicy",
    bucket: "aws:s3/bucket:Bucket",
} as const;

/** Every resource type an AWS data plane without a bucket of its own declares. */
const DATA_PLANE_TYPES = [
    ...FLYTE_DATA_PLANE_TYPES,
    "flyte:aws:AwsDataPlanePlatform",
    "flyte:aws:DataPlaneNetwork",
    T.association,
    T.subnet,
    T.routeTable,
    "aws:ec2/routeTableAssociation:RouteTableAssociation",
    T.nat,
    T.eip,
    "flyte:aws:EksCluster",
    T.cluster,
    T.nodeGroup,
    "aws:ec2/launchTemplate:LaunchTemplate",
    "aws:eks/addon:Addon",
    "aws:eks/accessEntry:AccessEntry",
    "aws:eks/accessPolicyAssociation:AccessPolicyAssociation",
    "aws:ec2/securityGroup:SecurityGroup",
    T.ingress,
    T.oidc,
    "aws:kms/key:Key",
    "aws:kms/alias:Alias",
    "aws:cloudwatch/logGroup:LogGroup",
    T.role,
    "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
    "flyte:aws:FlyteRoles",
    T.rolePolicy,
].sort();

const dataPlanes = beforeAllDataPlanes(CONTROL_PLANE, DATA_PLANES, (plan, stack) => {
    const release = only(plan, T.release);
    return renderCoreValues(recordAt(release.inputs, "values"), stringAt(release.inputs, "namespace"), stack);
});
const { planOf, cp } = dataPlanes;
const cpString = (key: string): string => stringAt(cp(), key);

test("the stack files: data planes of eks-control, in its region, on blocks of their own, raw outputs in its buckets", () => {
    const region = readStackSettings(CONTROL_PLANE).provider("aws:region");
    for (const stack of DATA_PLANES) {
        const settings = readStackSettings(stack);
        expect([stack, settings.string("cloud"), settings.string("clusterRole"), settings.string("controlPlaneStack"), settings.provider("aws:region")]).toEqual([
            stack,
            "aws",
            "dataPlane",
            CONTROL_PLANE,
            region,
        ]);
        // The control plane has project isolation: each project's raw outputs go to its own bucket there.
        expect([stack, settings.boolean("dataPlaneRawBucket")]).toEqual([stack, false]);
    }
    expect(listedDataPlanes(CONTROL_PLANE).map((d) => d.stack)).toEqual([...DATA_PLANES]);
    expect(DATA_PLANES.map((s) => readStackSettings(s).boolean("eksSpotNodes"))).toEqual([false, true]);
});

test("the control plane's ranges and the data planes' blocks in the shared VPC are disjoint", () => {
    const ranges = [
        ...arrayAt(cp(), "networkRanges").map((r) => [CONTROL_PLANE, String(r)] as const),
        ...DATA_PLANES.map((stack) => [stack, readStackSettings(stack).string("awsVpcCidr")] as const),
    ];
    expect(overlappingRanges(ranges)).toEqual([]);
});

describe.each(DATA_PLANES)("data plane %s", (stack) => {
    const dp = dataPlanes.of(stack);
    const { settings, plan, release, values, namespace } = dp;
    const block = settings.string("awsVpcCidr");
    const region = settings.provider("aws:region");
    const one = (type: string) => only(plan(), type);
    const cluster = () => mocked(one(T.cluster)).state;
    const clusterName = () => stringAt(one(T.cluster).inputs, "name");
    /** flytepropeller's IRSA role: the one the chart's service account is annotated with. */
    const propeller = (): RecordedResource => roleWithArn(plan(), at(values(), "flytepropeller", "serviceAccount", "annotations", IRSA_ANNOTATION));
    const propellerArn = () => stringAt(mocked(propeller()).state, "arn");
    const subnets = () => [...subnetsOf(plan(), "aws-network", "public"), ...subnetsOf(plan(), "aws-network", "private")];

    test("declares a data plane's resources only: no VPC, internet gateway, RDS, load balancer, bucket, nor Flyte's control plane", () => {
        expect([...new Set(plan().resources.map((r) => r.type))].sort()).toEqual(DATA_PLANE_TYPES);
        const types = plan().resources.map((r) => r.type);
        for (const absent of [
            "aws:ec2/vpc:Vpc",
            "aws:ec2/internetGateway:InternetGateway",
            "aws:rds/instance:Instance",
            "aws:lb/loadBalancer:LoadBalancer",
            T.bucket,
            "kubernetes:core/v1:Service",
            "flyte:aws:Network",
            "flyte:aws:RdsPostgres",
            "flyte:flyte:FlyteCore",
            "flyte:flyte:FlyteBinary",
        ]) {
            expect(types).not.toContain(absent);
        }
    });

    describe("the network: a block of its own in the control plane's VPC", () => {
        test("the block is associated with the control plane's VPC", () => {
            expect(ofType(plan(), T.association).map((a) => a.inputs)).toEqual([{ vpcId: cpString("vpcId"), cidrBlock: block }]);
        });

        test("a public and a private subnet per zone, in that VPC and inside the block, each created once the block is associated", () => {
            const association = one(T.association);
            const zones = settings.integer("awsAvailabilityZones");
            expect(subnetsOf(plan(), "aws-network", "public")).toHaveLength(zones);
            expect(subnetsOf(plan(), "aws-network", "private")).toHaveLength(zones);
            expect(subnets()).toHaveLength(ofType(plan(), T.subnet).length);
            for (const subnet of subnets()) {
                expect([subnet.name, subnet.inputs.vpcId, rangeContains(parseIpv4Cidr(block), parseIpv4Cidr(subnet.inputs.cidrBlock))]).toEqual([subnet.name, cpString("vpcId"), true]);
                // AWS refuses a subnet outside the VPC's blocks: the association comes first.
                expect([subnet.name, transitiveDependencies(plan(), subnet).has(association.urn)]).toEqual([subnet.name, true]);
            }
        });

        test("public subnets route to the control plane's internet gateway, private ones through its own NAT gateway", () => {
            const nats = ofType(plan(), T.nat);
            // One NAT gateway (one Elastic IP) for the stack, as its file says.
            expect(settings.boolean("awsNatGatewayPerZone")).toBe(false);
            expect(nats).toHaveLength(1);
            const publicIds = subnetsOf(plan(), "aws-network", "public").map((s) => mocked(s).id);
            expect(publicIds).toContain(nats[0].inputs.subnetId);
            expect(ofType(plan(), T.eip).map((e) => mocked(e).id)).toEqual([nats[0].inputs.allocationId]);
            const defaultRoute = (subnet: RecordedResource) => {
                const table = routeTableOf(plan(), subnet);
                expect(table.inputs.vpcId).toBe(cpString("vpcId"));
                return arrayAt(table.inputs, "routes").filter((r) => at(r, "cidrBlock") === "0.0.0.0/0");
            };
            for (const subnet of subnetsOf(plan(), "aws-network", "public")) {
                expect([subnet.name, defaultRoute(subnet)]).toEqual([subnet.name, [{ cidrBlock: "0.0.0.0/0", gatewayId: cpString("internetGatewayId") }]]);
            }
            for (const subnet of subnetsOf(plan(), "aws-network", "private")) {
                expect([subnet.name, defaultRoute(subnet)]).toEqual([subnet.name, [{ cidrBlock: "0.0.0.0/0", natGatewayId: mocked(nats[0]).id }]]);
            }
        });
    });

    describe("EKS", () => {
        test("in the private subnets, its private endpoint on, public access as the stack file says", () => {
            const privateIds = subnetsOf(plan(), "aws-network", "private").map((s) => mocked(s).id);
            const vpcConfig = recordAt(one(T.cluster).inputs, "vpcConfig");
            expect([...arrayAt(vpcConfig, "subnetIds")].sort()).toEqual([...privateIds].sort());
            const publicAccess = settings.strings("eksPublicAccessCidrs");
            expect(vpcConfig).toMatchObject({ endpointPrivateAccess: true, endpointPublicAccess: publicAccess.length > 0 });
            expect(vpcConfig.publicAccessCidrs).toEqual(publicAccess);
            expect(clusterName()).toBe(`flyte-${stack}`);
        });

        test("its API endpoint's own security group admits HTTPS from the control plane's cluster security group, and nothing else is added", () => {
            // A security group in the control plane's VPC that EKS puts on the endpoint's interfaces alone (vpcConfig),
            // not the cluster security group, which is on every node too.
            const group = one("aws:ec2/securityGroup:SecurityGroup");
            expect(group.inputs.vpcId).toBe(cpString("vpcId"));
            expect(at(one(T.cluster).inputs, "vpcConfig", "securityGroupIds")).toEqual([mocked(group).id]);
            expect(mocked(group).id).not.toBe(stringAt(cluster(), "vpcConfig", "clusterSecurityGroupId"));
            const rules = ofType(plan(), T.ingress);
            expect(rules.map((r) => r.inputs)).toEqual([
                expect.objectContaining({
                    securityGroupId: mocked(group).id,
                    referencedSecurityGroupId: cpString("clusterSecurityGroupId"),
                    ipProtocol: "tcp",
                    fromPort: API_SERVER_PORT,
                    toPort: API_SERVER_PORT,
                }),
            ]);
            expect(rules[0].inputs.cidrIpv4).toBeUndefined();
        });

        test(`nodes: ${settings.boolean("eksSpotNodes") ? "Spot" : "On-Demand"} capacity of the stack file's instance types, in the private subnets`, () => {
            const nodes = one(T.nodeGroup);
            expect(nodes.inputs).toMatchObject({
                capacityType: settings.boolean("eksSpotNodes") ? "SPOT" : "ON_DEMAND",
                instanceTypes: settings.strings("eksInstanceTypes"),
                scalingConfig: { minSize: settings.integer("eksMinNodes"), maxSize: settings.integer("eksMaxNodes") },
                clusterName: clusterName(),
            });
            expect([...arrayAt(nodes.inputs, "subnetIds")].sort()).toEqual(subnetsOf(plan(), "aws-network", "private").map((s) => mocked(s).id).sort());
        });
    });

    describe("IRSA and S3: flytepropeller's role", () => {
        const trust = () => stringAt(propeller().inputs, "assumeRolePolicy");

        test("trusts only flyte/flytepropeller of this cluster's OIDC provider", () => {
            const own = planOidcProvider(plan());
            expect(webIdentityTrust(trust(), "propeller's trust").map((s) => [s.federated, s.issuer, s.subjects])).toEqual([
                [own.oidcProviderArn, own.issuer, [serviceAccountSubject(namespace(), PROPELLER_SERVICE_ACCOUNT)]],
            ]);
            expect(irsaTrustAllows(trust(), serviceAccountToken(own, namespace(), PROPELLER_SERVICE_ACCOUNT))).toBe(true);
            // The control plane's cluster and the other data plane's: their service accounts of the same name are not this one.
            const others = [planOidcProvider(planOf(CONTROL_PLANE)), ...DATA_PLANES.filter((s) => s !== stack).map((s) => planOidcProvider(planOf(s)))];
            for (const provider of others) {
                expect([provider.issuer, irsaTrustAllows(trust(), serviceAccountToken(provider, namespace(), PROPELLER_SERVICE_ACCOUNT))]).toEqual([provider.issuer, false]);
            }
            // Task pods here run as the control plane's task roles, never as propeller's.
            const [taskNamespace] = flyteProjectNamespaces(cpString("namespaceTemplate"), arrayAt(cp(), "projects").map(String), arrayAt(cp(), "domains").map(String));
            expect(irsaTrustAllows(trust(), serviceAccountToken(own, taskNamespace, "default"))).toBe(false);
        });

        test("its S3 policy names exactly the control plane's metadata, user-data and project buckets", () => {
            const [policy] = ofType(plan(), T.rolePolicy).filter((p) => p.inputs.role === mocked(propeller()).id);
            const statements = JSON.parse(stringAt(policy.inputs, "policy")) as { Statement: { Resource: string[] }[] };
            const buckets = new Set(statements.Statement.flatMap((s) => s.Resource.map((r) => r.replace(/^arn:aws:s3:::/, "").replace(/\/\*$/, ""))));
            expect([...buckets].sort()).toEqual([cpString("metadataBucket"), cpString("userDataBucket"), ...Object.values(recordAt(cp(), "projectBuckets")).map(String)].sort());
        });

        test("as the IAM policy simulator decides, with the buckets' own policies: reads, writes and lists those buckets, no other", async () => {
            const key = "ab/f1234-n0-0/data";
            const use = (bucket: string): StorageRequest[] => [
                { action: "get", bucket, key },
                { action: "put", bucket, key },
                { action: "list", bucket, prefix: "" },
            ];
            const cpBuckets = [cpString("metadataBucket"), cpString("userDataBucket"), ...Object.values(recordAt(cp(), "projectBuckets")).map(String)];
            // Each of them is the control plane's, with its (TLS-only) bucket policy there.
            const cpBucketNames = ofType(planOf(CONTROL_PLANE), T.bucket).map((b) => b.inputs.bucket);
            expect(cpBuckets.filter((b) => !cpBucketNames.includes(b))).toEqual([]);
            const decisions: string[] = [];
            for (const bucket of [...cpBuckets, `${cpString("metadataBucket")}-other`, "another-teams-bucket"]) {
                for (const request of use(bucket)) {
                    const allowed = await crossStackS3Allows(plan(), propeller(), planOf(CONTROL_PLANE), request);
                    decisions.push(`${request.action} ${bucket}: ${allowed ? "allowed" : "denied"}`);
                }
            }
            const expected = (bucket: string, allowed: boolean) => use(bucket).map((r) => `${r.action} ${bucket}: ${allowed ? "allowed" : "denied"}`);
            expect(decisions).toEqual([
                ...cpBuckets.flatMap((b) => expected(b, true)),
                ...expected(`${cpString("metadataBucket")}-other`, false),
                ...expected("another-teams-bucket", false),
            ]);
        });
    });

    test("reads exactly the control plane's stack, through a StackReference that creates nothing", () => {
        expect(plan().resources.filter((r) => r.read).map((r) => [r.type, r.inputs.name])).toEqual([["pulumi:pulumi:StackReference", CONTROL_PLANE]]);
    });

    dataPlaneSuite(dp, {
        clusterType: T.cluster,
        propellerIdentity: () => ({ [IRSA_ANNOTATION]: propellerArn() }),
        propellerStorage: {
            read: (config) => ({
                storage: { type: at(config, "storage", "type"), container: at(config, "storage", "container"), region: at(config, "storage", "connection", "region") },
                raw: at(config, "propeller", "rawoutput-prefix"),
            }),
            expected: () => ({ storage: { type: "s3", container: cp().metadataBucket, region: cp().region }, raw: `s3://${cpString("userDataBucket")}/data` }),
        },
        more: {
            values: () => {
                test("propeller writes metadata to the control plane's bucket in S3, in its region", () => {
                    expect(at(values(), "storage")).toMatchObject({ type: "s3", bucketName: cp().metadataBucket, s3: { region: cp().region, authType: "iam" } });
                    expect(region).toBe(cp().region);
                });

                test("raw task outputs go to the control plane's user-data bucket by default (each project's bucket by its data location)", () => {
                    expect(at(values(), "configmap", "core", "propeller", "rawoutput-prefix")).toBe(`s3://${cpString("userDataBucket")}/data`);
                });

                test("task pods get EKS's environment, and their logs link to this cluster's Container Insights", () => {
                    expect(mergedOneKeyMaps(at(values(), "configmap", "k8s", "plugins", "k8s", "default-env-vars"), "default-env-vars")).toEqual(TASK_ENVIRONMENT);
                    const logs = recordAt(values(), "configmap", "task_logs", "plugins", "logs");
                    expect(logs).toMatchObject({ "cloudwatch-enabled": true, "kubernetes-enabled": false });
                    const template = stringAt(logs, "cloudwatch-template-uri");
                    expect(template).toContain(`region=${region}`);
                    expect(template).toContain(`containerinsights$252F${clusterName()}$252Fapplication`);
                });

                test("propeller runs as its own IRSA role, created with its S3 policy before the release", () => {
                    expect(stringMapAt(values(), "flytepropeller", "serviceAccount", "annotations")).toEqual({ [IRSA_ANNOTATION]: propellerArn() });
                    expect(propeller().inputs.name).toBe(`flyte-${stack}-flyte-propeller`);
                    const policies = ofType(plan(), T.rolePolicy).filter((p) => p.inputs.role === mocked(propeller()).id);
                    expect(policies).toHaveLength(1);
                    const waits = transitiveDependencies(plan(), release());
                    const needed = [propeller(), ...policies, one(T.nodeGroup), one(T.nat)];
                    expect(needed.filter((r) => !waits.has(r.urn)).map((r) => r.name)).toEqual([]);
                });
            },
            outputs: () => {
                test("dataPlane: the API endpoint, the token Secret's CA, flyteadmin's service account, the block as pod range, the OIDC provider", () => {
                    const provider = one(T.oidc);
                    expect(plan().outputs.dataPlane).toEqual({
                        cloud: "aws",
                        apiEndpoint: cluster().endpoint,
                        caCertificate: dp.tokenValue("ca.crt"),
                        adminServiceAccount: `${namespace()}/${ADMIN_SERVICE_ACCOUNT}`,
                        tokenGeneration: 1,
                        podRange: block,
                        oidcProviderArn: mocked(provider).state.arn,
                        oidcIssuer: stringAt(provider.inputs, "url").replace(/^https:\/\//, ""),
                    });
                    // The provider is this cluster's: its issuer is the one EKS reports.
                    expect(provider.inputs.url).toBe(stringAt(cluster(), "identities", 0, "oidcs", 0, "issuer"));
                    expect(provider.inputs.clientIdLists).toEqual(["sts.amazonaws.com"]);
                });
            },
            chart: () => {
                test("every object it renders, and every Kubernetes object the program declares, passes the Kubernetes schemas, strictly", () => {
                    expect(dataPlanes.rendered(stack).problems).toEqual([]);
                    const objects = planObjects(plan());
                    const report = schemaReport(objects.documents, { placeholder: (v) => v === "[secret]" });
                    expect([...objects.problems, ...report.problems, ...report.freeForm]).toEqual([]);
                    expect(report.validated).toBe(objects.documents.length);
                });
            },
        },
    });
});

test("each cluster is its own: distinct API endpoints, OIDC providers and cluster security groups", () => {
    const of = (stack: typeof CONTROL_PLANE | DataPlane) => {
        const state = mocked(only(planOf(stack), T.cluster)).state;
        return { endpoint: state.endpoint, provider: planOidcProvider(planOf(stack)).oidcProviderArn, securityGroup: at(state, "vpcConfig", "clusterSecurityGroupId") };
    };
    const clusters = ([CONTROL_PLANE, ...DATA_PLANES] as const).map(of);
    for (const key of ["endpoint", "provider", "securityGroup"] as const) {
        expect([key, new Set(clusters.map((c) => c[key])).size]).toEqual([key, clusters.length]);
    }
});
