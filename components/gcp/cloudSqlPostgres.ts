import * as gcp from "@pulumi/gcp";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import type { CloudSqlConfig } from "../contract/config";
import type { FlyteDatabase } from "../contract/platform";

export const FLYTE_DATABASE = "flyte";
export const FLYTE_DATABASE_USER = "flyte";
export const POSTGRES_PORT = 5432;
/** Cloud SQL requires TLS (see sslMode below); Flyte's libpq options must ask for it. */
export const FLYTE_DATABASE_OPTIONS = "sslmode=require";

export interface CloudSqlPostgresArgs {
    /** The GCP project id the instance lives in. */
    readonly project: string;
    /** The instance's region: the cluster's, so that Flyte reaches its database without leaving the region. */
    readonly region: string;
    /**
     * The instance's name (at most 67 characters, see GCP_LIMITS). A new name means a new, empty instance, and a
     * deleted instance's name cannot be used again for up to a week
     * (https://cloud.google.com/sql/docs/postgres/create-instance).
     */
    readonly instanceName: string;
    /**
     * Postgres major version, machine tier (e.g. `db-custom-2-7680`), starting disk size in GB (it grows on its
     * own), high availability (a standby in another zone), and how many daily backups are kept.
     */
    readonly config: CloudSqlConfig;
    /** Provider deletion protection on the instance and Pulumi `protect` on the instance and database. */
    readonly deletionProtection: boolean;
    /** VPC whose private services access range gives the instance its private IP. */
    readonly network: pulumi.Input<string>;
    /** The private services access peering; a private-IP instance cannot be created before it. */
    readonly privateServicesConnection: pulumi.Resource;
    /** GCP labels on the instance (`userLabels`). */
    readonly labels: Readonly<Record<string, string>>;
    /** APIs that must be enabled first. */
    readonly apis: {
        /** sqladmin.googleapis.com: creating the instance fails until it is enabled. */
        readonly sqladmin: pulumi.Resource;
    };
}

/**
 * Cloud SQL for PostgreSQL on a private IP only, TLS enforced, with daily backups and point-in-time recovery,
 * plus Flyte's database and user. The password is generated and only ever handled as a Pulumi secret.
 */
export class CloudSqlPostgres extends pulumi.ComponentResource {
    readonly instance: gcp.sql.DatabaseInstance;
    readonly database: gcp.sql.Database;
    readonly user: gcp.sql.User;
    /** How Flyte connects: the private IP, over TLS, as Flyte's user with its password (a Pulumi secret). */
    readonly connection: FlyteDatabase;

    constructor(name: string, args: CloudSqlPostgresArgs, opts?: pulumi.ComponentResourceOptions) {
        super("flyte:gcp:CloudSqlPostgres", name, {}, opts);
        const { config } = args;
        const protect = args.deletionProtection;

        const generated = new random.RandomPassword(
            `${name}-password`,
            // Letters and digits only: nothing that needs escaping in a DSN or a mounted file.
            { length: 40, special: false },
            { parent: this },
        );
        const password = pulumi.secret(generated.result);

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
                password,
                // Postgres refuses to drop a role that owns Flyte's tables.
                deletionPolicy: "ABANDON",
            },
            { parent: this },
        );

        this.connection = {
            host: this.instance.privateIpAddress,
            port: POSTGRES_PORT,
            name: this.database.name,
            username: this.user.name,
            password,
            options: FLYTE_DATABASE_OPTIONS,
        };

        this.registerOutputs({ host: this.connection.host, databaseName: this.connection.name, username: this.connection.username });
    }
}
