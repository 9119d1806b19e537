import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { JOB_AWAIT_TIMEOUT_SECONDS, JOB_DEADLINE_SECONDS } from "../../../components/shared/hardening";
import { LocalMinio, MINIO_WAIT_ATTEMPTS } from "../../../components/local/localMinio";
import { mockPassword } from "../../../lib/plan/mocks";
import type { Plan } from "../../../lib/plan/runPlan";
import { childrenOf, component, runComponents } from "../../helpers/components";
import { selects } from "../../helpers/helm";
import { durationSeconds, recordCustomTimeouts, runWithFakes } from "../../helpers/jobs";
import { byName, ofType, only } from "../../helpers/plan";
import { arrayAt, at, isRecord, recordAt, stringAt, stringMapAt } from "../../helpers/json";

const IMAGE = "quay.io/minio/minio:RELEASE.2024-12-18T13-15-44Z";
const CLIENT_IMAGE = "quay.io/minio/mc:RELEASE.2024-11-21T17-21-54Z";

let plan: Plan;
let jobTimeouts: Map<string, pulumi.CustomTimeouts | undefined>;

beforeAll(async () => {
    plan = await runComponents(() => {
        jobTimeouts = recordCustomTimeouts("kubernetes:batch/v1:Job");
        const provider = new k8s.Provider("k", { kubeconfig: "{}" });
        const minio = new LocalMinio("minio", {
            namespace: "flyte-deps",
            image: IMAGE,
            clientImage: CLIENT_IMAGE,
            volumeGi: 33,
            storageClass: "standard",
            metadataBucket: "meta-bucket",
            userDataBucket: "user-bucket",
            projects: [],
            nodePorts: { api: 31002, console: 31084 },
            protect: true,
            labels: { team: "ml" },
            provider,
        });
        // The mocks give RandomString no result; apply keeps the secret bit whatever the value.
        const accessKeyId = minio.accessKeyId.apply((v) => v ?? "");
        return {
            endpoint: minio.endpoint,
            rootUser: minio.root.user,
            rootPassword: minio.root.password,
            accessKeyId,
            secretAccessKey: minio.secretAccessKey,
            accessKeyIdIsSecret: pulumi.output(pulumi.isSecret(minio.accessKeyId)),
        };
    });
});

const secret = () => byName(plan, "kubernetes:core/v1:Secret", "minio-credentials");
const deployment = () => byName(plan, "kubernetes:apps/v1:Deployment", "minio-server");
const server = () => recordAt(deployment().inputs, "spec", "template", "spec", "containers", 0);
const service = () => byName(plan, "kubernetes:core/v1:Service", "minio-service");
const job = () => byName(plan, "kubernetes:batch/v1:Job", "minio-buckets");
const jobContainer = () => recordAt(job().inputs, "spec", "template", "spec", "containers", 0);

const CREDENTIAL_KEYS = ["MINIO_ROOT_USER", "MINIO_ROOT_PASSWORD", "FLYTE_ACCESS_KEY", "FLYTE_SECRET_KEY"];

test("owns its credentials, a Secret, a volume, the server, a Service and the bucket Job, all on the provider", () => {
    const children = childrenOf(plan, component(plan, "flyte:local:LocalMinio"));
    expect(children.map((c) => c.type).sort()).toEqual([
        "kubernetes:apps/v1:Deployment",
        "kubernetes:batch/v1:Job",
        "kubernetes:core/v1:PersistentVolumeClaim",
        "kubernetes:core/v1:Secret",
        "kubernetes:core/v1:Service",
        "random:index/randomPassword:RandomPassword",
        "random:index/randomPassword:RandomPassword",
        "random:index/randomString:RandomString",
    ]);
    const provider = byName(plan, "pulumi:providers:kubernetes", "k");
    for (const child of children.filter((c) => c.type.startsWith("kubernetes:"))) {
        expect(child.provider.startsWith(`${provider.urn}::`)).toBe(true);
        expect(at(child.inputs, "metadata", "namespace")).toBe("flyte-deps");
    }
});

test("the Secret holds the four credentials, all secret", () => {
    expect(at(secret().inputs, "metadata", "name")).toBe("minio-credentials");
    expect(secret().inputs.stringData).toBe("[secret]");
    expect(secret().inputs.data).toBeUndefined();
    for (const name of ["minio-root-password", "minio-flyte-secret-key"]) {
        expect(JSON.stringify(plan)).not.toContain(mockPassword(name));
    }
    expect(JSON.stringify(plan)).not.toContain("flyte-admin");
});

test("credentials are generated: no special characters, an upper-case access key", () => {
    const passwords = ofType(plan, "random:index/randomPassword:RandomPassword");
    expect(passwords.map((p) => [p.name, p.inputs.length, p.inputs.special]).sort()).toEqual([
        ["minio-flyte-secret-key", 40, false],
        ["minio-root-password", 32, false],
    ]);
    expect(only(plan, "random:index/randomString:RandomString").inputs).toMatchObject({
        length: 20,
        special: false,
        upper: true,
        lower: false,
    });
});

test("the server runs `server /data` with the console on 9001, root credentials from the Secret", () => {
    expect(server().image).toBe(IMAGE);
    // Its certificate directory under /tmp: by default it is under $HOME, on the read-only root.
    expect(server().args).toEqual(["server", "/data", "--console-address", ":9001", "--certs-dir", "/tmp/certs"]);
    expect(server().env).toEqual([
        { name: "MINIO_ROOT_USER", valueFrom: { secretKeyRef: { name: "minio-credentials", key: "MINIO_ROOT_USER" } } },
        { name: "MINIO_ROOT_PASSWORD", valueFrom: { secretKeyRef: { name: "minio-credentials", key: "MINIO_ROOT_PASSWORD" } } },
    ]);
    expect(server().ports).toEqual([
        { name: "api", containerPort: 9000 },
        { name: "console", containerPort: 9001 },
    ]);
    expect(at(deployment().inputs, "spec", "strategy")).toEqual({ type: "Recreate" });
    expect(at(deployment().inputs, "spec", "replicas")).toBe(1);
});

test("readiness and liveness use MinIO's health endpoints on the API port", () => {
    expect(at(server(), "readinessProbe", "httpGet")).toEqual({ path: "/minio/health/ready", port: "api" });
    expect(at(server(), "livenessProbe", "httpGet")).toEqual({ path: "/minio/health/live", port: "api" });
});

test("data lives on a protected, not awaited claim of the configured size and StorageClass", () => {
    const volume = byName(plan, "kubernetes:core/v1:PersistentVolumeClaim", "minio-data");
    expect(at(volume.inputs, "spec")).toEqual({
        accessModes: ["ReadWriteOnce"],
        storageClassName: "standard",
        resources: { requests: { storage: "33Gi" } },
    });
    expect(at(volume.inputs, "metadata", "annotations")).toEqual({ "pulumi.com/skipAwait": "true" });
    expect(volume.protect).toBe(true);
    expect(server().volumeMounts).toEqual([
        { name: "data", mountPath: "/data" },
        { name: "tmp", mountPath: "/tmp" },
    ]);
    expect(at(deployment().inputs, "spec", "template", "spec", "volumes")).toEqual([
        { name: "data", persistentVolumeClaim: { claimName: "minio-data" } },
        { name: "tmp", emptyDir: { sizeLimit: "1Gi" } },
    ]);
});

test("a NodePort Service named minio with the configured API and console nodePorts, selecting the server only", () => {
    expect(at(service().inputs, "metadata", "name")).toBe("minio");
    expect(at(service().inputs, "spec", "type")).toBe("NodePort");
    expect(at(service().inputs, "spec", "ports")).toEqual([
        { name: "api", port: 9000, targetPort: "api", nodePort: 31002 },
        { name: "console", port: 9001, targetPort: "console", nodePort: 31084 },
    ]);
    const selector = stringMapAt(service().inputs, "spec", "selector");
    expect(selects(selector, stringMapAt(deployment().inputs, "spec", "template", "metadata", "labels"))).toBe(true);
    expect(stringMapAt(deployment().inputs, "spec", "selector", "matchLabels")).toEqual(selector);
    // The setup job's pod must not receive S3 traffic.
    expect(selects(selector, stringMapAt(job().inputs, "spec", "template", "metadata", "labels"))).toBe(false);
});

test("the bucket Job starts after the server and takes every credential from the Secret", () => {
    expect(job().dependencies).toContain(deployment().urn);
    expect(jobContainer().image).toBe(CLIENT_IMAGE);
    expect(at(job().inputs, "spec", "template", "spec", "restartPolicy")).toBe("Never");
    const env = arrayAt(jobContainer(), "env").filter(isRecord);
    const credentials = env.filter((e) => e.name !== "HOME");
    expect(credentials.map((e) => e.name)).toEqual(CREDENTIAL_KEYS);
    for (const e of credentials) {
        expect(e.value).toBeUndefined();
        expect(e.valueFrom).toEqual({ secretKeyRef: { name: "minio-credentials", key: e.name } });
    }
    expect(env.filter((e) => e.name === "HOME")).toEqual([{ name: "HOME", value: "/tmp" }]);
});

test("the Job runs the setup script against the in-cluster endpoint, reading only variables its env provides", () => {
    expect(jobContainer().command).toEqual(["/bin/sh", "-c"]);
    const args = arrayAt(jobContainer(), "args");
    expect(args).toHaveLength(1);
    const script = stringAt(args, 0);
    expect(script.startsWith("set -eu\n")).toBe(true);
    expect(script).toContain(
        'until mc alias set local http://minio.flyte-deps.svc.cluster.local:9000 "$MINIO_ROOT_USER" "$MINIO_ROOT_PASSWORD"',
    );
    expect(script).toContain("mc mb --ignore-existing local/meta-bucket\n");
    expect(script).toContain("mc mb --ignore-existing local/user-bucket\n");
    expect(script).toContain("mc version enable local/meta-bucket\n");
    const provided = new Set(arrayAt(jobContainer(), "env").map((e) => `$${String(at(e, "name"))}`));
    for (const variable of script.match(/\$[A-Z_]+/g) ?? []) {
        expect(provided.has(variable)).toBe(true);
    }
});

test("outputs: the in-cluster endpoint; every credential is secret", () => {
    expect(plan.outputs).toEqual({
        endpoint: "http://minio.flyte-deps.svc.cluster.local:9000",
        rootUser: "[secret]",
        rootPassword: "[secret]",
        accessKeyId: "[secret]",
        secretAccessKey: "[secret]",
        accessKeyIdIsSecret: true,
    });
});

describe("hardening", () => {
    const RESTRICTED = { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ["ALL"] } };

    test("the server runs as uid and gid 1000, never root, with a read-only root, no capabilities and no API token", () => {
        const pod = recordAt(deployment().inputs, "spec", "template", "spec");
        expect(pod.securityContext).toEqual({
            runAsNonRoot: true,
            runAsUser: 1000,
            runAsGroup: 1000,
            // The data volume becomes writable for it where the volume type supports fsGroup.
            fsGroup: 1000,
            fsGroupChangePolicy: "OnRootMismatch",
            seccompProfile: { type: "RuntimeDefault" },
        });
        expect(pod.automountServiceAccountToken).toBe(false);
        expect(server().securityContext).toEqual(RESTRICTED);
        expect(server().resources).toEqual({ requests: { cpu: "100m", memory: "256Mi" }, limits: { memory: "1Gi" } });
    });

    test("the Job's mc runs the same way, writing only to a /tmp emptyDir (its $HOME and the policy files)", () => {
        const pod = recordAt(job().inputs, "spec", "template", "spec");
        expect(pod.securityContext).toEqual({ runAsNonRoot: true, runAsUser: 1000, runAsGroup: 1000, seccompProfile: { type: "RuntimeDefault" } });
        expect(pod.automountServiceAccountToken).toBe(false);
        expect(jobContainer().securityContext).toEqual(RESTRICTED);
        expect(jobContainer().resources).toEqual({ requests: { cpu: "10m", memory: "32Mi" }, limits: { memory: "128Mi" } });
        expect(jobContainer().volumeMounts).toEqual([{ name: "tmp", mountPath: "/tmp" }]);
        expect(pod.volumes).toEqual([{ name: "tmp", emptyDir: { sizeLimit: "64Mi" } }]);
        const script = stringAt(jobContainer(), "args", 0);
        for (const written of script.match(/> (\S+)/g) ?? []) {
            expect(written).toMatch(/^> \/tmp\//);
        }
    });
});

describe("the bucket Job cannot hang `pulumi up`", () => {
    test("a deadline and one retry, a new pod per attempt, its log as the failure message, replaced after a failure", () => {
        expect(at(job().inputs, "spec", "activeDeadlineSeconds")).toBe(JOB_DEADLINE_SECONDS);
        expect(at(job().inputs, "spec", "backoffLimit")).toBe(1);
        expect(at(job().inputs, "spec", "template", "spec", "restartPolicy")).toBe("Never");
        expect(jobContainer().terminationMessagePolicy).toBe("FallbackToLogsOnError");
        expect(at(job().inputs, "metadata", "annotations")).toEqual({ "pulumi.com/replaceUnready": "true" });
    });

    test("Pulumi waits a minute longer than the Job may run, so the Job fails first, with its own reason", () => {
        const timeouts = jobTimeouts.get("minio-buckets");
        expect(timeouts).toEqual({ create: `${JOB_AWAIT_TIMEOUT_SECONDS}s`, update: `${JOB_AWAIT_TIMEOUT_SECONDS}s` });
        for (const wait of [timeouts?.create, timeouts?.update]) {
            expect(durationSeconds(String(wait)) - JOB_DEADLINE_SECONDS).toBe(60);
        }
        // Less than the provider's default of 10 minutes, which it would otherwise wait.
        expect(JOB_AWAIT_TIMEOUT_SECONDS).toBeLessThan(600);
    });

    const script = () => stringAt(jobContainer(), "args", 0);
    const endpoint = "http://minio.flyte-deps.svc.cluster.local:9000";
    const credentials = { MINIO_ROOT_USER: "root", MINIO_ROOT_PASSWORD: "pw", FLYTE_ACCESS_KEY: "AK", FLYTE_SECRET_KEY: "SK" };
    /** mc that refuses `alias set` for its first `failures` calls (as while MinIO does not answer), then succeeds. */
    const mc = (failures: number) => `if [ "$1" = alias ] && [ "$n" -lt ${failures} ]; then echo "mc: <ERROR> Unable to initialize new alias: dial tcp: connection refused" >&2; exit 1; fi; exit 0`;

    test("a MinIO that answers late: the log says what it waits for, attempt by attempt, then the setup runs", () => {
        const run = runWithFakes(script(), { mc: mc(2) }, credentials);
        expect(run.status).toBe(0);
        expect(run.stdout.split("\n").filter((l) => l.startsWith("waiting for"))).toEqual([
            `waiting for MinIO at ${endpoint} (attempt 1 of ${MINIO_WAIT_ATTEMPTS})`,
            `waiting for MinIO at ${endpoint} (attempt 2 of ${MINIO_WAIT_ATTEMPTS})`,
        ]);
        expect(run.calls.filter((c) => c.command === "sleep")).toHaveLength(2);
        const mcCalls = run.calls.filter((c) => c.command === "mc");
        expect(mcCalls.slice(0, 3).map((c) => c.args.slice(0, 2))).toEqual([["alias", "set"], ["alias", "set"], ["alias", "set"]]);
        expect(mcCalls.slice(3).map((c) => c.args[0])).toEqual(["mb", "mb", "version", "admin", "admin", "admin"]);
        expect(run.stderr).not.toContain("failed");
    });

    test("a MinIO that never answers: a bounded number of attempts, then a failure that says what it waited for", () => {
        const run = runWithFakes(script(), { mc: mc(1000) }, credentials);
        expect(run.status).toBe(1);
        expect(run.calls.filter((c) => c.command === "mc")).toHaveLength(MINIO_WAIT_ATTEMPTS);
        expect(run.calls.filter((c) => c.command === "sleep")).toHaveLength(MINIO_WAIT_ATTEMPTS - 1);
        const lastLines = run.stderr.trim().split("\n").slice(-2);
        expect(lastLines).toEqual([
            `MinIO at ${endpoint} did not answer in ${MINIO_WAIT_ATTEMPTS} attempts: giving up`,
            `MinIO setup at ${endpoint} failed (exit 1): the error is above`,
        ]);
        // mc's own error stays in the log too.
        expect(run.stderr).toContain("connection refused");
    });

    test("a later mc command that fails ends the script there, naming MinIO in the last line", () => {
        const run = runWithFakes(script(), { mc: 'if [ "$1" = mb ]; then echo "mc: <ERROR> Unable to make bucket" >&2; exit 3; fi; exit 0' }, credentials);
        expect(run.status).toBe(3);
        expect(run.calls.filter((c) => c.command === "mc").map((c) => c.args[0])).toEqual(["alias", "mb"]);
        expect(run.stderr.trim().split("\n").pop()).toBe(`MinIO setup at ${endpoint} failed (exit 3): the error is above`);
    });

    test("every wait is well inside the deadline: each attempt gives up connecting after mc's 10 s", () => {
        const delay = Number(/\n {2}sleep (\d+)\n/.exec(script())?.[1]);
        expect(delay).toBeGreaterThan(0);
        expect(MINIO_WAIT_ATTEMPTS * (10 + delay)).toBeLessThan(JOB_DEADLINE_SECONDS - 60);
    });
});

describe("project isolation: each project's keys are its own resources, whatever the project is called", () => {
    let isolated: Plan;
    beforeAll(async () => {
        isolated = await runComponents(() => {
            const provider = new k8s.Provider("k", { kubeconfig: "{}" });
            const project = (id: string) => ({ project: id, bucket: `flyte-data-${id}`, metadataPrefixes: [`metadata/propeller/${id}-development-`] });
            new LocalMinio("minio", {
                namespace: "flyte-deps",
                image: IMAGE,
                clientImage: CLIENT_IMAGE,
                volumeGi: 1,
                storageClass: "",
                metadataBucket: "meta-bucket",
                userDataBucket: "user-bucket",
                // A project named like Flyte's own key ("flyte") once gave two resources one URN.
                projects: [project("flyte"), project("ml")],
                nodePorts: { api: 31002, console: 31084 },
                protect: false,
                labels: {},
                provider,
            });
            return {};
        });
    });

    test("Flyte's key and each project's key are distinct resources", () => {
        const names = [...ofType(isolated, "random:index/randomString:RandomString"), ...ofType(isolated, "random:index/randomPassword:RandomPassword")].map((r) => r.name);
        expect(new Set(names).size).toBe(names.length);
        expect(names.sort()).toEqual(
            [
                "minio-flyte-access-key",
                "minio-flyte-secret-key",
                "minio-root-password",
                "minio-project-flyte-access-key",
                "minio-project-flyte-secret-key",
                "minio-project-ml-access-key",
                "minio-project-ml-secret-key",
            ].sort(),
        );
        expect(new Set(isolated.resources.map((r) => r.urn)).size).toBe(isolated.resources.length);
    });
});
