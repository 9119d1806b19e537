import { parse } from "yaml";
import { COMMON_OUTPUTS, EVERY_STACK_OUTPUTS, SHARED_WORKER_OUTPUTS, VERIFICATION_OUTPUTS } from "../../components/contract/outputs";
import { MOCK_AWS_ACCOUNT, MOCK_AWS_ROLE, mockPassword } from "../../lib/plan/mocks";
import type { RecordedResource } from "../../lib/plan/monitor";
import type { Plan } from "../../lib/plan/runPlan";
import { awsConsoleHost, awsPartitionOf, consoleLinkTarget, parseIpv4Cidr, parsePolicy, rangeContains, rangesOverlap, serviceAccountSubject, webIdentityTrust } from "./aws";
import { annotationsOf, customDataByDomain, flyteProjectNamespaces, mergedOneKeyMaps } from "./flyte";
import { parseManifests } from "./helm";
import { byMockedId, byUrn, mocked, ofType, only, planStack, transitiveDependencies } from "./plan";
import { readStackSettings } from "./stackSettings";
import { arrayAt, at, isRecord, recordAt, stringAt, stringMapAt } from "./json";

export interface EksStackExpectations {
    /** Deletion protection on the cluster and the database, a final snapshot, Pulumi protect on data. */
    readonly protectedData: boolean;
    /** Multi-AZ RDS. */
    readonly highAvailability: boolean;
    readonly forceDestroyBuckets: boolean;
}

// Spelled out here rather than imported from the program, so that a change on either side shows up as a failure.
const IRSA_ANNOTATION = "eks.amazonaws.com/role-arn";
const STS_AUDIENCE = "sts.amazonaws.com";
/** The chart's backend ServiceAccount (fullnameOverride flyte-binary); test/contracts/charts/eks.test.ts checks it against the render. */
const BACKEND_SERVICE_ACCOUNT = "flyte-binary";
const WORKER_SERVICE_ACCOUNT = "default";
const WORKER_IDENTITY_VARIABLE = "workerIdentity";
const CLUSTER_ADMIN_POLICY = "AmazonEKSClusterAdminPolicy";
const POSTGRES_PORT = 5432;
const NLB_ANNOTATIONS = {
    "service.beta.kubernetes.io/aws-load-balancer-type": "nlb",
    "service.beta.kubernetes.io/aws-load-balancer-internal": "true",
};
/** As in the flyte-binary chart's EKS examples. */
const TASK_ENVIRONMENT = { AWS_METADATA_SERVICE_TIMEOUT: "5", AWS_METADATA_SERVICE_NUM_ATTEMPTS: "20" };
const CONTAINER_INSIGHTS_ADDON = "amazon-cloudwatch-observability";

const T = {
    vpc: "aws:ec2/vpc:Vpc",
    subnet: "aws:ec2/subnet:Subnet",
    igw: "aws:ec2/internetGateway:InternetGateway",
    nat: "aws:ec2/natGateway:NatGateway",
    eip: "aws:ec2/eip:Eip",
    routeTable: "aws:ec2/routeTable:RouteTable",
    routeTableAssociation: "aws:ec2/routeTableAssociation:RouteTableAssociation",
    securityGroup: "aws:ec2/securityGroup:SecurityGroup",
    ingressRule: "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
    legacyRule: "aws:ec2/securityGroupRule:SecurityGroupRule",
    cluster: "aws:eks/cluster:Cluster",
    nodeGroup: "aws:eks/nodeGroup:NodeGroup",
    addon: "aws:eks/addon:Addon",
    accessEntry: "aws:eks/accessEntry:AccessEntry",
    accessPolicy: "aws:eks/accessPolicyAssociation:AccessPolicyAssociation",
    oidc: "aws:iam/openIdConnectProvider:OpenIdConnectProvider",
    role: "aws:iam/role:Role",
    rolePolicy: "aws:iam/rolePolicy:RolePolicy",
    rolePolicyAttachment: "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
    logGroup: "aws:cloudwatch/logGroup:LogGroup",
    rds: "aws:rds/instance:Instance",
    rdsSubnetGroup: "aws:rds/subnetGroup:SubnetGroup",
    rdsParameterGroup: "aws:rds/parameterGroup:ParameterGroup",
    bucket: "aws:s3/bucket:Bucket",
    publicAccessBlock: "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
    encryption: "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
    versioning: "aws:s3/bucketVersioning:BucketVersioning",
    bucketPolicy: "aws:s3/bucketPolicy:BucketPolicy",
    password: "random:index/randomPassword:RandomPassword",
    k8sProvider: "pulumi:providers:kubernetes",
    release: "kubernetes:helm.sh/v3:Release",
    service: "kubernetes:core/v1:Service",
    secret: "kubernetes:core/v1:Secret",
} as const;

const sorted = (values: Iterable<unknown>): string[] => [...values].map((v) => String(v)).sort();

/**
 * The properties every EKS stack must have, asserted on the plan of the real program with the stack's file.
 * Expected values come from the stack file (read with the `yaml` package, schema defaults otherwise) and from
 * what the plan's mocks answer (ids, ARNs, addresses), never from the program's code.
 */
export function describeEksStack(stack: string, expected: EksStackExpectations): void {
    const settings = readStackSettings(stack);
    const region = settings.provider("aws:region");
    let plan: Plan;

    beforeAll(async () => {
        plan = await planStack(stack);
    });

    const one = (type: string) => only(plan, type);
    const idOf = (r: RecordedResource) => mocked(r).id;
    const stateOf = (r: RecordedResource) => mocked(r).state;
    const tagsOf = (r: RecordedResource) => (isRecord(r.inputs.tags) ? stringMapAt(r.inputs, "tags") : {});
    const values = () => recordAt(one(T.release).inputs, "values");
    const output = (key: string): string => {
        const value = plan.outputs[key];
        if (typeof value !== "string") {
            throw new Error(`stack output ${key} is ${JSON.stringify(value)}`);
        }
        return value;
    };
    const clusterName = () => stringAt(one(T.cluster).inputs, "name");

    /** The route 0.0.0.0/0 of the one route table associated with a subnet. */
    const defaultRoute = (subnet: RecordedResource) => {
        const associations = ofType(plan, T.routeTableAssociation).filter((a) => a.inputs.subnetId === idOf(subnet));
        if (associations.length !== 1) {
            throw new Error(`subnet ${subnet.name} has ${associations.length} route table associations`);
        }
        const table = byMockedId(plan, T.routeTable, stringAt(associations[0].inputs, "routeTableId"));
        const routes = arrayAt(table.inputs, "routes").filter((r) => at(r, "cidrBlock") === "0.0.0.0/0");
        if (routes.length !== 1) {
            throw new Error(`route table ${table.name} has ${routes.length} default routes`);
        }
        return { table, route: recordAt(routes[0]) };
    };
    /** Public subnets route to the internet gateway, private ones through NAT: what the subnets are, by routing. */
    const subnets = () => {
        const igw = idOf(one(T.igw));
        const all = ofType(plan, T.subnet);
        const publicSubnets = all.filter((s) => defaultRoute(s).route.gatewayId === igw);
        const privateSubnets = all.filter((s) => typeof defaultRoute(s).route.natGatewayId === "string");
        expect(sorted([...publicSubnets, ...privateSubnets].map((s) => s.urn))).toEqual(sorted(all.map((s) => s.urn)));
        return { publicSubnets, privateSubnets, privateIds: sorted(privateSubnets.map(idOf)) };
    };

    /** The backend and worker roles of the FlyteRoles component. */
    const flyteRole = (suffix: "backend" | "worker") => {
        const found = ofType(plan, T.role).filter(
            (r) => r.name.endsWith(`-${suffix}`) && byUrn(plan, r.parent).type === "flyte:aws:FlyteRoles",
        );
        if (found.length !== 1) {
            throw new Error(`expected one Flyte ${suffix} role, found ${found.length}`);
        }
        return found[0];
    };
    const roleArn = (r: RecordedResource) => stringAt(stateOf(r), "arn");
    const bucketArns = () => sorted(ofType(plan, T.bucket).map((b) => stringAt(stateOf(b), "arn")));
    const trustOf = (r: RecordedResource) => {
        const statements = webIdentityTrust(r.inputs.assumeRolePolicy, r.name);
        expect(statements).toHaveLength(1);
        return statements[0];
    };
    const rolePolicies = (r: RecordedResource) =>
        ofType(plan, T.rolePolicy).filter((p) => p.inputs.role === idOf(r) || p.inputs.role === r.inputs.name);
    const expectedWorkerSubjects = () =>
        sorted(
            flyteProjectNamespaces(settings.string("namespaceTemplate"), settings.strings("flyteProjects"), settings.strings("flyteDomains")).map(
                (ns) => serviceAccountSubject(ns, WORKER_SERVICE_ACCOUNT),
            ),
        );
    const containerInsights = () => ofType(plan, T.addon).filter((a) => a.inputs.addonName === CONTAINER_INSIGHTS_ADDON);
    const addon = (name: string) => {
        const found = ofType(plan, T.addon).filter((a) => a.inputs.addonName === name);
        if (found.length !== 1) {
            throw new Error(`expected one ${name} add-on, found ${found.length}`);
        }
        return found[0];
    };

    describe(`stack ${stack}`, () => {
        test("the stack file says what this suite expects", () => {
            expect({
                cloud: settings.string("cloud"),
                deletionProtection: settings.boolean("deletionProtection"),
                databaseHighAvailability: settings.boolean("databaseHighAvailability"),
                forceDestroyBuckets: settings.boolean("forceDestroyBuckets"),
            }).toEqual({
                cloud: "aws",
                deletionProtection: expected.protectedData,
                databaseHighAvailability: expected.highAvailability,
                forceDestroyBuckets: expected.forceDestroyBuckets,
            });
        });

        test("network: a VPC with the configured range across the configured zones, a private and a public subnet in each", () => {
            const zones = settings.integer("awsAvailabilityZones");
            const vpc = one(T.vpc);
            expect(vpc.inputs.cidrBlock).toBe(settings.string("awsVpcCidr"));
            // The private endpoint and IRSA need the VPC's DNS.
            expect([vpc.inputs.enableDnsSupport, vpc.inputs.enableDnsHostnames]).toEqual([true, true]);
            const { publicSubnets, privateSubnets } = subnets();
            expect(ofType(plan, T.subnet).every((s) => s.inputs.vpcId === idOf(vpc))).toBe(true);
            expect({ private: privateSubnets.length, public: publicSubnets.length }).toEqual({ private: zones, public: zones });
            const zonesOf = (list: RecordedResource[]) => sorted(list.map((s) => stringAt(s.inputs, "availabilityZone")));
            expect(new Set(zonesOf(privateSubnets)).size).toBe(zones);
            expect(zonesOf(publicSubnets)).toEqual(zonesOf(privateSubnets));
            // Inside the VPC's range, none overlapping.
            const vpcRange = parseIpv4Cidr(vpc.inputs.cidrBlock);
            const ranges = ofType(plan, T.subnet).map((s) => ({ name: s.name, range: parseIpv4Cidr(s.inputs.cidrBlock) }));
            expect(ranges.filter((r) => !rangeContains(vpcRange, r.range)).map((r) => r.name)).toEqual([]);
            const overlapping = ranges.flatMap((a, i) =>
                ranges.slice(i + 1).filter((b) => rangesOverlap(a.range, b.range)).map((b) => `${a.name} ${b.name}`),
            );
            expect(overlapping).toEqual([]);
            // Nothing in a public subnet gets a public address unless it asks for one.
            expect(publicSubnets.map((s) => s.inputs.mapPublicIpOnLaunch ?? false)).toEqual(publicSubnets.map(() => false));
        });

        test("network: NAT for the private subnets (one per zone or one in all, as the stack says), in public subnets", () => {
            const perZone = settings.boolean("awsNatGatewayPerZone");
            const zones = settings.integer("awsAvailabilityZones");
            const { publicSubnets, privateSubnets } = subnets();
            const nats = ofType(plan, T.nat);
            expect(nats).toHaveLength(perZone ? zones : 1);
            const publicIds = publicSubnets.map(idOf);
            const eipIds = ofType(plan, T.eip).map(idOf);
            for (const nat of nats) {
                expect(publicIds).toContain(nat.inputs.subnetId);
                expect(eipIds).toContain(nat.inputs.allocationId);
                expect(nat.inputs.connectivityType ?? "public").toBe("public");
            }
            expect(new Set(nats.map((n) => n.inputs.allocationId)).size).toBe(nats.length);
            const natOf = (subnet: RecordedResource) => byMockedId(plan, T.nat, String(defaultRoute(subnet).route.natGatewayId));
            // Every NAT gateway serves private subnets; per zone, each private subnet uses the one in its zone.
            expect(sorted(new Set(privateSubnets.map((s) => natOf(s).urn)))).toEqual(sorted(nats.map((n) => n.urn)));
            if (perZone) {
                for (const subnet of privateSubnets) {
                    const natSubnet = byMockedId(plan, T.subnet, stringAt(natOf(subnet).inputs, "subnetId"));
                    expect([subnet.name, natSubnet.inputs.availabilityZone]).toEqual([subnet.name, subnet.inputs.availabilityZone]);
                }
            }
        });

        test("network: subnet tags for internal (private) and internet-facing (public) load balancers, and the cluster tag", () => {
            const { publicSubnets, privateSubnets } = subnets();
            const clusterTag = `kubernetes.io/cluster/${clusterName()}`;
            const roleTags = (s: RecordedResource) => {
                const tags = tagsOf(s);
                return {
                    elb: tags["kubernetes.io/role/elb"],
                    internalElb: tags["kubernetes.io/role/internal-elb"],
                    cluster: ["shared", "owned"].includes(tags[clusterTag]),
                };
            };
            expect(privateSubnets.map(roleTags)).toEqual(privateSubnets.map(() => ({ elb: undefined, internalElb: "1", cluster: true })));
            expect(publicSubnets.map(roleTags)).toEqual(publicSubnets.map(() => ({ elb: "1", internalElb: undefined, cluster: true })));
        });

        test("EKS: private subnets, API authentication without the creator's implicit admin, an OIDC provider for IRSA", () => {
            const cluster = one(T.cluster);
            const { privateIds } = subnets();
            expect(sorted(arrayAt(cluster.inputs, "vpcConfig", "subnetIds"))).toEqual(privateIds);
            const publicAccessCidrs = settings.strings("eksPublicAccessCidrs");
            expect(at(cluster.inputs, "vpcConfig", "endpointPrivateAccess")).toBe(true);
            expect(at(cluster.inputs, "vpcConfig", "endpointPublicAccess")).toBe(publicAccessCidrs.length > 0);
            if (publicAccessCidrs.length > 0) {
                expect(sorted(arrayAt(cluster.inputs, "vpcConfig", "publicAccessCidrs"))).toEqual(sorted(publicAccessCidrs));
            }
            expect(at(cluster.inputs, "accessConfig")).toEqual({
                authenticationMode: "API",
                bootstrapClusterCreatorAdminPermissions: false,
            });
            expect(cluster.inputs.deletionProtection).toBe(expected.protectedData);
            expect(cluster.inputs.name).toBe(output("clusterName"));

            const oidc = one(T.oidc);
            expect(oidc.inputs.url).toBe(stringAt(stateOf(cluster), "identities", 0, "oidcs", 0, "issuer"));
            expect(oidc.inputs.clientIdLists).toEqual([STS_AUDIENCE]);
        });

        test("EKS: one managed node group, in the private subnets", () => {
            const nodeGroup = one(T.nodeGroup);
            expect(nodeGroup.inputs.clusterName).toBe(clusterName());
            expect(sorted(arrayAt(nodeGroup.inputs, "subnetIds"))).toEqual(subnets().privateIds);
        });

        test("EKS: access entries for the administrators (the deployer by default) with cluster admin, no aws-auth", () => {
            const configured = settings.strings("eksAdminPrincipals");
            const admins = sorted(configured.length > 0 ? configured : [MOCK_AWS_ROLE]);
            const entries = ofType(plan, T.accessEntry);
            expect(sorted(entries.map((e) => e.inputs.principalArn))).toEqual(admins);
            for (const entry of entries) {
                expect([entry.inputs.clusterName, entry.inputs.type ?? "STANDARD", entry.inputs.kubernetesGroups]).toEqual([
                    clusterName(),
                    "STANDARD",
                    undefined,
                ]);
            }
            const associations = ofType(plan, T.accessPolicy);
            const adminPolicy = `arn:${awsPartitionOf(region)}:eks::aws:cluster-access-policy/${CLUSTER_ADMIN_POLICY}`;
            expect(
                sorted(
                    associations.map(
                        (a) => `${a.inputs.clusterName} ${a.inputs.principalArn} ${a.inputs.policyArn} ${at(a.inputs, "accessScope", "type")}`,
                    ),
                ),
            ).toEqual(admins.map((arn) => `${clusterName()} ${arn} ${adminPolicy} cluster`));
            expect(
                ofType(plan, "kubernetes:core/v1:ConfigMap").filter((c) => at(c.inputs, "metadata", "name") === "aws-auth"),
            ).toEqual([]);
        });

        test("the Kubernetes provider is built from the cluster once the admins' access exists; every Kubernetes object uses it", () => {
            const provider = one(T.k8sProvider);
            expect(provider.inputs.kubeconfig).toBe("[secret]");
            expect(provider.dependencies).toEqual(
                expect.arrayContaining([one(T.cluster).urn, ...ofType(plan, T.accessPolicy).map((a) => a.urn)]),
            );
            const kubernetes = plan.resources.filter((r) => r.type.startsWith("kubernetes:"));
            expect(kubernetes.length).toBeGreaterThan(0);
            expect(kubernetes.filter((r) => !r.provider.startsWith(`${provider.urn}::`)).map((r) => r.name)).toEqual([]);
        });

        test("RDS: private subnets only, not publicly accessible, encrypted, secret password, TLS forced and required", () => {
            const instance = one(T.rds);
            const subnetGroup = one(T.rdsSubnetGroup);
            expect(instance.inputs.dbSubnetGroupName).toBe(subnetGroup.inputs.name);
            expect(sorted(arrayAt(subnetGroup.inputs, "subnetIds"))).toEqual(subnets().privateIds);
            expect({
                engine: instance.inputs.engine,
                engineVersion: instance.inputs.engineVersion,
                publiclyAccessible: instance.inputs.publiclyAccessible,
                storageEncrypted: instance.inputs.storageEncrypted,
                password: instance.inputs.password,
                port: instance.inputs.port ?? POSTGRES_PORT,
            }).toEqual({
                engine: "postgres",
                engineVersion: settings.string("rdsEngineVersion"),
                publiclyAccessible: false,
                storageEncrypted: true,
                password: "[secret]",
                port: POSTGRES_PORT,
            });
            // The parameter group forces TLS; Flyte asks for it.
            const parameters = one(T.rdsParameterGroup);
            expect(instance.inputs.parameterGroupName).toBe(parameters.inputs.name);
            expect(parameters.inputs.family).toBe(`postgres${settings.string("rdsEngineVersion").split(".")[0]}`);
            expect(arrayAt(parameters.inputs, "parameters").map((p) => [at(p, "name"), at(p, "value")])).toContainEqual([
                "rds.force_ssl",
                "1",
            ]);
            expect(at(values(), "configuration", "database", "options")).toBe("sslmode=require");
        });

        test("RDS: its security group's only ingress is 5432 from the cluster's security group", () => {
            const instance = one(T.rds);
            const groupIds = arrayAt(instance.inputs, "vpcSecurityGroupIds");
            expect(groupIds).toHaveLength(1);
            const group = byMockedId(plan, T.securityGroup, String(groupIds[0]));
            expect(group.inputs.vpcId).toBe(idOf(one(T.vpc)));
            expect(group.inputs.ingress ?? []).toEqual([]);
            const rules = ofType(plan, T.ingressRule).filter((r) => r.inputs.securityGroupId === idOf(group));
            expect(
                rules.map((r) => ({
                    ipProtocol: r.inputs.ipProtocol,
                    fromPort: r.inputs.fromPort,
                    toPort: r.inputs.toPort,
                    referencedSecurityGroupId: r.inputs.referencedSecurityGroupId,
                    cidrIpv4: r.inputs.cidrIpv4,
                    cidrIpv6: r.inputs.cidrIpv6,
                    prefixListId: r.inputs.prefixListId,
                })),
            ).toEqual([
                {
                    ipProtocol: "tcp",
                    fromPort: POSTGRES_PORT,
                    toPort: POSTGRES_PORT,
                    referencedSecurityGroupId: stringAt(stateOf(one(T.cluster)), "vpcConfig", "clusterSecurityGroupId"),
                    cidrIpv4: undefined,
                    cidrIpv6: undefined,
                    prefixListId: undefined,
                },
            ]);
            expect(ofType(plan, T.legacyRule).filter((r) => r.inputs.securityGroupId === idOf(group))).toEqual([]);
        });

        test("RDS: backups with the configured retention; Multi-AZ and protection as the stack says", () => {
            const instance = one(T.rds);
            const retention = settings.integer("databaseBackupRetentionDays");
            expect(retention).toBeGreaterThan(0);
            expect({
                backupRetentionPeriod: instance.inputs.backupRetentionPeriod,
                multiAz: instance.inputs.multiAz,
                deletionProtection: instance.inputs.deletionProtection,
                skipFinalSnapshot: instance.inputs.skipFinalSnapshot,
                protect: instance.protect,
            }).toEqual({
                backupRetentionPeriod: retention,
                multiAz: expected.highAvailability,
                deletionProtection: expected.protectedData,
                skipFinalSnapshot: !expected.protectedData,
                protect: expected.protectedData,
            });
            if (expected.protectedData) {
                expect(String(instance.inputs.finalSnapshotIdentifier ?? "")).not.toBe("");
            }
        });

        test("S3: two buckets named for the account and region, private, encrypted, TLS only; metadata versioned", () => {
            const buckets = ofType(plan, T.bucket);
            const names = sorted(buckets.map((b) => b.inputs.bucket));
            expect(names).toEqual(sorted([output("metadataBucket"), output("userDataBucket")]));
            for (const name of names) {
                expect(name).toContain(MOCK_AWS_ACCOUNT);
                expect(name).toContain(region);
            }
            for (const bucket of buckets) {
                const id = idOf(bucket);
                const arn = stringAt(stateOf(bucket), "arn");
                const of = (type: string) => ofType(plan, type).filter((r) => r.inputs.bucket === id);
                expect([bucket.name, bucket.inputs.forceDestroy ?? false, bucket.protect]).toEqual([
                    bucket.name,
                    expected.forceDestroyBuckets,
                    expected.protectedData,
                ]);
                const blocks = of(T.publicAccessBlock);
                expect(blocks).toHaveLength(1);
                expect(blocks[0].inputs).toMatchObject({
                    blockPublicAcls: true,
                    blockPublicPolicy: true,
                    ignorePublicAcls: true,
                    restrictPublicBuckets: true,
                });
                const encryption = of(T.encryption);
                expect(encryption).toHaveLength(1);
                expect(["AES256", "aws:kms", "aws:kms:dsse"]).toContain(
                    at(encryption[0].inputs, "rules", 0, "applyServerSideEncryptionByDefault", "sseAlgorithm"),
                );
                const policies = of(T.bucketPolicy);
                expect(policies).toHaveLength(1);
                const statements = parsePolicy(policies[0].inputs.policy, `${bucket.name} policy`);
                expect(statements.map((s) => ({ ...s, sid: undefined, resources: sorted(s.resources) }))).toEqual([
                    {
                        sid: undefined,
                        effect: "Deny",
                        principal: "*",
                        actions: ["s3:*"],
                        resources: sorted([arn, `${arn}/*`]),
                        condition: { Bool: { "aws:SecureTransport": ["false"] } },
                    },
                ]);
            }
            const versioned = ofType(plan, T.versioning).map((v) => [v.inputs.bucket, at(v.inputs, "versioningConfiguration", "status")]);
            expect(versioned).toEqual([[output("metadataBucket"), "Enabled"]]);
        });

        test("IRSA: the backend role admits exactly Flyte's ServiceAccount of this cluster, on sub and aud", () => {
            const oidc = one(T.oidc);
            const trust = trustOf(flyteRole("backend"));
            const issuer = stringAt(oidc.inputs, "url").replace(/^https:\/\//, "");
            expect(trust).toEqual({
                federated: stringAt(stateOf(oidc), "arn"),
                actions: ["sts:AssumeRoleWithWebIdentity"],
                issuer,
                subjects: [serviceAccountSubject(settings.string("flyteNamespace"), BACKEND_SERVICE_ACCOUNT)],
                audiences: [STS_AUDIENCE],
                conditionKeys: [`StringEquals ${issuer}:aud`, `StringEquals ${issuer}:sub`].sort(),
            });
        });

        test("IRSA: the worker role admits exactly the default account of every project-domain namespace", () => {
            const oidc = one(T.oidc);
            const trust = trustOf(flyteRole("worker"));
            const issuer = stringAt(oidc.inputs, "url").replace(/^https:\/\//, "");
            expect({ ...trust, subjects: sorted(trust.subjects), conditionKeys: sorted(trust.conditionKeys) }).toEqual({
                federated: stringAt(stateOf(oidc), "arn"),
                actions: ["sts:AssumeRoleWithWebIdentity"],
                issuer,
                subjects: expectedWorkerSubjects(),
                audiences: [STS_AUDIENCE],
                conditionKeys: sorted([`StringEquals ${issuer}:aud`, `StringEquals ${issuer}:sub`]),
            });
        });

        test("IRSA: each role may use exactly the two buckets and their objects, nothing else", () => {
            const arns = bucketArns();
            expect(arns).toHaveLength(2);
            for (const role of [flyteRole("backend"), flyteRole("worker")]) {
                const policies = rolePolicies(role);
                expect([role.name, policies.length]).toEqual([role.name, 1]);
                expect(
                    ofType(plan, T.rolePolicyAttachment).filter((a) => a.inputs.role === role.inputs.name || a.inputs.role === idOf(role)),
                ).toEqual([]);
                const statements = parsePolicy(policies[0].inputs.policy, `${role.name} policy`);
                expect(statements.every((s) => s.effect === "Allow" && Object.keys(s.condition).length === 0)).toBe(true);
                const actions = statements.flatMap((s) => s.actions);
                expect(actions.filter((a) => !/^s3:[A-Za-z]+$/.test(a))).toEqual([]);
                const bucketLevel = statements.filter((s) => s.resources.some((r) => !r.includes("/")));
                const objectLevel = statements.filter((s) => s.resources.some((r) => r.includes("/")));
                expect(sorted(new Set(bucketLevel.flatMap((s) => s.resources)))).toEqual(arns);
                expect(sorted(new Set(objectLevel.flatMap((s) => s.resources)))).toEqual(arns.map((a) => `${a}/*`));
                expect(objectLevel.flatMap((s) => s.actions)).toEqual(expect.arrayContaining(["s3:GetObject", "s3:PutObject"]));
                expect(bucketLevel.flatMap((s) => s.actions)).toContain("s3:ListBucket");
            }
        });

        test("IRSA: the chart values annotate the backend's account and every namespace's default account", () => {
            const backendArn = roleArn(flyteRole("backend"));
            const workerArn = roleArn(flyteRole("worker"));
            expect(at(values(), "serviceAccount", "create")).toBe(true);
            expect(stringMapAt(values(), "serviceAccount", "annotations")[IRSA_ANNOTATION]).toBe(backendArn);

            const templates = stringMapAt(values(), "clusterResourceTemplates", "inline");
            const accounts = Object.entries(templates)
                .flatMap(([file, text]) => parseManifests(text, file))
                .filter((o) => o.kind === "ServiceAccount");
            expect(accounts.map((a) => [a.metadata.name, a.metadata.namespace, annotationsOf(a)[IRSA_ANNOTATION]])).toEqual([
                [WORKER_SERVICE_ACCOUNT, "{{ namespace }}", `{{ ${WORKER_IDENTITY_VARIABLE} }}`],
            ]);
            const customData = customDataByDomain(at(values(), "configuration", "inline", "cluster_resources", "customData"));
            const domains = settings.strings("flyteDomains");
            expect(sorted(customData.keys())).toEqual(sorted(domains));
            expect(domains.map((d) => [d, customData.get(d)?.get(WORKER_IDENTITY_VARIABLE)])).toEqual(
                domains.map((d) => [d, workerArn]),
            );
        });

        test("an internal NLB serves 8088 and 8089; the endpoints name its address", () => {
            const service = one(T.service);
            expect(at(service.inputs, "spec", "type")).toBe("LoadBalancer");
            expect(stringMapAt(service.inputs, "metadata", "annotations")).toMatchObject(NLB_ANNOTATIONS);
            expect(arrayAt(service.inputs, "spec", "ports").map((p) => at(p, "port"))).toEqual([8088, 8089]);
            const host = stringAt(stateOf(service), "status", "loadBalancer", "ingress", 0, "hostname");
            expect({
                grpcEndpoint: output("grpcEndpoint"),
                httpEndpoint: output("httpEndpoint"),
                consoleUrl: output("consoleUrl"),
                flytectl: at(parse(output("flytectlConfig")), "admin", "endpoint"),
            }).toEqual({
                grpcEndpoint: `${host}:8089`,
                httpEndpoint: `http://${host}:8088`,
                consoleUrl: `http://${host}:8088/console`,
                flytectl: `dns:///${host}:8089`,
            });
        });

        test("task logs link to the cluster's container logs in CloudWatch; task pods get the metadata-service settings", () => {
            const plugins = recordAt(values(), "configuration", "logging", "plugins");
            expect(at(plugins, "cloudwatch", "enabled")).toBe(true);
            expect([at(plugins, "kubernetes", "enabled"), at(plugins, "stackdriver", "enabled")]).toEqual([false, false]);
            // The chart pastes the URI into YAML as it is: read it as YAML, as Flyte will.
            const uri = parse(stringAt(plugins, "cloudwatch", "templateUri"));
            expect(typeof uri).toBe("string");
            const text = String(uri);
            expect(text.startsWith("https://")).toBe(true);
            expect(consoleLinkTarget(text)).toEqual({ host: awsConsoleHost(region), path: "/cloudwatch/home", region });
            expect(text).toContain("{{ .podName }}");
            // The console escapes the group's name in the fragment (% written as $25).
            const group = /#logsV2:log-groups\/log-group\/([^/]+)\/log-events/.exec(text)?.[1];
            const logGroup = `/aws/containerinsights/${clusterName()}/application`;
            expect(decodeURIComponent((group ?? "").split("$25").join("%"))).toBe(logGroup);
            // That group exists, and the add-on that fills it is installed.
            expect(ofType(plan, T.logGroup).map((g) => g.inputs.name)).toContain(logGroup);
            expect(containerInsights()).toHaveLength(1);

            const env = mergedOneKeyMaps(at(values(), "configuration", "inline", "plugins", "k8s", "default-env-vars"), "default-env-vars");
            expect(env).toMatchObject(TASK_ENVIRONMENT);
        });

        test("the cluster and the database never wait for each other", () => {
            const cluster = one(T.cluster);
            const instance = one(T.rds);
            const nodeGroup = one(T.nodeGroup);
            // (The node group waits for the cluster, so the database does not wait for it either.)
            expect(transitiveDependencies(plan, instance)).not.toContain(cluster.urn);
            expect(transitiveDependencies(plan, cluster)).not.toContain(instance.urn);
            expect(transitiveDependencies(plan, nodeGroup)).not.toContain(instance.urn);
        });

        test("the release waits for the nodes, the network and DNS add-ons, the database rule and the backend role's policy, not the task pods' policy or the log agent", () => {
            const release = one(T.release);
            const deps = transitiveDependencies(plan, release);
            const rule = only(plan, T.ingressRule);
            const backendPolicies = rolePolicies(flyteRole("backend"));
            expect(backendPolicies).toHaveLength(1);
            for (const r of [
                one(T.nodeGroup),
                ...ofType(plan, "aws:ec2/natGateway:NatGateway"),
                addon("coredns"),
                addon("vpc-cni"),
                rule,
                ...backendPolicies,
            ]) {
                expect([r.name, deps.has(r.urn)]).toEqual([r.name, true]);
            }
            // Task pods' grants are needed only once tasks run: Flyte's start does not wait for them.
            const workerPolicies = rolePolicies(flyteRole("worker"));
            expect(workerPolicies).toHaveLength(1);
            expect(workerPolicies.filter((p) => deps.has(p.urn)).map((p) => p.name)).toEqual([]);
            const insights = containerInsights();
            expect(insights).toHaveLength(1);
            expect(insights.filter((a) => deps.has(a.urn)).map((a) => a.name)).toEqual([]);
            expect(release.inputs).toMatchObject({ chart: "flyte-binary", version: settings.string("chartVersion") });
        });

        test("secrets stay secret: the password and the kubeconfig are never printed", () => {
            const text = JSON.stringify(plan);
            const passwords = ofType(plan, T.password);
            expect(passwords.length).toBeGreaterThan(0);
            for (const password of passwords) {
                expect(text).not.toContain(mockPassword(password.name));
            }
            expect(plan.outputs.kubeconfig).toBe("[secret]");
            expect(one(T.k8sProvider).inputs.kubeconfig).toBe("[secret]");
            expect(one(T.rds).inputs.password).toBe("[secret]");
            expect(ofType(plan, T.secret).map((s) => s.inputs.stringData)).toEqual(ofType(plan, T.secret).map(() => "[secret]"));
        });

        test("exports exactly the common and shared-worker outputs; the identity outputs are the roles' ARNs", () => {
            expect(Object.keys(plan.outputs).sort()).toEqual([...COMMON_OUTPUTS, ...EVERY_STACK_OUTPUTS, ...SHARED_WORKER_OUTPUTS, ...VERIFICATION_OUTPUTS].sort());
            const backendArn = roleArn(flyteRole("backend"));
            const workerArn = roleArn(flyteRole("worker"));
            expect(backendArn).not.toBe(workerArn);
            expect({
                backendServiceAccount: output("backendServiceAccount"),
                workerServiceAccount: output("workerServiceAccount"),
                identities: plan.outputs.identities,
                clusterName: output("clusterName"),
                databaseHost: output("databaseHost"),
            }).toEqual({
                backendServiceAccount: backendArn,
                workerServiceAccount: workerArn,
                identities: { backend: backendArn, worker: workerArn },
                clusterName: clusterName(),
                databaseHost: stringAt(stateOf(one(T.rds)), "address"),
            });
        });
    });
}
