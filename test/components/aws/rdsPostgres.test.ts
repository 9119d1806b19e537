import * as aws from "@pulumi/aws";
import { postgresFamily, RdsPostgres } from "../../../components/aws/rdsPostgres";
import { awsNames } from "../../../components/aws/names";
import { mockPassword, mockResource } from "../../../lib/plan/mocks";
import type { Plan } from "../../../lib/plan/runPlan";
import { runComponents } from "../../helpers/components";
import { awsStackConfig } from "../../helpers/config";
import { byName, ofType, only, transitiveDependencies } from "../../helpers/plan";

const SUBNETS = ["subnet-private-a", "subnet-private-b", "subnet-private-c"];
const INSTANCE = "aws:rds/instance:Instance";
const SG = "aws:ec2/securityGroup:SecurityGroup";
const INGRESS = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule";

function mockId(type: string, name: string): string {
    return mockResource(type, name, {}).id;
}

function planDatabase(overrides: Record<string, string>, deletionProtection: boolean): Promise<Plan> {
    const config = awsStackConfig(overrides);
    return runComponents(() => {
        const vpc = new aws.ec2.Vpc("vpc", { cidrBlock: "10.0.0.0/16" });
        // Stands in for the cluster's security group: the database must not wait for it.
        const nodes = new aws.ec2.SecurityGroup("nodes", { vpcId: vpc.id, description: "EKS nodes" });
        const db = new RdsPostgres("pg", {
            names: awsNames({ pulumiProject: "flyte", stack: "test" }),
            config: config.aws.database,
            deletionProtection,
            vpcId: vpc.id,
            privateSubnetIds: SUBNETS,
            clientSecurityGroupId: nodes.id,
            tags: { app: "flyte" },
        });
        const c = db.connection;
        return { host: c.host, database: c.name, user: c.username, password: c.password, port: c.port, options: c.options };
    });
}

describe("postgresFamily", () => {
    test.each([
        ["16", "postgres16"],
        ["16.4", "postgres16"],
        ["17.2", "postgres17"],
        ["14", "postgres14"],
    ])("%s → %s", (version, family) => {
        expect(postgresFamily(version)).toBe(family);
    });
});

describe("a protected database (defaults)", () => {
    let plan: Plan;
    beforeAll(async () => {
        plan = await planDatabase({}, true);
    });
    const instance = () => only(plan, INSTANCE);

    test("Postgres 16, private, encrypted, in the private subnets, behind its own security group", () => {
        expect(instance().inputs).toMatchObject({
            identifier: "flyte-test-pg",
            engine: "postgres",
            engineVersion: "16",
            instanceClass: "db.m6g.large",
            allocatedStorage: 20,
            maxAllocatedStorage: 200,
            storageType: "gp3",
            storageEncrypted: true,
            publiclyAccessible: false,
            port: 5432,
            dbName: "flyte",
            username: "flyte",
            dbSubnetGroupName: "flyte-test-pg",
            parameterGroupName: "flyte-test-pg-tls",
            vpcSecurityGroupIds: [mockId(SG, "pg-sg")],
        });
        const subnetGroup = only(plan, "aws:rds/subnetGroup:SubnetGroup");
        expect(subnetGroup.inputs).toMatchObject({ name: "flyte-test-pg", subnetIds: SUBNETS });
    });

    test("the parameter group's family matches the engine and it forces TLS", () => {
        const params = only(plan, "aws:rds/parameterGroup:ParameterGroup");
        expect(params.inputs).toMatchObject({ name: "flyte-test-pg-tls", family: "postgres16" });
        expect(params.inputs.parameters).toEqual([{ name: "rds.force_ssl", value: "1", applyMethod: "pending-reboot" }]);
    });

    test("the security group has no inline rules; the only ingress is 5432/tcp from the client security group", () => {
        const sg = byName(plan, SG, "pg-sg");
        expect(sg.inputs.name).toBe("flyte-test-pg");
        expect(sg.inputs.vpcId).toBe(mockId("aws:ec2/vpc:Vpc", "vpc"));
        expect(sg.inputs.ingress).toBeUndefined();
        expect(sg.inputs.egress).toBeUndefined();
        const rules = ofType(plan, INGRESS);
        expect(rules).toHaveLength(1);
        expect(rules[0].inputs).toMatchObject({
            securityGroupId: mockId(SG, "pg-sg"),
            referencedSecurityGroupId: mockId(SG, "nodes"),
            ipProtocol: "tcp",
            fromPort: 5432,
            toPort: 5432,
        });
        expect(rules[0].inputs.cidrIpv4).toBeUndefined();
        expect(ofType(plan, "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule")).toEqual([]);
        expect(ofType(plan, "aws:ec2/securityGroupRule:SecurityGroupRule")).toEqual([]);
    });

    test("the instance waits for neither the client's security group nor the rule that admits it", () => {
        const deps = transitiveDependencies(plan, instance());
        expect(deps.has(byName(plan, SG, "nodes").urn)).toBe(false);
        expect(deps.has(only(plan, INGRESS).urn)).toBe(false);
        // It does wait for what it is built from.
        expect(instance().dependencies).toEqual(
            expect.arrayContaining([
                byName(plan, SG, "pg-sg").urn,
                only(plan, "aws:rds/subnetGroup:SubnetGroup").urn,
                only(plan, "aws:rds/parameterGroup:ParameterGroup").urn,
                only(plan, "random:index/randomPassword:RandomPassword").urn,
            ]),
        );
        expect(only(plan, INGRESS).dependencies).toContain(byName(plan, SG, "nodes").urn);
    });

    test("Multi-AZ and automated backups per config", () => {
        expect(instance().inputs).toMatchObject({ multiAz: true, backupRetentionPeriod: 14 });
    });

    test("deletion protection, a final snapshot and Pulumi protect", () => {
        expect(instance().inputs).toMatchObject({
            deletionProtection: true,
            skipFinalSnapshot: false,
            finalSnapshotIdentifier: "flyte-test-pg-final",
        });
        expect(instance().protect).toBe(true);
    });

    test("the generated password is secret everywhere and never appears in the plan", () => {
        expect(instance().inputs.password).toBe("[secret]");
        expect(only(plan, "random:index/randomPassword:RandomPassword").inputs).toMatchObject({ length: 40, special: false });
        expect(plan.outputs.password).toBe("[secret]");
        expect(JSON.stringify(plan)).not.toContain(mockPassword("pg-password"));
        expect(mockPassword("pg-password")).toMatch(/^mockpw[0-9a-f]{24}$/);
    });

    test("exports the instance's address, database, user and port; Flyte connects over TLS", () => {
        expect(plan.outputs).toMatchObject({ database: "flyte", user: "flyte", port: 5432, options: "sslmode=require" });
        expect(String(plan.outputs.host)).toMatch(/^flyte-test-pg\.[0-9a-f]{12}\.mock-region-1\.rds\.amazonaws\.com$/);
    });
});

describe("an unprotected single-AZ database on Postgres 17.2", () => {
    let plan: Plan;
    beforeAll(async () => {
        plan = await planDatabase(
            {
                "flyte:rdsEngineVersion": "17.2",
                "flyte:rdsInstanceClass": "db.t4g.medium",
                "flyte:databaseHighAvailability": "false",
                "flyte:databaseBackupRetentionDays": "7",
                "flyte:databaseDiskSizeGb": "50",
                "flyte:rdsMaxAllocatedStorageGb": "500",
            },
            false,
        );
    });
    const instance = () => only(plan, INSTANCE);

    test("follows the config", () => {
        expect(instance().inputs).toMatchObject({
            engineVersion: "17.2",
            instanceClass: "db.t4g.medium",
            multiAz: false,
            backupRetentionPeriod: 7,
            allocatedStorage: 50,
            maxAllocatedStorage: 500,
        });
        expect(only(plan, "aws:rds/parameterGroup:ParameterGroup").inputs.family).toBe("postgres17");
    });

    test("can be deleted: no deletion protection, no final snapshot, no Pulumi protect", () => {
        expect(instance().inputs.deletionProtection).toBe(false);
        expect(instance().inputs.skipFinalSnapshot).toBe(true);
        expect(instance().inputs.finalSnapshotIdentifier).toBeUndefined();
        expect(instance().protect).toBe(false);
    });

    test("stays private, encrypted and TLS-only", () => {
        expect(instance().inputs).toMatchObject({ publiclyAccessible: false, storageEncrypted: true, password: "[secret]" });
        expect(only(plan, "aws:rds/parameterGroup:ParameterGroup").inputs.parameters).toEqual([
            { name: "rds.force_ssl", value: "1", applyMethod: "pending-reboot" },
        ]);
        expect(JSON.stringify(plan)).not.toContain(mockPassword("pg-password"));
    });
});
