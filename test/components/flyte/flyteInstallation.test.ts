import { parse as parseYaml } from "yaml";
import { DB_PASSWORD_SECRET, SECRET_CONFIG_FILE, SECRET_CONFIG_SECRET } from "../../../components/flyte/binaryValues";
import { CORE_DB_PASSWORD_SECRET, CORE_STORAGE_FILE, CORE_STORAGE_SECRET } from "../../../components/flyte/coreValues";
import { FLYTE_BINARY_SPEC } from "../../../components/flyte/flyteBinary";
import { flyteCoreSpec } from "../../../components/flyte/flyteCore";
import { adminUrl, ChartInputs, KeyedStore } from "../../../components/flyte/flyteInstallation";
import { localStackConfig } from "../../helpers/config";

/**
 * What each flavor hands the shared installation routine (flyteInstallation.ts): the Secrets it reads, the admin
 * API the project data Job calls, and how the resolved inputs become its chart's values. The routine itself is
 * tested through FlyteBinary and FlyteCore (test/components/flyteBinary*.test.ts, flyteCore*.test.ts).
 */

const flyte = localStackConfig({ "flyte:flavor": "core", "flyte:coreReplicas": "3", "flyte:flyteNamespace": "orchestration" }).flyte;
const core = flyteCoreSpec(flyte);
const KEY = { accessKeyId: "AKIDEXAMPLE000000001", secretAccessKey: "secret/key+0001" };
const STORE: KeyedStore = {
    metadataBucket: "flyte-metadata",
    region: "us-east-1",
    endpoint: "http://minio.flyte-deps.svc.cluster.local:9000",
    disableSSL: true,
    signedUrlEndpoint: "http://localhost:30002",
};

test("adminUrl: the Service's cluster DNS name in Flyte's namespace, with its port", () => {
    expect(adminUrl({ service: "flyteadmin", httpPort: 80 }, "orchestration")).toBe("http://flyteadmin.orchestration.svc.cluster.local:80");
});

test("flyte-binary: the project data Job calls the chart's HTTP Service on 8088; flyte-core: flyteadmin's on 80", () => {
    expect(adminUrl(FLYTE_BINARY_SPEC.admin, "flyte")).toBe("http://flyte-binary-http.flyte.svc.cluster.local:8088");
    expect(adminUrl(core.admin, "orchestration")).toBe("http://flyteadmin.orchestration.svc.cluster.local:80");
});

test("each flavor's Secrets keep their names (renaming one would replace it)", () => {
    expect([FLYTE_BINARY_SPEC.databasePasswordSecret, FLYTE_BINARY_SPEC.storageCredentials.secretName]).toEqual([
        DB_PASSWORD_SECRET,
        SECRET_CONFIG_SECRET,
    ]);
    expect([FLYTE_BINARY_SPEC.storageCredentials.resourceSuffix, FLYTE_BINARY_SPEC.storageCredentials.fileName]).toEqual([
        "secret-config",
        SECRET_CONFIG_FILE,
    ]);
    expect([core.databasePasswordSecret, core.storageCredentials.secretName]).toEqual([CORE_DB_PASSWORD_SECRET, CORE_STORAGE_SECRET]);
    expect([core.storageCredentials.resourceSuffix, core.storageCredentials.fileName]).toEqual(["storage", CORE_STORAGE_FILE]);
    expect([FLYTE_BINARY_SPEC.emailCredentialsSecret, core.emailCredentialsSecret]).toEqual(["flyte-binary-email-credentials", "flyte-core-email-credentials"]);
});

test("flyte-binary's credentials file holds only the keys; flyte-core's the whole storage section with the store's endpoint", () => {
    expect(parseYaml(FLYTE_BINARY_SPEC.storageCredentials.file(KEY, STORE))).toEqual({
        storage: { stow: { config: { access_key_id: KEY.accessKeyId, secret_key: KEY.secretAccessKey } } },
    });
    const coreFile: unknown = parseYaml(core.storageCredentials.file(KEY, STORE));
    expect(coreFile).toMatchObject({
        storage: {
            container: "flyte-metadata",
            stow: {
                kind: "s3",
                config: {
                    access_key_id: KEY.accessKeyId,
                    secret_key: KEY.secretAccessKey,
                    endpoint: STORE.endpoint,
                    region: "us-east-1",
                    disable_ssl: "true",
                },
            },
            signedUrl: { stowConfigOverride: { endpoint: "http://localhost:30002" } },
        },
    });
});

const inputs: ChartInputs = {
    flyte,
    database: { host: "db", port: 5432, name: "flyte", username: "flyte", options: "sslmode=disable", passwordSecret: "pw" },
    storage: { provider: "gcs", project: "acme", metadataBucket: "meta", userDataBucket: "data" },
    identity: {
        annotationKey: "iam.gke.io/gcp-service-account",
        backend: { backend: "b@x", flyteadmin: "a@x", flytepropeller: "p@x", datacatalog: "d@x", flytescheduler: "s@x" },
        worker: { kind: "shared", annotationKey: "iam.gke.io/gcp-service-account", identity: "w@x" },
    },
    secretsChecksum: "digest",
    taskLogs: [],
    labels: { team: "ml" },
};

test("flyte-binary asks for the one backend identity and annotates its service account with it", () => {
    expect(FLYTE_BINARY_SPEC.backendIdentities).toEqual(["backend"]);
    const values = FLYTE_BINARY_SPEC.values(inputs) as { serviceAccount: { annotations: Record<string, string> } };
    expect(values.serviceAccount.annotations).toEqual({ "iam.gke.io/gcp-service-account": "b@x" });
});

test("flyte-core asks for each component's identity, annotates each component with its own, and takes replicas from the config", () => {
    expect(core.backendIdentities).toEqual(["flyteadmin", "flytepropeller", "datacatalog", "flytescheduler"]);
    const values = core.values(inputs) as Record<string, { serviceAccount?: { annotations: Record<string, string> }; replicaCount?: number }>;
    expect(["flyteadmin", "flytepropeller", "datacatalog", "flytescheduler"].map((c) => values[c].serviceAccount?.annotations)).toEqual(
        ["a@x", "p@x", "d@x", "s@x"].map((id) => ({ "iam.gke.io/gcp-service-account": id })),
    );
    expect(values.flyteadmin.replicaCount).toBe(3);
});

test("without cloud identities neither flavor annotates a service account", () => {
    const local: ChartInputs = {
        ...inputs,
        identity: undefined,
        storage: { provider: "s3-compatible", ...STORE, userDataBucket: "flyte-userdata", credentialsSecret: "credentials" },
    };
    expect((FLYTE_BINARY_SPEC.values(local) as { serviceAccount: unknown }).serviceAccount).toEqual({ create: true, annotations: {} });
    expect((core.values(local) as { flyteadmin: { serviceAccount: unknown } }).flyteadmin.serviceAccount).toEqual({ create: true, annotations: {} });
});
