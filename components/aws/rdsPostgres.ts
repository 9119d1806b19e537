import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import type { AwsConfig } from "../contract/config";
import type { FlyteDatabase } from "../contract/platform";
import type { AwsNames } from "./names";

export const RDS_DATABASE = "flyte";
export const RDS_USER = "flyte";
export const RDS_PORT = 5432;
/** RDS enforces TLS (rds.force_ssl); Flyte must ask for it. */
export const RDS_OPTIONS = "sslmode=require";

/** The parameter group family of an engine version: `16.4` → `postgres16`. */
export function postgresFamily(engineVersion: string): string {
    return `postgres${engineVersion.split(".")[0]}`;
}

export interface RdsPostgresArgs {
    /**
     * Names from awsNames (each within a DNS label, 63 characters): the instance identifier, its subnet group,
     * parameter group and security group, and the final snapshot taken when a protected instance is deleted.
     * Changing the identifier replaces the instance.
     */
    readonly names: Pick<
        AwsNames,
        "database" | "databaseSubnetGroup" | "databaseParameterGroup" | "databaseSecurityGroup" | "databaseFinalSnapshot"
    >;
    /**
     * Engine version (e.g. `16.4`; its major version picks the parameter group family), instance class, storage in
     * GiB (allocated, and the most storage autoscaling may grow it to), Multi-AZ, and backup retention in days.
     */
    readonly config: AwsConfig["database"];
    /** Deletion protection, a final snapshot, and Pulumi `protect`. */
    readonly deletionProtection: boolean;
    /** The VPC the database's security group belongs to: the cluster's. */
    readonly vpcId: pulumi.Input<string>;
    /** The private subnets (in two zones at least, as RDS requires of a subnet group) the instance may be placed in. */
    readonly privateSubnetIds: pulumi.Input<string[]>;
    /**
     * The only clients: the security group of the cluster's nodes. The rule that admits them is a separate
     * resource, so the database never waits for the cluster.
     */
    readonly clientSecurityGroupId: pulumi.Input<string>;
    /** AWS tags on every resource; snapshots copy them (copyTagsToSnapshot). */
    readonly tags: Readonly<Record<string, string>>;
}

/**
 * RDS for PostgreSQL in the private subnets, not publicly accessible, reachable on 5432 from the cluster's nodes
 * only, storage encrypted, TLS enforced, automated backups; Multi-AZ, deletion protection and a final snapshot
 * where the stack asks for them. The password is generated and kept as a Pulumi secret.
 */
export class RdsPostgres extends pulumi.ComponentResource {
    readonly instance: aws.rds.Instance;
    readonly securityGroup: aws.ec2.SecurityGroup;
    /** The rule that lets the nodes in; a client of the database needs it in place. */
    readonly clientAccess: aws.vpc.SecurityGroupIngressRule;
    /** How Flyte connects: the instance's address, over TLS, with the generated password (a Pulumi secret). */
    readonly connection: FlyteDatabase;

    constructor(name: string, args: RdsPostgresArgs, opts?: pulumi.ComponentResourceOptions) {
        super("flyte:aws:RdsPostgres", name, {}, opts);
        const child = { parent: this };
        const { names, config } = args;
        const tags = { ...args.tags };
        const protect = args.deletionProtection;

        const generated = new random.RandomPassword(`${name}-password`, { length: 40, special: false }, child);
        const password = pulumi.secret(generated.result);

        // No rules inline: the provider then also drops AWS's default allow-all egress.
        this.securityGroup = new aws.ec2.SecurityGroup(
            `${name}-sg`,
            { name: names.databaseSecurityGroup, description: "Flyte's Postgres: 5432 from the EKS nodes only", vpcId: args.vpcId, tags },
            child,
        );
        this.clientAccess = new aws.vpc.SecurityGroupIngressRule(
            `${name}-from-nodes`,
            {
                securityGroupId: this.securityGroup.id,
                referencedSecurityGroupId: args.clientSecurityGroupId,
                ipProtocol: "tcp",
                fromPort: RDS_PORT,
                toPort: RDS_PORT,
                description: "Postgres from the EKS cluster's nodes",
                tags,
            },
            child,
        );
        const subnetGroup = new aws.rds.SubnetGroup(
            `${name}-subnets`,
            { name: names.databaseSubnetGroup, subnetIds: args.privateSubnetIds, tags },
            child,
        );
        const parameters = new aws.rds.ParameterGroup(
            `${name}-params`,
            {
                name: names.databaseParameterGroup,
                family: postgresFamily(config.engineVersion),
                description: "Flyte's Postgres: TLS required",
                parameters: [{ name: "rds.force_ssl", value: "1", applyMethod: "pending-reboot" }],
                tags,
            },
            child,
        );

        this.instance = new aws.rds.Instance(
            `${name}-instance`,
            {
                identifier: names.database,
                engine: "postgres",
                engineVersion: config.engineVersion,
                instanceClass: config.instanceClass,
                allocatedStorage: config.allocatedStorageGb,
                maxAllocatedStorage: config.maxAllocatedStorageGb,
                storageType: "gp3",
                storageEncrypted: true,
                dbName: RDS_DATABASE,
                username: RDS_USER,
                password,
                port: RDS_PORT,
                dbSubnetGroupName: subnetGroup.name,
                vpcSecurityGroupIds: [this.securityGroup.id],
                parameterGroupName: parameters.name,
                publiclyAccessible: false,
                multiAz: config.multiAz,
                backupRetentionPeriod: config.backupRetentionDays,
                backupWindow: "02:00-03:00",
                maintenanceWindow: "sun:03:30-sun:04:30",
                autoMinorVersionUpgrade: true,
                copyTagsToSnapshot: true,
                deletionProtection: protect,
                skipFinalSnapshot: !protect,
                finalSnapshotIdentifier: protect ? names.databaseFinalSnapshot : undefined,
                performanceInsightsEnabled: true,
                tags,
            },
            { ...child, protect },
        );

        this.connection = {
            host: this.instance.address,
            port: RDS_PORT,
            name: pulumi.output(RDS_DATABASE),
            username: pulumi.output(RDS_USER),
            password,
            options: RDS_OPTIONS,
        };
        this.registerOutputs({ host: this.connection.host });
    }
}
