import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import type { AwsConfig } from "../contract/config";
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
    readonly names: Pick<
        AwsNames,
        "database" | "databaseSubnetGroup" | "databaseParameterGroup" | "databaseSecurityGroup" | "databaseFinalSnapshot"
    >;
    readonly config: AwsConfig["database"];
    /** Deletion protection, a final snapshot, and Pulumi `protect`. */
    readonly deletionProtection: boolean;
    readonly vpcId: pulumi.Input<string>;
    readonly privateSubnetIds: pulumi.Input<string[]>;
    /**
     * The only clients: the security group of the cluster's nodes. The rule that admits them is a separate
     * resource, so the database never waits for the cluster.
     */
    readonly clientSecurityGroupId: pulumi.Input<string>;
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
    readonly host: pulumi.Output<string>;
    readonly port = RDS_PORT;
    readonly databaseName: pulumi.Output<string>;
    readonly username: pulumi.Output<string>;
    readonly password: pulumi.Output<string>;

    constructor(name: string, args: RdsPostgresArgs, opts?: pulumi.ComponentResourceOptions) {
        super("flyte:aws:RdsPostgres", name, {}, opts);
        const child = { parent: this };
        const { names, config } = args;
        const tags = { ...args.tags };
        const protect = args.deletionProtection;

        const password = new random.RandomPassword(`${name}-password`, { length: 40, special: false }, child);
        this.password = pulumi.secret(password.result);

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
                password: this.password,
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

        this.host = this.instance.address;
        this.databaseName = pulumi.output(RDS_DATABASE);
        this.username = pulumi.output(RDS_USER);
        this.registerOutputs({ host: this.host });
    }
}
