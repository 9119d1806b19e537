/** The verification's pure parts: what each stage checks, where, and how its pods run. */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import {
    dataLocations,
    endpointProbeRules,
    endpointStage,
    identityCheck,
    PROBE_ENTRY,
    PROBE_MOUNT_DIR,
    PROBE_CALL_SECONDS,
    PROBE_WAIT_SECONDS,
    probeContainer,
    probeFiles,
    probeVolumes,
    verifiedIdentityKey,
    verifiedNamespace,
    verifiedStore,
    workloadStage,
} from "../../../components/flyte/verification";
import { JOB_DEADLINE_SECONDS } from "../../../components/shared/hardening";

const NAMESPACES = [
    { project: "flytesnacks", domain: "development", namespace: "flytesnacks-development" },
    { project: "flytesnacks", domain: "staging", namespace: "flytesnacks-staging" },
    { project: "ml", domain: "development", namespace: "ml-development" },
];
const FLYTE = { projects: ["flytesnacks", "ml"], projectNamespaces: NAMESPACES, projectIsolation: false };

describe("the verified namespace and identity", () => {
    test("the first project's first domain", () => {
        expect(verifiedNamespace(FLYTE)).toEqual(NAMESPACES[0]);
    });

    test("no project-domain at all is refused", () => {
        expect(() => verifiedNamespace({ projectNamespaces: [] })).toThrow("verification needs at least one Flyte project and domain");
    });

    test("the shared worker identity, or the project's own with isolation", () => {
        expect(verifiedIdentityKey({ projectIsolation: false }, "flytesnacks")).toBe("worker");
        expect(verifiedIdentityKey({ projectIsolation: true }, "flytesnacks")).toBe("worker-flytesnacks");
    });
});

describe("the endpoint stage", () => {
    const service = { namespace: "flyte", name: "flyte-binary-lb" };

    test("without authentication: Flyte's two ports on the Service, every project, the namespace and its annotation", () => {
        expect(
            endpointStage({ stack: "dev", flyte: FLYTE, service, authenticated: false, annotation: { key: "iam.gke.io/gcp-service-account", value: "w@p.iam.gserviceaccount.com" } }),
        ).toEqual({
            stage: "endpoint",
            stack: "dev",
            waitSeconds: PROBE_WAIT_SECONDS,
            service: { namespace: "flyte", name: "flyte-binary-lb", httpPort: 8088, grpcPort: 8089 },
            projects: ["flytesnacks", "ml"],
            taskNamespace: {
                name: "flytesnacks-development",
                serviceAccount: "default",
                annotation: { key: "iam.gke.io/gcp-service-account", value: "w@p.iam.gserviceaccount.com" },
            },
            signedUpload: { project: "flytesnacks", domain: "development" },
        });
    });

    test("with authentication: signs in as the CI client with a secret from a mounted file", () => {
        expect(endpointStage({ stack: "dev", flyte: FLYTE, service, authenticated: true }).client).toEqual({
            clientId: "flyte-ci",
            secretFile: "/etc/flyte/ci-client/client_secret",
            tokenPath: "/oauth2/token",
            scope: "all",
        });
    });

    test("local: no annotation to wait for", () => {
        expect(endpointStage({ stack: "local", flyte: FLYTE, service, authenticated: false }).taskNamespace).toEqual({
            name: "flytesnacks-development",
            serviceAccount: "default",
        });
    });

    test("its four waits and its calls fit in the Job's deadline", () => {
        expect(4 * PROBE_WAIT_SECONDS + PROBE_CALL_SECONDS).toBeLessThan(JOB_DEADLINE_SECONDS);
    });

    test("its RBAC reads the verified namespace and service accounts named default, by name, and nothing else", () => {
        expect(endpointProbeRules("flytesnacks-development")).toEqual([
            { apiGroups: [""], resources: ["namespaces"], resourceNames: ["flytesnacks-development"], verbs: ["get"] },
            { apiGroups: [""], resources: ["serviceaccounts"], resourceNames: ["default"], verbs: ["get"] },
        ]);
    });
});

describe("the workload stage", () => {
    const target = NAMESPACES[0];
    const locations = dataLocations({ target, metadataBucket: "meta", rawDataBucket: "raw" });

    test("the raw outputs under data/ and the metadata under the project-domain's propeller prefix", () => {
        expect(locations).toEqual([
            { purpose: "raw outputs of project flytesnacks", bucket: "raw", prefix: "data/" },
            { purpose: "execution metadata of flytesnacks/development", bucket: "meta", prefix: "metadata/propeller/flytesnacks-development-" },
        ]);
    });

    test("GKE: the Google service account and the nodes' one; GCS", () => {
        expect(workloadStage({ stack: "dev", target, store: { provider: "gcs" }, identity: { value: "w@p.iam.gserviceaccount.com", nodeIdentity: "n@p.iam.gserviceaccount.com" }, locations })).toEqual({
            stage: "workload",
            stack: "dev",
            namespace: "flytesnacks-development",
            serviceAccount: "default",
            identity: { kind: "gke", email: "w@p.iam.gserviceaccount.com", nodeEmail: "n@p.iam.gserviceaccount.com" },
            store: { kind: "gcs" },
            locations,
        });
    });

    test("EKS: the role and STS in the buckets' region; S3", () => {
        const stage = workloadStage({ stack: "eks", target, store: { provider: "s3", region: "eu-central-1" }, identity: { value: "arn:aws:iam::1:role/w" }, locations });
        expect([stage.identity, stage.store]).toEqual([
            { kind: "irsa", roleArn: "arn:aws:iam::1:role/w", region: "eu-central-1" },
            { kind: "s3", region: "eu-central-1" },
        ]);
    });

    test("MinIO: static keys at the store's endpoint", () => {
        const stage = workloadStage({ stack: "local", target, store: { provider: "s3-compatible", endpoint: "http://minio:9000", region: "us-east-1" }, locations });
        expect([stage.identity, stage.store]).toEqual([{ kind: "static-keys" }, { kind: "s3-compatible", endpoint: "http://minio:9000", region: "us-east-1" }]);
    });

    test("the store's kind and how it is reached, without its buckets", () => {
        const buckets = { metadataBucket: pulumi.output("m"), userDataBucket: pulumi.output("u"), projects: {} };
        expect(verifiedStore({ provider: "gcs", project: "p", ...buckets })).toEqual({ provider: "gcs" });
        expect(verifiedStore({ provider: "s3", region: "eu-central-1", ...buckets })).toEqual({ provider: "s3", region: "eu-central-1" });
        const key = { id: pulumi.output("id"), secret: pulumi.output("secret") };
        expect(verifiedStore({ provider: "s3-compatible", region: "us-east-1", endpoint: "http://minio:9000", disableSSL: true, accessKey: key, ...buckets })).toEqual({
            provider: "s3-compatible",
            endpoint: "http://minio:9000",
            region: "us-east-1",
        });
    });

    test("a cloud store without the task identity is refused", () => {
        expect(() => identityCheck({ provider: "gcs" })).toThrow("verification on GCS needs the task pods' Google service account");
        expect(() => identityCheck({ provider: "s3", region: "eu-central-1" })).toThrow("verification on AWS S3 needs the task pods' IAM role");
    });
});

describe("the probe's pods", () => {
    test("node runs the probe's entry from the mounted files, restricted, bounded in memory", () => {
        const container = probeContainer({ stage: "endpoint", image: "node@sha256:abc", config: "{}", probeVolume: "probe", clientSecretVolume: "ci-client" });
        expect(container.command).toEqual(["node", "--disable-warning=ExperimentalWarning", `${PROBE_MOUNT_DIR}/${PROBE_ENTRY}`]);
        expect(container.env).toEqual([{ name: "VERIFY_CONFIG", value: "{}" }]);
        expect(container.securityContext).toEqual({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ["ALL"] } });
        expect(container.resources).toEqual({ requests: { cpu: "50m", memory: "64Mi" }, limits: { memory: "192Mi" } });
        expect(container.volumeMounts).toEqual([
            { name: "probe", mountPath: PROBE_MOUNT_DIR, readOnly: true },
            { name: "tmp", mountPath: "/tmp" },
            { name: "ci-client", mountPath: "/etc/flyte/ci-client", readOnly: true },
        ]);
    });

    test("with static keys the probe gets the task pods' storage Secret as they do", () => {
        const container = probeContainer({ stage: "workload", image: "i", config: "{}", probeVolume: "probe", storageSecret: "flyte-storage-credentials" });
        expect(container.envFrom).toEqual([{ secretRef: { name: "flyte-storage-credentials" } }]);
        expect(probeContainer({ stage: "workload", image: "i", config: "{}", probeVolume: "probe" }).envFrom).toBeUndefined();
    });

    test("volumes: the probe's ConfigMap, a small /tmp and only the CI client's secret key", () => {
        expect(probeVolumes({ configMap: "cm", clientSecret: { secretName: "s", key: "client_secret" } })).toEqual([
            { name: "probe", configMap: { name: "cm" } },
            { name: "tmp", emptyDir: { sizeLimit: "16Mi" } },
            { name: "ci-client", secret: { secretName: "s", items: [{ key: "client_secret", path: "client_secret" }] } },
        ]);
    });
});

describe("the probe's files", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "probe-files-"));
    afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

    test("every .ts, sorted, and a package.json that makes them ES modules", () => {
        fs.writeFileSync(path.join(dir, "run.ts"), "run");
        fs.writeFileSync(path.join(dir, "a.ts"), "a");
        fs.writeFileSync(path.join(dir, "notes.md"), "not shipped");
        const files = probeFiles(dir);
        expect(Object.keys(files)).toEqual(["package.json", "a.ts", "run.ts"]);
        expect(JSON.parse(files["package.json"])).toEqual({ name: "flyte-verification-probe", private: true, type: "module" });
    });

    test("a probe without its entry is refused", () => {
        const empty = fs.mkdtempSync(path.join(os.tmpdir(), "probe-empty-"));
        expect(() => probeFiles(empty)).toThrow("the verification probe has no run.ts");
        fs.rmSync(empty, { recursive: true, force: true });
    });

    test("the repository's probe: its entry and every file it imports are shipped, and nothing imports outside it", () => {
        const files = probeFiles();
        for (const [name, source] of Object.entries(files)) {
            for (const match of source.matchAll(/from "(\.[^"]+)"/g)) {
                expect([name, match[1].startsWith("./") && match[1].endsWith(".ts") && match[1].slice(2) in files]).toEqual([name, true]);
            }
            for (const match of source.matchAll(/from "([^.][^"]*)"/g)) {
                expect([name, match[1].startsWith("node:")]).toEqual([name, true]);
            }
        }
    });
});
