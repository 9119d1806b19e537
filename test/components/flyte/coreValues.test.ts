import type { FlyteConfig } from "../../../components/contract/config";
import type { ChartAuthentication } from "../../../components/flyte/authentication";
import {
    CORE_ADMIN_CLIENT_ROLE,
    CORE_ADMIN_CLIENT_SECRET,
    CORE_DB_PASSWORD_SECRET,
    CORE_OIDC_CLIENT_ROLE,
    CORE_OIDC_CLIENT_SECRET,
    coreAuthValues,
    CORE_STORAGE_FILE,
    CORE_STORAGE_SECRET,
    coreStorageSecretFile,
    FLYTE_CORE_CHART,
    FLYTE_CORE_RELEASE,
    FLYTEADMIN_GRPC_PORT,
    FLYTEADMIN_HTTP_PORT,
    FLYTEADMIN_SERVICE,
    FLYTECONSOLE_HTTP_PORT,
    FLYTECONSOLE_SERVICE,
    flyteCoreValues,
    FlyteCoreValues,
    FlyteCoreValuesInput,
    propellerNamespace,
} from "../../../components/flyte/coreValues";
import type { FlyteCoreComponent } from "../../../components/contract/identities";
import { awsStackConfig, gcpStackConfig, localStackConfig } from "../../helpers/config";
import { annotationsOf, mergedOneKeyMaps } from "../../helpers/flyte";
import { simulateClusterResources } from "../../helpers/flyte";
import { renderEscapedTpl } from "../../helpers/flyteCoreFixtures";
import { parseYaml } from "../../helpers/helm";
import { at, stringsIn } from "../../helpers/json";
import { LOCAL_MINIO_STORAGE } from "../../helpers/testPlatforms";

/**
 * flyteCoreValues, the pure function behind the flyte-core release, for the three kinds of platform: GCP (GCS,
 * Workload Identity, one worker identity), AWS (S3 over IAM, IRSA, one identity per project) and MinIO (access
 * keys in a Secret, no identities).
 */

const COMPONENTS: readonly FlyteCoreComponent[] = ["flyteadmin", "flytepropeller", "datacatalog", "flytescheduler"];
const CHECKSUM_KEY = "checksum/pulumi-secrets";

// ---- GCP ----

const GKE_ANNOTATION = "iam.gke.io/gcp-service-account";
const gcpIdentity = (component: string) => `flyte-prod-${component}@acme-flyte-prod.iam.gserviceaccount.com`;
const GCP_WORKER = "flyte-prod-worker@acme-flyte-prod.iam.gserviceaccount.com";
const GCP_LOG_URI =
    "https://console.cloud.google.com/logs/query;query=resource.labels.pod_name%3D%22{{ .podName }}%22%0A{{.containerName}}?project=acme-flyte-prod";

function gcpFlyte(): FlyteConfig {
    return gcpStackConfig({
        "gcp:project": "acme-flyte-prod",
        "flyte:flavor": "core",
        "flyte:flyteProjects": JSON.stringify(["flytesnacks", "analytics"]),
        "flyte:flyteDomains": JSON.stringify(["development", "production"]),
        "flyte:flyteNamespace": "orchestration",
    }).flyte;
}

function gcpInput(): FlyteCoreValuesInput {
    return {
        flyte: gcpFlyte(),
        database: {
            host: "10.32.0.3",
            port: 5432,
            name: "flytedb",
            username: "flyteuser",
            options: "sslmode=require",
            passwordSecret: "db-password-secret-from-input",
        },
        storage: {
            provider: "gcs",
            project: "acme-flyte-prod",
            metadataBucket: "flyte-prod-1a2b-metadata",
            userDataBucket: "flyte-prod-1a2b-userdata",
        },
        identity: {
            annotationKey: GKE_ANNOTATION,
            components: {
                flyteadmin: gcpIdentity("flyteadmin"),
                flytepropeller: gcpIdentity("flytepropeller"),
                datacatalog: gcpIdentity("datacatalog"),
                flytescheduler: gcpIdentity("flytescheduler"),
            },
            worker: { kind: "shared", annotationKey: GKE_ANNOTATION, identity: GCP_WORKER },
        },
        taskLogs: [{ plugin: "stackdriver", templateUri: GCP_LOG_URI }],
        secretsChecksum: "gcp-checksum-from-input",
        replicas: 3,
    };
}

// ---- AWS ----

const IRSA_ANNOTATION = "eks.amazonaws.com/role-arn";
const awsRole = (component: string) => `arn:aws:iam::123456789012:role/flyte-prod-${component}`;
const WORKER_PREFIX = "arn:aws:iam::123456789012:role/flyte-prod-worker-";
const WORKER_SUFFIX = "-x1";
const AWS_LOG_URI =
    "https://console.aws.amazon.com/cloudwatch/home?region=eu-central-1#logEventViewer:group=/aws/containerinsights/c/application;stream=var.log.containers.{{ .podName }}_{{ .namespace }}_{{ .containerName }}-{{ .containerId }}.log";

function awsFlyte(): FlyteConfig {
    return awsStackConfig({
        "flyte:flavor": "core",
        "flyte:projectIsolation": "true",
        "flyte:flyteProjects": JSON.stringify(["alpha", "beta"]),
    }).flyte;
}

function awsInput(): FlyteCoreValuesInput {
    return {
        flyte: awsFlyte(),
        database: {
            host: "flyte.cluster-abc.eu-central-1.rds.amazonaws.com",
            port: 5432,
            name: "flyte",
            username: "flyte",
            options: "sslmode=verify-full sslrootcert=/etc/ssl/certs/ca-certificates.crt",
            passwordSecret: CORE_DB_PASSWORD_SECRET,
        },
        storage: {
            provider: "s3",
            region: "eu-central-1",
            metadataBucket: "flyte-prod-metadata-abc",
            userDataBucket: "flyte-prod-userdata-abc",
        },
        identity: {
            annotationKey: IRSA_ANNOTATION,
            components: {
                flyteadmin: awsRole("flyteadmin"),
                flytepropeller: awsRole("flytepropeller"),
                datacatalog: awsRole("datacatalog"),
                flytescheduler: awsRole("flytescheduler"),
            },
            worker: { kind: "perProject", annotationKey: IRSA_ANNOTATION, prefix: WORKER_PREFIX, suffix: WORKER_SUFFIX },
        },
        taskLogs: [{ plugin: "cloudwatch", templateUri: AWS_LOG_URI }],
        taskEnvironment: { AWS_STS_REGIONAL_ENDPOINTS: "regional", AWS_REGION: "eu-central-1" },
        secretsChecksum: "aws-checksum-from-input",
        replicas: 2,
    };
}

// ---- MinIO ----

const DASHBOARD_LOG_URI = "https://localhost:30443/#/log/{{ .namespace }}/{{ .podName }}/pod?container={{ .containerName }}";
const MINIO_ACCESS_KEY_ID = "MINIOACCESSKEYID0042";
const MINIO_SECRET_KEY = "minio-secret-key/with+chars=";

function minioFlyte(): FlyteConfig {
    // One project whose domains share one namespace: propeller may watch just that namespace.
    return localStackConfig({
        "flyte:flavor": "core",
        "flyte:flyteProjects": JSON.stringify(["solo"]),
        "flyte:namespaceTemplate": "flyte-work",
    }).flyte;
}

function minioInput(): FlyteCoreValuesInput {
    return {
        flyte: minioFlyte(),
        database: {
            host: "postgres.flyte-deps.svc.cluster.local",
            port: 5432,
            name: "flyte",
            username: "flyte",
            options: "sslmode=disable",
            passwordSecret: CORE_DB_PASSWORD_SECRET,
        },
        storage: { ...LOCAL_MINIO_STORAGE, credentialsSecret: CORE_STORAGE_SECRET },
        taskLogs: [{ plugin: "kubernetes", templateUri: DASHBOARD_LOG_URI }],
        secretsChecksum: "minio-checksum-from-input",
        replicas: 1,
    };
}

/** The cluster resource templates as the chart writes them to files (`<key>.yaml`). */
function templateFiles(values: FlyteCoreValues): Record<string, string> {
    return Object.fromEntries(values.cluster_resource_manager.templates.map((t) => [`${t.key}.yaml`, t.value]));
}

/** What Flyte's cluster resource controller makes of the values, for every project and domain. */
function appliedClusterResources(values: FlyteCoreValues, flyte: FlyteConfig) {
    return simulateClusterResources({
        templates: templateFiles(values),
        namespaceTemplate: values.configmap.namespace_config.namespace_mapping.template,
        customData: values.cluster_resource_manager.config.cluster_resources.customData,
        projects: flyte.projects,
        domains: flyte.domains,
        // Flyte maps a domain's display name through the template, as its domain config names it.
        domainNames: Object.fromEntries(values.configmap.domain.domains.map((d) => [d.id, d.name])),
    });
}

/**
 * Strings whose path names a password, secret, key or credential, except the checksum
 * annotations: a digest, each checked to be exactly the input's.
 */
function secretLikeStrings(values: FlyteCoreValues): { path: string; value: string }[] {
    return stringsIn(values)
        .filter((s) => /pass|secret|token|credential|access_?key|secret_?key/i.test(s.path))
        .filter((s) => !s.path.endsWith(`.podAnnotations.${CHECKSUM_KEY}`));
}

describe("the chart's fixed names", () => {
    test("release and chart flyte-core; the chart's admin and console Services and ports", () => {
        expect(FLYTE_CORE_RELEASE).toBe("flyte-core");
        expect(FLYTE_CORE_CHART).toBe("flyte-core");
        // templates/admin/service.yaml and templates/console/service.yaml: fixed names, http 80, grpc 81.
        expect([FLYTEADMIN_SERVICE, FLYTEADMIN_HTTP_PORT, FLYTEADMIN_GRPC_PORT]).toEqual(["flyteadmin", 80, 81]);
        expect([FLYTECONSOLE_SERVICE, FLYTECONSOLE_HTTP_PORT]).toEqual(["flyteconsole", 80]);
        expect(CORE_DB_PASSWORD_SECRET).not.toBe(CORE_STORAGE_SECRET);
        // Flyte loads every *.yaml of its config directory; the storage Secret's file must be one.
        expect(CORE_STORAGE_FILE).toBe("storage.yaml");
    });
});

describe("GCP: GCS, Workload Identity, one worker identity", () => {
    const input = gcpInput();
    const values = flyteCoreValues(input);

    test("each backend component's service account is annotated with exactly its own identity", () => {
        for (const component of COMPONENTS) {
            expect(values[component].serviceAccount).toEqual({
                create: true,
                annotations: { [GKE_ANNOTATION]: gcpIdentity(component) },
            });
        }
        // The console runs no cloud code: no service account settings at all.
        expect(values.flyteconsole).toEqual({ replicaCount: 3, securityContext: expect.anything() });
    });

    test("flyteadmin signs URLs as its own identity", () => {
        expect(values.configmap.remoteData.remoteData).toEqual({
            scheme: "gcp",
            maxSizeInBytes: 10 * 1024 * 1024,
            signedUrls: { enabled: true, durationMinutes: 3, signingPrincipal: gcpIdentity("flyteadmin") },
        });
    });

    test("storage: the metadata bucket in the GCP project", () => {
        expect(values.storage).toEqual({
            type: "gcs",
            bucketName: "flyte-prod-1a2b-metadata",
            gcs: { projectId: "acme-flyte-prod" },
            limits: { maxDownloadMBs: 10 },
        });
    });

    test("database: flat keys, the password read from the Secret the chart mounts at /etc/db, shared by datacatalog", () => {
        const expected = {
            host: "10.32.0.3",
            port: 5432,
            username: "flyteuser",
            dbname: "flytedb",
            passwordPath: "/etc/db/password",
            options: "sslmode=require",
        };
        expect(values.db.admin.database).toEqual(expected);
        expect(values.db.datacatalog.database).toEqual(expected);
        expect(values.common.databaseSecret).toEqual({ name: "db-password-secret-from-input", secretManifest: {} });
    });

    test("propeller: raw outputs under gs://<userdata>/data, metadata prefix, every namespace, lock in Flyte's namespace", () => {
        expect(values.configmap.core.propeller).toEqual({
            "rawoutput-prefix": "gs://flyte-prod-1a2b-userdata/data",
            "metadata-prefix": "metadata/propeller",
            "limit-namespace": "all",
            "leader-election": { "lock-config-map": { namespace: "orchestration" } },
        });
    });

    test("namespace mapping is the configured template verbatim (the chart renders it with toYaml, not tpl)", () => {
        expect(values.configmap.namespace_config.namespace_mapping.template).toBe("{{ project }}-{{ domain }}");
        expect(values.configmap.namespace_config.namespace_mapping.template).toBe(input.flyte.namespaceTemplate);
    });

    test("domains named by their ids (the template names the domain, so no display names)", () => {
        expect(values.configmap.domain.domains).toEqual([
            { id: "development", name: "development" },
            { id: "production", name: "production" },
        ]);
    });

    test("task logs: stackdriver on, its template escaped for tpl so Flyte receives it intact; the others off", () => {
        const logs = values.configmap.task_logs.plugins.logs;
        expect(logs).toEqual({
            "kubernetes-enabled": false,
            "cloudwatch-enabled": false,
            "stackdriver-enabled": true,
            "stackdriver-template-uri": GCP_LOG_URI.split("{{").join('{{ "{{" }}'),
        });
        expect(renderEscapedTpl(String(logs["stackdriver-template-uri"]))).toBe(GCP_LOG_URI);
    });

    test("task pods get no extra environment and no storage Secret", () => {
        expect(values.configmap.k8s.plugins.k8s).toEqual({ "default-env-vars": [] });
    });

    test("cluster resources: namespace and annotated service account templates, listed without .yaml", () => {
        const keys = values.cluster_resource_manager.templates.map((t) => t.key);
        expect(keys).toEqual(["001_namespace", "002_serviceaccount"]);
        for (const key of keys) {
            expect(key).not.toMatch(/\.ya?ml$/);
        }
        expect(values.cluster_resource_manager.enabled).toBe(true);
        expect(values.cluster_resource_manager.config.cluster_resources).toMatchObject({
            standaloneDeployment: false,
            templatePath: "/etc/flyte/clusterresource/templates",
        });
    });

    test("customData: every domain gets the shared worker identity", () => {
        expect(values.cluster_resource_manager.config.cluster_resources.customData).toEqual([
            { development: [{ workerIdentity: { value: GCP_WORKER } }] },
            { production: [{ workerIdentity: { value: GCP_WORKER } }] },
        ]);
    });

    test("as Flyte applies them, every project-domain namespace's default service account runs as the worker identity", () => {
        const applied = appliedClusterResources(values, input.flyte);
        expect(applied.map((a) => a.namespace)).toEqual(input.flyte.projectNamespaces.map((p) => p.namespace));
        for (const pair of applied) {
            expect(pair.unsubstituted).toBe(false);
            expect(pair.objects.map((o) => `${o.kind} ${o.metadata.namespace ?? ""}/${o.metadata.name}`)).toEqual([
                `Namespace /${pair.namespace}`,
                `ServiceAccount ${pair.namespace}/default`,
            ]);
            expect(annotationsOf(pair.objects[1])).toEqual({ [GKE_ANNOTATION]: GCP_WORKER });
        }
    });

    test("projects are seeded; replicas of flyteadmin, datacatalog and the console", () => {
        // Double-quoted YAML scalars: the chart writes them into the seed-projects command unquoted.
        expect(values.flyteadmin.initialProjects).toEqual(['"flytesnacks"', '"analytics"']);
        expect(values.flyteadmin.replicaCount).toBe(3);
        expect(values.datacatalog.replicaCount).toBe(3);
        expect(values.flyteconsole.replicaCount).toBe(3);
    });

    test("the secrets checksum is on every component's pods and the cluster resource manager's", () => {
        for (const component of COMPONENTS) {
            expect(values[component].podAnnotations).toEqual({ [CHECKSUM_KEY]: "gcp-checksum-from-input" });
        }
        expect(values.cluster_resource_manager.podAnnotations).toEqual({ [CHECKSUM_KEY]: "gcp-checksum-from-input" });
    });

    test("no OAuth client secret, no ingress, internal Services, the native scheduler", () => {
        expect(values.secrets).toEqual({ adminOauthClientCredentials: { enabled: false, clientSecret: "" } });
        expect(values.common.ingress).toEqual({ enabled: false });
        expect(values.flyteadmin.service).toEqual({ type: "ClusterIP" });
        expect(values.datacatalog.service).toEqual({ type: "ClusterIP" });
        expect(values.workflow_scheduler).toEqual({ enabled: true, type: "native" });
    });

    test("the only secret-like strings are references: a Secret name, file paths and an empty client secret", () => {
        expect(secretLikeStrings(values)).toEqual([
            { path: "secrets.adminOauthClientCredentials.clientSecret", value: "" },
            { path: "common.databaseSecret.name", value: "db-password-secret-from-input" },
            { path: "db.admin.database.passwordPath", value: "/etc/db/password" },
            { path: "db.datacatalog.database.passwordPath", value: "/etc/db/password" },
        ]);
    });

    test("GCS without an identity to sign URLs with is refused", () => {
        expect(() => flyteCoreValues({ ...input, identity: undefined })).toThrow(/identity/);
    });

    test("the values are plain data: a JSON round trip changes nothing", () => {
        expect(JSON.parse(JSON.stringify(values))).toEqual(values);
    });
});

describe("AWS: S3 over IAM, IRSA, one identity per project", () => {
    const input = awsInput();
    const values = flyteCoreValues(input);

    test("each backend component's service account is annotated with exactly its own role", () => {
        for (const component of COMPONENTS) {
            expect(values[component].serviceAccount).toEqual({ create: true, annotations: { [IRSA_ANNOTATION]: awsRole(component) } });
        }
    });

    test("remote data: S3 signed URLs in the region, no signing principal", () => {
        expect(values.configmap.remoteData.remoteData).toEqual({
            scheme: "aws",
            region: "eu-central-1",
            maxSizeInBytes: 10 * 1024 * 1024,
            signedUrls: { enabled: true, durationMinutes: 3 },
        });
    });

    test("storage: the metadata bucket over IAM, without keys or an endpoint", () => {
        expect(values.storage).toEqual({
            type: "s3",
            bucketName: "flyte-prod-metadata-abc",
            s3: { region: "eu-central-1", authType: "iam" },
            limits: { maxDownloadMBs: 10 },
        });
    });

    test("propeller: raw outputs under s3://<userdata>/data, every namespace", () => {
        expect(values.configmap.core.propeller).toEqual({
            "rawoutput-prefix": "s3://flyte-prod-userdata-abc/data",
            "metadata-prefix": "metadata/propeller",
            "limit-namespace": "all",
            "leader-election": { "lock-config-map": { namespace: "flyte" } },
        });
    });

    test("database options pass through as given", () => {
        expect(values.db.admin.database.options).toBe("sslmode=verify-full sslrootcert=/etc/ssl/certs/ca-certificates.crt");
        expect(values.db.datacatalog.database).toEqual(values.db.admin.database);
        expect(values.common.databaseSecret.name).toBe("flyte-core-db-password");
    });

    test("task pods get the platform's environment as one-key maps, and no storage Secret", () => {
        const k8s = values.configmap.k8s.plugins.k8s;
        expect(mergedOneKeyMaps(k8s["default-env-vars"], "default-env-vars")).toEqual({
            AWS_STS_REGIONAL_ENDPOINTS: "regional",
            AWS_REGION: "eu-central-1",
        });
        expect(k8s["default-env-from-secrets"]).toBeUndefined();
    });

    test("task logs: cloudwatch on with every {{ escaped; the others off", () => {
        const logs = values.configmap.task_logs.plugins.logs;
        expect(logs["cloudwatch-enabled"]).toBe(true);
        expect(logs["kubernetes-enabled"]).toBe(false);
        expect(logs["stackdriver-enabled"]).toBe(false);
        expect(Object.keys(logs).sort()).toEqual(["cloudwatch-enabled", "cloudwatch-template-uri", "kubernetes-enabled", "stackdriver-enabled"]);
        expect(renderEscapedTpl(String(logs["cloudwatch-template-uri"]))).toBe(AWS_LOG_URI);
    });

    test("customData: every domain gets the per-project identity's prefix and suffix", () => {
        const perDomain = [{ workerIdentityPrefix: { value: WORKER_PREFIX } }, { workerIdentitySuffix: { value: WORKER_SUFFIX } }];
        expect(values.cluster_resource_manager.config.cluster_resources.customData).toEqual(
            input.flyte.domains.map((domain) => ({ [domain]: perDomain })),
        );
    });

    test("as Flyte applies them, each project's namespaces run as that project's own role", () => {
        const applied = appliedClusterResources(values, input.flyte);
        expect(applied).toHaveLength(6);
        for (const pair of applied) {
            expect(pair.unsubstituted).toBe(false);
            const account = pair.objects.find((o) => o.kind === "ServiceAccount");
            expect(account?.metadata).toMatchObject({ name: "default", namespace: pair.namespace });
            expect(annotationsOf(account)).toEqual({ [IRSA_ANNOTATION]: `${WORKER_PREFIX}${pair.project}${WORKER_SUFFIX}` });
        }
    });

    test("replicas and checksum from the input", () => {
        expect([values.flyteadmin.replicaCount, values.datacatalog.replicaCount, values.flyteconsole.replicaCount]).toEqual([2, 2, 2]);
        for (const component of COMPONENTS) {
            expect(values[component].podAnnotations).toEqual({ [CHECKSUM_KEY]: "aws-checksum-from-input" });
        }
        expect(values.cluster_resource_manager.podAnnotations).toEqual({ [CHECKSUM_KEY]: "aws-checksum-from-input" });
        expect(values.flyteadmin.initialProjects).toEqual(['"alpha"', '"beta"']);
    });

    test("the only secret-like strings are references", () => {
        expect(secretLikeStrings(values).map((s) => s.path)).toEqual([
            "secrets.adminOauthClientCredentials.clientSecret",
            "common.databaseSecret.name",
            "db.admin.database.passwordPath",
            "db.datacatalog.database.passwordPath",
        ]);
        expect(values.secrets.adminOauthClientCredentials.clientSecret).toBe("");
    });
});

describe("MinIO: access keys in a Secret, no cloud identities", () => {
    const input = minioInput();
    const values = flyteCoreValues(input);

    test("no service account is annotated", () => {
        for (const component of COMPONENTS) {
            expect(values[component].serviceAccount).toEqual({ create: true, annotations: {} });
        }
    });

    test("storage comes wholly from the Secret: no type, bucket or keys in the values", () => {
        expect(values.storage).toEqual({ secretName: "flyte-core-storage" });
    });

    test("flyteadmin signs no URLs itself (scheme none)", () => {
        expect(values.configmap.remoteData.remoteData).toEqual({ scheme: "none" });
    });

    test("propeller: s3:// raw outputs, and it watches the one namespace every project-domain pair shares", () => {
        expect(values.configmap.core.propeller).toEqual({
            "rawoutput-prefix": "s3://flyte-userdata/data",
            "metadata-prefix": "metadata/propeller",
            "limit-namespace": "flyte-work",
            "leader-election": { "lock-config-map": { namespace: "flyte" } },
        });
        expect(values.configmap.namespace_config.namespace_mapping.template).toBe("flyte-work");
    });

    test("task pods read the storage Secret", () => {
        expect(values.configmap.k8s.plugins.k8s).toEqual({
            "default-env-vars": [],
            "default-env-from-secrets": ["flyte-storage-credentials"],
        });
    });

    test("task logs: the dashboard link on the kubernetes plugin, escaped for tpl", () => {
        const logs = values.configmap.task_logs.plugins.logs;
        expect(logs["kubernetes-enabled"]).toBe(true);
        expect(logs["cloudwatch-enabled"]).toBe(false);
        expect(logs["stackdriver-enabled"]).toBe(false);
        expect(renderEscapedTpl(String(logs["kubernetes-template-uri"]))).toBe(DASHBOARD_LOG_URI);
    });

    test("cluster resources: the namespace template alone, no customData", () => {
        expect(values.cluster_resource_manager.templates.map((t) => t.key)).toEqual(["001_namespace"]);
        expect(values.cluster_resource_manager.config.cluster_resources.customData).toEqual([]);
        const applied = appliedClusterResources(values, input.flyte);
        for (const pair of applied) {
            expect(pair.unsubstituted).toBe(false);
            expect(pair.objects.map((o) => `${o.kind} ${o.metadata.name}`)).toEqual(["Namespace flyte-work"]);
        }
    });

    test("nothing from the access keys reaches the values; only references to Secrets", () => {
        const storageFile = coreStorageSecretFile({
            accessKeyId: MINIO_ACCESS_KEY_ID,
            secretAccessKey: MINIO_SECRET_KEY,
            metadataBucket: "flyte-metadata",
            endpoint: "http://minio.flyte-deps.svc.cluster.local:9000",
            region: "us-east-1",
            disableSSL: true,
            signedUrlEndpoint: "http://localhost:30002",
        });
        // The file the Secret holds does carry them ...
        expect(storageFile).toContain(MINIO_SECRET_KEY);
        // ... the values, which anyone reading the release sees, do not.
        for (const s of stringsIn(values)) {
            expect(s.value).not.toContain(MINIO_ACCESS_KEY_ID);
            expect(s.value).not.toContain(MINIO_SECRET_KEY);
            expect(s.value).not.toMatch(/accesskey/i);
        }
        expect(secretLikeStrings(values)).toEqual([
            { path: "secrets.adminOauthClientCredentials.clientSecret", value: "" },
            { path: "common.databaseSecret.name", value: "flyte-core-db-password" },
            { path: "db.admin.database.passwordPath", value: "/etc/db/password" },
            { path: "db.datacatalog.database.passwordPath", value: "/etc/db/password" },
            { path: "storage.secretName", value: "flyte-core-storage" },
            { path: "configmap.k8s.plugins.k8s.default-env-from-secrets[0]", value: "flyte-storage-credentials" },
        ]);
    });

    test("replicas and checksum from the input", () => {
        expect([values.flyteadmin.replicaCount, values.datacatalog.replicaCount, values.flyteconsole.replicaCount]).toEqual([1, 1, 1]);
        expect(values.cluster_resource_manager.podAnnotations).toEqual({ [CHECKSUM_KEY]: "minio-checksum-from-input" });
        expect(values.flyteadmin.podAnnotations).toEqual({ [CHECKSUM_KEY]: "minio-checksum-from-input" });
    });
});

describe("propellerNamespace", () => {
    const solo = (overrides: Record<string, string>) => localStackConfig({ "flyte:flyteProjects": '["solo"]', ...overrides }).flyte;

    test("several namespaces: all", () => {
        expect(propellerNamespace(gcpFlyte())).toBe("all");
    });

    test("a fixed namespace (no placeholder): that namespace", () => {
        expect(propellerNamespace(minioFlyte())).toBe("flyte-work");
    });

    test("one project with a namespace per domain: all", () => {
        expect(propellerNamespace(solo({}))).toBe("all");
    });

    test.each([["{{ project }}"], ["team-{{ project }}"]])(
        "one project whose domains share a namespace named after it (%s): all, since projects created later land elsewhere",
        (template) => {
            const flyte = solo({ "flyte:namespaceTemplate": template });
            expect(new Set(flyte.projectNamespaces.map((p) => p.namespace)).size).toBe(1);
            expect(propellerNamespace(flyte)).toBe("all");
        },
    );

    test("a template naming only the domain, with one domain: that namespace (domains come only from config)", () => {
        const flyte = solo({ "flyte:namespaceTemplate": "work-{{ domain }}", "flyte:flyteDomains": '["dev"]' });
        expect(propellerNamespace(flyte)).toBe("work-dev");
    });

    test("a template naming only the domain, with several domains: all", () => {
        expect(propellerNamespace(solo({ "flyte:namespaceTemplate": "work-{{ domain }}" }))).toBe("all");
    });

    test("the values follow it: propeller's limit-namespace", () => {
        const limit = (flyte: FlyteConfig) => flyteCoreValues({ ...minioInput(), flyte }).configmap.core.propeller["limit-namespace"];
        expect(limit(solo({ "flyte:flavor": "core", "flyte:namespaceTemplate": "team-{{ project }}" }))).toBe("all");
        expect(limit(solo({ "flyte:flavor": "core", "flyte:namespaceTemplate": "work-{{ domain }}", "flyte:flyteDomains": '["dev"]' }))).toBe("work-dev");
    });
});

describe("domains with display names (a template without {{ domain }})", () => {
    const flyte = gcpStackConfig({
        "flyte:flavor": "core",
        "flyte:flyteProjects": JSON.stringify(["flytesnacks", "analytics"]),
        "flyte:flyteDomains": JSON.stringify(["development:Development", "production"]),
        "flyte:namespaceTemplate": "team-{{ project }}",
    }).flyte;
    const input = { ...gcpInput(), flyte };
    const values = flyteCoreValues(input);

    test("the console shows the display names; ids stay the ids", () => {
        expect(values.configmap.domain.domains).toEqual([
            { id: "development", name: "Development" },
            { id: "production", name: "production" },
        ]);
    });

    test("the namespaces Flyte's sync prepares are the ones executions run in: one per project, whatever the domain", () => {
        const applied = appliedClusterResources(values, flyte);
        expect(applied.map((a) => `${a.project}/${a.domain} ${a.namespace}`)).toEqual(
            flyte.projectNamespaces.map((p) => `${p.project}/${p.domain} ${p.namespace}`),
        );
        expect([...new Set(applied.map((a) => a.namespace))]).toEqual(["team-flytesnacks", "team-analytics"]);
    });

    test("with {{ domain }} in the template they would not be (why the config refuses display names there)", () => {
        // A config parsing no longer yields: the default template with a display name.
        const renamed: FlyteConfig = { ...gcpFlyte(), domainNames: { development: "Development", production: "production" } };
        const applied = appliedClusterResources(flyteCoreValues({ ...gcpInput(), flyte: renamed }), renamed);
        const executions = renamed.projectNamespaces.map((p) => p.namespace);
        expect(applied.map((a) => a.namespace).filter((ns) => !executions.includes(ns))).toEqual([
            "flytesnacks-Development",
            "analytics-Development",
        ]);
    });
});

describe("task pods' environment (default-env-vars), rendered through tpl like the rest of the ConfigMap", () => {
    const environment = {
        PLAIN: "eu-central-1",
        BRACES: "{{ .Values.secret }}",
        NESTED: "a{{b}}c {{ d }}",
    };
    const values = flyteCoreValues({ ...awsInput(), taskEnvironment: environment });
    const envVars = values.configmap.k8s.plugins.k8s["default-env-vars"];

    test("one one-key map per variable, in order, every {{ escaped", () => {
        expect(envVars.map((entry) => Object.keys(entry))).toEqual([["PLAIN"], ["BRACES"], ["NESTED"]]);
        expect(envVars).toEqual([
            { PLAIN: "eu-central-1" },
            { BRACES: '{{ "{{" }} .Values.secret }}' },
            { NESTED: 'a{{ "{{" }}b}}c {{ "{{" }} d }}' },
        ]);
    });

    test("what tpl renders is the platform's environment verbatim", () => {
        const rendered = Object.fromEntries(
            Object.entries(mergedOneKeyMaps(envVars, "default-env-vars")).map(([name, value]) => [name, renderEscapedTpl(value)]),
        );
        expect(rendered).toEqual(environment);
    });
});

describe("coreStorageSecretFile", () => {
    const base = {
        accessKeyId: MINIO_ACCESS_KEY_ID,
        secretAccessKey: MINIO_SECRET_KEY,
        metadataBucket: "flyte-metadata",
        endpoint: "http://minio.flyte-deps.svc.cluster.local:9000",
        region: "us-east-1",
        disableSSL: true,
        signedUrlEndpoint: "http://localhost:30002",
    };

    test("Flyte's whole storage section: stow over S3 with the keys, signed URLs for the workstation", () => {
        expect(parseYaml(coreStorageSecretFile(base), CORE_STORAGE_FILE)).toEqual({
            storage: {
                type: "stow",
                container: "flyte-metadata",
                stow: {
                    kind: "s3",
                    config: {
                        auth_type: "accesskey",
                        access_key_id: MINIO_ACCESS_KEY_ID,
                        secret_key: MINIO_SECRET_KEY,
                        endpoint: "http://minio.flyte-deps.svc.cluster.local:9000",
                        region: "us-east-1",
                        disable_ssl: "true",
                    },
                },
                signedUrl: { stowConfigOverride: { endpoint: "http://localhost:30002" } },
                "enable-multicontainer": false,
                limits: { maxDownloadMBs: 10 },
            },
        });
    });

    test("disable_ssl is a string either way (stow reads strings)", () => {
        const sslOf = (disableSSL: boolean) =>
            at(parseYaml(coreStorageSecretFile({ ...base, disableSSL }), "storage"), "storage", "stow", "config", "disable_ssl");
        expect(sslOf(true)).toBe("true");
        expect(sslOf(false)).toBe("false");
    });

    test("without a separate signed URL endpoint there is no override", () => {
        const parsed = parseYaml(coreStorageSecretFile({ ...base, signedUrlEndpoint: "" }), "no override");
        expect(at(parsed, "storage", "signedUrl")).toBeUndefined();
        expect(at(parsed, "storage", "container")).toBe("flyte-metadata");
    });

    test("keys with YAML-significant characters survive intact", () => {
        const awkward = { accessKeyId: "0123", secretAccessKey: "a: b #c 'd\" {e} [f] *g &h !i %j @k `l" };
        const config = at(parseYaml(coreStorageSecretFile({ ...base, ...awkward }), "awkward"), "storage", "stow", "config");
        expect(at(config, "access_key_id")).toBe("0123");
        expect(at(config, "secret_key")).toBe(awkward.secretAccessKey);
    });
});

describe("with sign-in (authentication)", () => {
    const authentication: ChartAuthentication = {
        hostname: "flyte.ml.example.com",
        oidc: { issuerUrl: "https://login.microsoftonline.com/tenant/v2.0", clientId: "app-id", scopes: ["openid", "profile", "offline_access"] },
        internalClientSecretHash: "$2a$10$internal",
        ciClientSecretHash: "$2a$10$ci",
        secrets: { [CORE_ADMIN_CLIENT_ROLE]: "admin-client-from-the-secret", [CORE_OIDC_CLIENT_ROLE]: "oidc-client-from-the-secret" },
    };
    const base = gcpInput();
    const plain = flyteCoreValues(base);
    const signedIn = flyteCoreValues({ ...base, authentication });

    test("the Secrets' names: flytescheduler's template mounts flyte-secret-auth whatever the values say", () => {
        expect(CORE_ADMIN_CLIENT_SECRET).toBe("flyte-secret-auth");
        expect(CORE_OIDC_CLIENT_SECRET).toBe("flyte-core-oidc-client");
    });

    test("without it, exactly the values of before: admin client credentials off, no adminServer, no extra volume", () => {
        expect(plain.secrets).toEqual({ adminOauthClientCredentials: { enabled: false, clientSecret: "" } });
        expect(plain.configmap.adminServer).toBeUndefined();
        expect(plain.flyteadmin.additionalVolumes).toBeUndefined();
        expect(plain.flyteadmin.additionalVolumeMounts).toBeUndefined();
        expect(flyteCoreValues({ ...base, authentication: undefined })).toEqual(plain);
    });

    test("with it, what coreAuthValues makes of it for flyteadmin's Service in Flyte's namespace", () => {
        const expected = coreAuthValues(authentication, base.flyte.namespace);
        expect(signedIn.secrets.adminOauthClientCredentials).toEqual(expected.adminOauthClientCredentials);
        expect(signedIn.secrets.adminOauthClientCredentials).toMatchObject({ secretName: "admin-client-from-the-secret" });
        expect(signedIn.configmap.adminServer).toEqual(expected.adminServer);
        expect(signedIn.configmap.adminServer?.auth.authorizedUris).toContain(`http://flyteadmin.${base.flyte.namespace}.svc.cluster.local:80`);
        expect(signedIn.flyteadmin.additionalVolumes).toEqual([{ name: "oidc-client", secret: { secretName: "oidc-client-from-the-secret" } }]);
        expect(signedIn.flyteadmin.additionalVolumeMounts).toEqual(expected.adminVolumes.additionalVolumeMounts);
    });

    test("and nothing else changes", () => {
        const { additionalVolumes: _v, additionalVolumeMounts: _m, ...flyteadmin } = signedIn.flyteadmin;
        const { adminServer: _a, ...configmap } = signedIn.configmap;
        expect({ ...signedIn, flyteadmin, configmap, secrets: plain.secrets }).toEqual(plain);
    });

    test("a missing Secret fails, naming the roles there are", () => {
        expect(() => flyteCoreValues({ ...base, authentication: { ...authentication, secrets: { [CORE_ADMIN_CLIENT_ROLE]: "x" } } })).toThrow(
            "no authentication Secret oidcClient; there are: adminClient",
        );
    });
});
