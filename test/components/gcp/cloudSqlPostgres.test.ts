import * as gcp from "@pulumi/gcp";
import { CloudSqlPostgres } from "../../../components/gcp/cloudSqlPostgres";
import { mockPassword } from "../../../lib/plan/mocks";
import type { Plan } from "../../../lib/plan/runPlan";
import { runComponents } from "../../helpers/components";
import { gcpStackConfig } from "../../helpers/config";
import { byName } from "../../helpers/plan";
import { at } from "../../helpers/json";

async function planDatabase(overrides: Record<string, string>, deletionProtection: boolean): Promise<Plan> {
    const config = gcpStackConfig(overrides);
    return runComponents(() => {
        const sqladmin = new gcp.projects.Service("sqladmin", { service: "sqladmin.googleapis.com" });
        const peering = new gcp.servicenetworking.Connection("psa", {
            network: "vpc",
            service: "servicenetworking.googleapis.com",
            reservedPeeringRanges: ["psa"],
        });
        const db = new CloudSqlPostgres("pg", {
            project: config.gcp.project,
            region: config.gcp.region,
            instanceName: "flyte-test-pg",
            config: config.gcp.database,
            deletionProtection,
            network: "projects/acme-test/global/networks/vpc",
            privateServicesConnection: peering,
            labels: { app: "flyte" },
            apis: { sqladmin },
        });
        const c = db.connection;
        return { host: c.host, database: c.name, user: c.username, password: c.password, port: c.port, options: c.options };
    });
}

describe("a production database", () => {
    let plan: Plan;
    beforeAll(async () => {
        plan = await planDatabase({ "flyte:databaseBackupRetentionDays": "30" }, true);
    });
    const instance = () => byName(plan, "gcp:sql/databaseInstance:DatabaseInstance", "pg-instance");

    test("has a private IP only, in the VPC, and enforces TLS", () => {
        const ip = at(instance().inputs, "settings", "ipConfiguration");
        expect(ip).toMatchObject({
            ipv4Enabled: false,
            privateNetwork: "projects/acme-test/global/networks/vpc",
            sslMode: "ENCRYPTED_ONLY",
        });
        expect(at(ip, "authorizedNetworks")).toBeUndefined();
    });

    test("keeps backups with point-in-time recovery", () => {
        expect(at(instance().inputs, "settings", "backupConfiguration")).toMatchObject({
            enabled: true,
            pointInTimeRecoveryEnabled: true,
            transactionLogRetentionDays: 7,
            backupRetentionSettings: { retainedBackups: 30, retentionUnit: "COUNT" },
        });
        expect(at(instance().inputs, "settings", "retainBackupsOnDelete")).toBe(true);
    });

    test("is regional, deletion-protected at both levels and protected in Pulumi", () => {
        const i = instance();
        expect(at(i.inputs, "settings", "availabilityType")).toBe("REGIONAL");
        expect(i.inputs.deletionProtection).toBe(true);
        expect(at(i.inputs, "settings", "deletionProtectionEnabled")).toBe(true);
        expect(i.protect).toBe(true);
        expect(byName(plan, "gcp:sql/database:Database", "pg-database").protect).toBe(true);
    });

    test("is Enterprise edition so db-custom tiers work with Postgres 16", () => {
        expect(at(instance().inputs, "settings", "edition")).toBe("ENTERPRISE");
        expect(instance().inputs.databaseVersion).toBe("POSTGRES_16");
        expect(at(instance().inputs, "settings", "tier")).toBe("db-custom-2-7680");
    });

    test("waits for the private services peering and the SQL Admin API, nothing else", () => {
        expect(instance().dependencies).toEqual(
            [
                byName(plan, "gcp:projects/service:Service", "sqladmin").urn,
                byName(plan, "gcp:servicenetworking/connection:Connection", "psa").urn,
            ].sort(),
        );
    });

    test("creates Flyte's database and user; the generated password stays secret", () => {
        expect(byName(plan, "gcp:sql/database:Database", "pg-database").inputs.name).toBe("flyte");
        const user = byName(plan, "gcp:sql/user:User", "pg-user");
        expect(user.inputs.name).toBe("flyte");
        expect(user.inputs.password).toBe("[secret]");
        expect(user.inputs.deletionPolicy).toBe("ABANDON");
        expect(byName(plan, "random:index/randomPassword:RandomPassword", "pg-password").inputs).toMatchObject({
            length: 40,
            special: false,
        });
        expect(plan.outputs.password).toBe("[secret]");
        expect(JSON.stringify(plan)).not.toContain(mockPassword("pg-password"));
    });

    test("exports the private IP as the host; Flyte connects on 5432 over TLS", () => {
        expect(plan.outputs).toMatchObject({ host: "10.32.0.3", database: "flyte", user: "flyte", port: 5432, options: "sslmode=require" });
    });
});

describe("a development database", () => {
    let plan: Plan;
    beforeAll(async () => {
        plan = await planDatabase({ "flyte:databaseHighAvailability": "false" }, false);
    });

    test("is zonal and can be deleted", () => {
        const i = byName(plan, "gcp:sql/databaseInstance:DatabaseInstance", "pg-instance");
        expect(at(i.inputs, "settings", "availabilityType")).toBe("ZONAL");
        expect(i.inputs.deletionProtection).toBe(false);
        expect(at(i.inputs, "settings", "deletionProtectionEnabled")).toBe(false);
        expect(i.protect).toBe(false);
        // Backups stay on everywhere.
        expect(at(i.inputs, "settings", "backupConfiguration", "enabled")).toBe(true);
    });
});
