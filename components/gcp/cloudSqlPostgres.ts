import * as gcp from "@pulumi/gcp";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import type { CloudSqlConfig } from "../contract/config";

export const FLYTE_DATABASE = "flyte";
export const FLYTE_DATABASE_USER = "flyte";
export const POSTGRES_PORT = 5432;
/** Cloud SQL requires TLS (see sslMode below); Flyte's libpq options must ask for it. */
export const FLYTE_DATABASE_OPTIONS = "sslmode=require";

export interface CloudSqlPostgresArgs {
    readonly project: string;
    readonly region: string;
    readonly instanceName: string;
    readonly config: CloudSqlConfig;
    /** Provider deletion protection on the instance and Pulumi `protect` on the instance and database. */
    readonly deletionProtection: boolean;
    /** VPC whose private services access range gives the instance its private IP. */
    readonly network: pulumi.Input<string>;
    /** The private services access peering; a private-IP instance cannot be created before it. */
    readonly privateServicesConnection: pulumi.Resource;
    readonly labels: Readonly<Record<string, string>>;
    readonly apis: { readonly sqladmin: pulumi.Resource };
}

/**
 * Cloud SQL for PostgreSQL on a private IP only, TLS enforced, with daily backups and point-in-time recovery,
 * plus Flyte's database and user. The password is generated and only ever handled as a Pulumi secret.
 */
export class CloudSqlPostgres extends pulumi.ComponentResource {
    readonly instance: gcp.sql.DatabaseInstance;
    readonly database: gcp.sql.Database;
    readonly user: gcp.sql.User;
    readonly host: pulumi.Output<string>;
    readonly port = POSTGRES_PORT;
    readonly databaseName: pulumi.Output<string>;
    readonly username: pulumi.Output<string>;
    readonly password: pulumi.Output<string>;

    constructor(name: string, args: CloudSqlPostgresArgs, opts?: pulumi.ComponentResourceOptions) {
        super("flyte:gcp:CloudSqlPostgres", name, {}, opts);
        const { config } = args;
        const protect = args.deletionProtection;

        const password = new random.RandomPassword(
            `${name}-password`,
            // Letters and digits only: nothing that needs escaping in a DSN or a mounted file.
            { length: 40, special: false },
            { parent: this },
        );
        this.password = pulumi.secret(password.result);

        this.instance = new gcp.sql.DatabaseInstance(
            `${name}-instance`,
            {
                project: args.project,
                region: args.region,
                name: args.instanceName,
                databaseVersion: config.version,
                deletionProtection: protect,
                settings: {
                    // Postgres 16+ defaults to Enterprise Plus, which rejects db-custom and shared-core tiers.
                    edition: "ENTERPRISE",
                    tier: config.tier,
                    availabilityType: config.highAvailability ? "REGIONAL" : "ZONAL",
                    diskType: "PD_SSD",
                    diskSize: config.diskSizeGb,
                    diskAutoresize: true,
                    deletionProtectionEnabled: protect,
                    retainBackupsOnDelete: protect,
                    ipConfiguration: {
                        ipv4Enabled: false,
                        privateNetwork: args.network,
                        sslMode: "ENCRYPTED_ONLY",
                    },
                    backupConfiguration: {
                        enabled: true,
                        startTime: "02:00",
                        pointInTimeRecoveryEnabled: true,
                        transactionLogRetentionDays: Math.min(7, config.backupRetentionDays),
                        backupRetentionSettings: {
                            retainedBackups: config.backupRetentionDays,
                            retentionUnit: "COUNT",
                        },
                    },
                    maintenanceWindow: { day: 7, hour: 3, updateTrack: "stable" },
                    insightsConfig: { queryInsightsEnabled: true },
                    userLabels: { ...args.labels },
                },
            },
            {
                parent: this,
                protect,
                dependsOn: [args.apis.sqladmin, args.privateServicesConnection],
                // The disk grows on its own; the configured size is only where it starts.
                ignoreChanges: ["settings.diskSize"],
            },
        );

        this.database = new gcp.sql.Database(
            `${name}-database`,
            {
                project: args.project,
                instance: this.instance.name,
                name: FLYTE_DATABASE,
                // Dropped with the instance; dropping it alone fails while Flyte holds connections.
                deletionPolicy: "ABANDON",
            },
            { parent: this, protect },
        );

        this.user = new gcp.sql.User(
            `${name}-user`,
            {
                project: args.project,
                instance: this.instance.name,
                name: FLYTE_DATABASE_USER,
                password: this.password,
                // Postgres refuses to drop a role that owns Flyte's tables.
                deletionPolicy: "ABANDON",
            },
            { parent: this },
        );

        this.host = this.instance.privateIpAddress;
        this.databaseName = this.database.name;
        this.username = this.user.name;

        this.registerOutputs({ host: this.host, databaseName: this.databaseName, username: this.username });
    }
}
