import * as k8s from "@pulumi/kubernetes";
import { LocalPostgres } from "../../../components/local/localPostgres";
import { mockPassword } from "../../../lib/plan/mocks";
import type { Plan } from "../../../lib/plan/runPlan";
import { childrenOf, component, runComponents } from "../../helpers/components";
import { selects } from "../../helpers/helm";
import { byName, only } from "../../helpers/plan";
import { arrayAt, at, recordAt, stringMapAt } from "../../helpers/json";

const IMAGE = "registry.example.com/library/postgres:16.6-alpine";

async function planPostgres(storageClass: string, protect: boolean): Promise<Plan> {
    return runComponents(() => {
        const provider = new k8s.Provider("k", { kubeconfig: "{}" });
        const pg = new LocalPostgres("pg", {
            namespace: "flyte-deps",
            image: IMAGE,
            volumeGi: 7,
            storageClass,
            protect,
            labels: { team: "ml" },
            provider,
        });
        const c = pg.connection;
        return { host: c.host, port: c.port, database: c.name, user: c.username, password: c.password, options: c.options };
    });
}

describe("with a StorageClass, protected", () => {
    let plan: Plan;
    beforeAll(async () => {
        plan = await planPostgres("fast-ssd", true);
    });
    const deployment = () => byName(plan, "kubernetes:apps/v1:Deployment", "pg-server");
    const container = () => recordAt(deployment().inputs, "spec", "template", "spec", "containers", 0);
    const secret = () => byName(plan, "kubernetes:core/v1:Secret", "pg-credentials");
    const volume = () => byName(plan, "kubernetes:core/v1:PersistentVolumeClaim", "pg-data");
    const service = () => byName(plan, "kubernetes:core/v1:Service", "pg-service");

    test("owns a password, a Secret, a volume, a Deployment and a Service; Kubernetes objects use the provider", () => {
        const children = childrenOf(plan, component(plan, "flyte:local:LocalPostgres"));
        expect(children.map((c) => c.type).sort()).toEqual([
            "kubernetes:apps/v1:Deployment",
            "kubernetes:core/v1:PersistentVolumeClaim",
            "kubernetes:core/v1:Secret",
            "kubernetes:core/v1:Service",
            "random:index/randomPassword:RandomPassword",
        ]);
        const provider = byName(plan, "pulumi:providers:kubernetes", "k");
        for (const child of children.filter((c) => c.type.startsWith("kubernetes:"))) {
            expect(child.provider.startsWith(`${provider.urn}::`)).toBe(true);
            expect(at(child.inputs, "metadata", "namespace")).toBe("flyte-deps");
        }
    });

    test("runs the configured image, one replica, recreated rather than rolled", () => {
        expect(container().image).toBe(IMAGE);
        expect(at(deployment().inputs, "spec", "replicas")).toBe(1);
        expect(at(deployment().inputs, "spec", "strategy")).toEqual({ type: "Recreate" });
    });

    test("the password comes from the component's Secret, whose data is secret", () => {
        const env = arrayAt(container(), "env");
        expect(env).toContainEqual({
            name: "POSTGRES_PASSWORD",
            valueFrom: { secretKeyRef: { name: "postgres-credentials", key: "POSTGRES_PASSWORD" } },
        });
        expect(env.filter((e) => at(e, "name") === "POSTGRES_PASSWORD")).toHaveLength(1);
        expect(at(secret().inputs, "metadata", "name")).toBe("postgres-credentials");
        expect(secret().inputs.stringData).toBe("[secret]");
        expect(secret().inputs.data).toBeUndefined();
        expect(deployment().dependencies).toContain(secret().urn);
    });

    test("creates user and database flyte and keeps its data in a subdirectory of the volume", () => {
        const env = arrayAt(container(), "env");
        expect(env).toContainEqual({ name: "POSTGRES_USER", value: "flyte" });
        expect(env).toContainEqual({ name: "POSTGRES_DB", value: "flyte" });
        expect(env).toContainEqual({ name: "PGDATA", value: "/var/lib/postgresql/data/pgdata" });
        expect(arrayAt(container(), "volumeMounts")).toContainEqual({ name: "data", mountPath: "/var/lib/postgresql/data" });
        expect(at(deployment().inputs, "spec", "template", "spec", "volumes")).toContainEqual({
            name: "data",
            persistentVolumeClaim: { claimName: "postgres-data" },
        });
    });

    test("runs as the image's postgres user (70), never root, with a read-only root, no capabilities and no API token", () => {
        const pod = recordAt(deployment().inputs, "spec", "template", "spec");
        expect(pod.securityContext).toEqual({
            runAsNonRoot: true,
            runAsUser: 70,
            runAsGroup: 70,
            fsGroup: 70,
            fsGroupChangePolicy: "OnRootMismatch",
            seccompProfile: { type: "RuntimeDefault" },
        });
        expect(pod.automountServiceAccountToken).toBe(false);
        expect(container().securityContext).toEqual({
            allowPrivilegeEscalation: false,
            readOnlyRootFilesystem: true,
            capabilities: { drop: ["ALL"] },
        });
        expect(container().resources).toEqual({ requests: { cpu: "100m", memory: "256Mi" }, limits: { memory: "1Gi" } });
    });

    test("writes only to its volume and to emptyDirs: the socket directory and /tmp", () => {
        expect(arrayAt(container(), "volumeMounts")).toEqual([
            { name: "data", mountPath: "/var/lib/postgresql/data" },
            { name: "run", mountPath: "/var/run/postgresql" },
            { name: "tmp", mountPath: "/tmp" },
        ]);
        expect(at(deployment().inputs, "spec", "template", "spec", "volumes")).toEqual([
            { name: "data", persistentVolumeClaim: { claimName: "postgres-data" } },
            { name: "run", emptyDir: { sizeLimit: "64Mi" } },
            { name: "tmp", emptyDir: { sizeLimit: "64Mi" } },
        ]);
    });

    test("is ready only once pg_isready answers", () => {
        expect(at(container(), "readinessProbe", "exec", "command")).toEqual([
            "pg_isready",
            "-h",
            "127.0.0.1",
            "-U",
            "flyte",
            "-d",
            "flyte",
        ]);
        expect(at(container(), "livenessProbe", "exec", "command", 0)).toBe("pg_isready");
    });

    test("a ReadWriteOnce claim of the configured size and StorageClass, not awaited, protected", () => {
        expect(at(volume().inputs, "spec")).toEqual({
            accessModes: ["ReadWriteOnce"],
            storageClassName: "fast-ssd",
            resources: { requests: { storage: "7Gi" } },
        });
        expect(at(volume().inputs, "metadata", "name")).toBe("postgres-data");
        expect(at(volume().inputs, "metadata", "annotations")).toEqual({ "pulumi.com/skipAwait": "true" });
        expect(volume().protect).toBe(true);
        // Only the data is protected; the server can be replaced.
        expect(deployment().protect).toBe(false);
    });

    test("a ClusterIP Service on 5432 selecting the pod", () => {
        expect(at(service().inputs, "metadata", "name")).toBe("postgres");
        expect(at(service().inputs, "spec", "type")).toBe("ClusterIP");
        expect(at(service().inputs, "spec", "ports")).toEqual([{ name: "postgres", port: 5432, targetPort: "postgres" }]);
        expect(arrayAt(container(), "ports")).toEqual([{ name: "postgres", containerPort: 5432 }]);
        const selector = stringMapAt(service().inputs, "spec", "selector");
        expect(Object.keys(selector).length).toBeGreaterThan(0);
        expect(selects(selector, stringMapAt(deployment().inputs, "spec", "template", "metadata", "labels"))).toBe(true);
        expect(stringMapAt(deployment().inputs, "spec", "selector", "matchLabels")).toEqual(selector);
    });

    test("labels carry the caller's labels", () => {
        expect(stringMapAt(deployment().inputs, "spec", "template", "metadata", "labels")).toMatchObject({ team: "ml" });
        expect(stringMapAt(volume().inputs, "metadata", "labels")).toMatchObject({ team: "ml" });
    });

    test("outputs: the Service's cluster DNS name, port, database and user, without TLS; the password is secret", () => {
        expect(plan.outputs).toEqual({
            host: "postgres.flyte-deps.svc.cluster.local",
            port: 5432,
            database: "flyte",
            user: "flyte",
            password: "[secret]",
            options: "sslmode=disable",
        });
    });

    test("the generated password never appears in the plan", () => {
        expect(only(plan, "random:index/randomPassword:RandomPassword").inputs).toMatchObject({ length: 32, special: false });
        expect(mockPassword("pg-password")).toMatch(/^mockpw[0-9a-f]{24}$/);
        expect(JSON.stringify(plan)).not.toContain(mockPassword("pg-password"));
    });
});

describe("on the default StorageClass, unprotected", () => {
    let plan: Plan;
    beforeAll(async () => {
        plan = await planPostgres("", false);
    });

    test("the claim names no StorageClass and is not protected", () => {
        const volume = byName(plan, "kubernetes:core/v1:PersistentVolumeClaim", "pg-data");
        expect(at(volume.inputs, "spec", "storageClassName")).toBeUndefined();
        expect(Object.keys(recordAt(volume.inputs, "spec")).sort()).toEqual(["accessModes", "resources"]);
        expect(volume.protect).toBe(false);
        expect(at(volume.inputs, "metadata", "annotations")).toEqual({ "pulumi.com/skipAwait": "true" });
    });
});
