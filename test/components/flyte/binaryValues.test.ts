import { parse as parseYaml } from "yaml";
import { parseStackConfig } from "../../../components/config/parse";
import type { FlyteConfig } from "../../../components/contract/config";
import type { ChartAuthentication } from "../../../components/flyte/authentication";
import {
    AUTH_CLIENT_SECRETS_ROLE,
    binaryAuthValues,
    binaryContainerSecurity,
    DB_PASSWORD_SECRET,
    FLYTE_BINARY_HTTP_SERVICE,
    flyteBinarySelectorLabels,
    FlyteBinaryValues,
    flyteBinaryValues,
    FlyteBinaryValuesInput,
    genAdminAuthSecretArgs,
    SECRET_CONFIG_FILE,
    SECRET_CONFIG_SECRET,
    secretConfigFile,
} from "../../../components/flyte/binaryValues";
import {
    ChartStorage,
    DB_PASSWORD_SECRET_KEY,
    escapeForHelmTpl,
    secretsChecksum,
    TASK_STORAGE_SECRET,
    taskStorageEnvironment,
} from "../../../components/flyte/commonValues";
import { WORKER_IDENTITY_VARIABLE } from "../../../components/flyte/clusterResources";
import { flyteWorkloads } from "../../../components/contract/identities";
import type { TaskLogLink } from "../../../components/contract/platform";
import { renderEscapedTpl } from "../../helpers/flyteCoreFixtures";
import { isRecord, stringsIn } from "../../helpers/json";
import { LOCAL_MINIO_STORAGE } from "../../helpers/testPlatforms";

function flyteConfig(overrides: Record<string, string> = {}): FlyteConfig {
    return parseStackConfig(
        {
            "flyte:cloud": "gcp",
            "gcp:project": "acme-flyte-prod",
            "gcp:region": "europe-west1",
            "flyte:flyteProjects": '["flytesnacks","analytics"]',
            ...overrides,
        },
        { pulumiProject: "flyte", stack: "prod" },
    ).flyte;
}

const ANNOTATION = "iam.gke.io/gcp-service-account";
const BACKEND_SA = "flyte-prod-backend@acme-flyte-prod.iam.gserviceaccount.com";
const WORKER_SA = "flyte-prod-worker@acme-flyte-prod.iam.gserviceaccount.com";
const LOG_URI =
    "https://console.cloud.google.com/logs/query;query=resource.type%3D%22k8s_container%22%0Aresource.labels.pod_name%3D%22{{ .podName }}%22?project=acme-flyte-prod";

function input(flyte: FlyteConfig, taskLogs: readonly TaskLogLink[]): FlyteBinaryValuesInput {
    return {
        flyte,
        database: {
            host: "10.32.0.3",
            port: 5432,
            name: "flyte",
            username: "flyte",
            options: "sslmode=require",
            passwordSecret: "pw-secret-from-input",
        },
        secretsChecksum: "checksum-from-input",
        storage: {
            provider: "gcs",
            project: "acme-flyte-prod",
            metadataBucket: "flyte-prod-1a2b3c4d-metadata",
            userDataBucket: "flyte-prod-1a2b3c4d-userdata",
        },
        identity: {
            annotationKey: ANNOTATION,
            backend: BACKEND_SA,
            worker: { kind: "shared", annotationKey: ANNOTATION, identity: WORKER_SA },
        },
        taskLogs,
        labels: { "app.kubernetes.io/part-of": "flyte", "pulumi.com/stack": "prod" },
    };
}

/** `{{` that Helm's tpl would read as the start of an action other than the escape itself. */
function unescapedActions(text: string): number {
    return (text.replace(/\{\{ "\{\{" \}\}/g, "").match(/\{\{/g) ?? []).length;
}

const flyte = flyteConfig();
const values: FlyteBinaryValues = flyteBinaryValues(input(flyte, [{ plugin: "stackdriver", templateUri: LOG_URI }]));

describe("flyteBinaryValues", () => {
    test("fixed chart settings", () => {
        expect(values.fullnameOverride).toBe("flyte-binary");
        expect(values.service).toEqual({ type: "ClusterIP" });
        expect(values.ingress).toEqual({ create: false });
        expect(values.rbac).toEqual({ create: true });
        expect(values.commonLabels).toEqual({ "app.kubernetes.io/part-of": "flyte", "pulumi.com/stack": "prod" });
    });

    test("database fields pass through, with the TLS options", () => {
        expect(values.configuration.database).toEqual({
            username: "flyte",
            passwordPath: "/etc/flyte/db/password",
            host: "10.32.0.3",
            port: 5432,
            dbname: "flyte",
            options: "sslmode=require",
        });
    });

    test("the password file is the secret's key under the mounted volume", () => {
        expect(DB_PASSWORD_SECRET).toBe("flyte-binary-db-password");
        expect(DB_PASSWORD_SECRET_KEY).toBe("password");
        const volumes = values.deployment.extraVolumes.filter(isRecord);
        expect(volumes).toHaveLength(values.deployment.extraVolumes.length);
        // The volume mounts the Secret the caller names (the component passes the one it created).
        const secretVolumes = volumes.filter((v) => isRecord(v.secret) && v.secret.secretName === "pw-secret-from-input");
        expect(secretVolumes).toHaveLength(1);
        const volumeName = secretVolumes[0].name;
        expect(typeof volumeName).toBe("string");
        const mounts = values.deployment.extraVolumeMounts.filter(isRecord).filter((m) => m.name === volumeName);
        expect(mounts).toHaveLength(1);
        expect(mounts[0].readOnly).toBe(true);
        expect(`${String(mounts[0].mountPath)}/${DB_PASSWORD_SECRET_KEY}`).toBe(values.configuration.database.passwordPath);
    });

    test("storage is GCS in the given project and buckets", () => {
        expect(values.configuration.storage).toEqual({
            metadataContainer: "flyte-prod-1a2b3c4d-metadata",
            userDataContainer: "flyte-prod-1a2b3c4d-userdata",
            provider: "gcs",
            providerConfig: { gcs: { project: "acme-flyte-prod" } },
        });
    });

    test("the backend's service account carries the backend identity", () => {
        expect(values.serviceAccount).toEqual({ create: true, annotations: { [ANNOTATION]: BACKEND_SA } });
    });

    test("customData has one entry per domain carrying the worker identity", () => {
        expect(WORKER_IDENTITY_VARIABLE).toBe("workerIdentity");
        expect(values.configuration.inline.cluster_resources.customData).toEqual([
            { development: [{ workerIdentity: { value: WORKER_SA } }] },
            { staging: [{ workerIdentity: { value: WORKER_SA } }] },
            { production: [{ workerIdentity: { value: WORKER_SA } }] },
        ]);
        expect(values.configuration.inline.cluster_resources.refreshInterval).toBe("1m");
    });

    test("cluster resource templates reference exactly {{ namespace }} and {{ workerIdentity }}", () => {
        const templates = values.clusterResourceTemplates.inline;
        expect(Object.keys(templates).sort()).toEqual(["001_namespace.yaml", "002_serviceaccount.yaml"]);
        const variables = new Set(Object.values(templates).flatMap((t) => t.match(/\{\{[^}]*\}\}/g) ?? []));
        expect([...variables].sort()).toEqual(["{{ namespace }}", "{{ workerIdentity }}"]);

        const namespace: unknown = parseYaml(templates["001_namespace.yaml"]);
        expect(namespace).toEqual({ apiVersion: "v1", kind: "Namespace", metadata: { name: "{{ namespace }}" } });
        const serviceAccount: unknown = parseYaml(templates["002_serviceaccount.yaml"]);
        expect(serviceAccount).toEqual({
            apiVersion: "v1",
            kind: "ServiceAccount",
            metadata: { name: "default", namespace: "{{ namespace }}", annotations: { [ANNOTATION]: "{{ workerIdentity }}" } },
        });
    });

    test("seeds the configured projects", () => {
        expect(values["flyte-core-components"].admin.seedProjects).toEqual(["flytesnacks", "analytics"]);
        expect(values["flyte-core-components"].admin.seedProjectsWithDetails.map((p) => p.name)).toEqual([
            "flytesnacks",
            "analytics",
        ]);
    });

    test("declares the configured domains, id and name", () => {
        expect(values.configuration.inline.domains).toEqual([
            { id: "development", name: "development" },
            { id: "staging", name: "staging" },
            { id: "production", name: "production" },
        ]);
    });

    test("the namespace mapping template is escaped for Helm's tpl", () => {
        const template = values.configuration.inline.namespace_mapping.template;
        expect(template).toBe('{{ "{{" }} project }}-{{ "{{" }} domain }}');
        expect(renderEscapedTpl(template)).toBe(flyte.namespaceTemplate);
    });

    test("nothing in the tpl-rendered inline config holds an unescaped {{", () => {
        const custom = flyteBinaryValues(
            input(flyteConfig({ "flyte:namespaceTemplate": "{{ org }}team-{{ project }}-{{ domain }}-{{ project }}" }), []),
        );
        for (const v of [values, custom]) {
            const found = stringsIn(v.configuration.inline).filter((s) => unescapedActions(s.value) > 0);
            expect(found).toEqual([]);
        }
        expect(renderEscapedTpl(custom.configuration.inline.namespace_mapping.template)).toBe(
            "{{ org }}team-{{ project }}-{{ domain }}-{{ project }}",
        );
    });

    test("no string outside the cluster resource templates and the log templateUri contains {{ unescaped", () => {
        const offenders = stringsIn(values)
            .filter((s) => !s.path.startsWith("clusterResourceTemplates.inline."))
            .filter((s) => s.path !== "configuration.logging.plugins.stackdriver.templateUri")
            .filter((s) => unescapedActions(s.value) > 0)
            .map((s) => s.path);
        expect(offenders).toEqual([]);
        // The only escaped string is the namespace mapping.
        expect(stringsIn(values).filter((s) => s.value.includes("{{") && unescapedActions(s.value) === 0).map((s) => s.path)).toEqual([
            "configuration.inline.namespace_mapping.template",
        ]);
    });

    test("a stackdriver link enables that plugin with a double-quoted templateUri", () => {
        const plugins = values.configuration.logging.plugins;
        expect(plugins.stackdriver.enabled).toBe(true);
        expect(plugins.stackdriver.templateUri.startsWith('"')).toBe(true);
        expect(plugins.stackdriver.templateUri.endsWith('"')).toBe(true);
        expect(JSON.parse(plugins.stackdriver.templateUri)).toBe(LOG_URI);
        // A YAML double-quoted scalar reads back to the URI.
        expect(parseYaml(`uri: ${plugins.stackdriver.templateUri}`)).toEqual({ uri: LOG_URI });
        expect(plugins.kubernetes).toEqual({ enabled: false, templateUri: "" });
        expect(plugins.cloudwatch).toEqual({ enabled: false, templateUri: "" });
        expect(values.configuration.logging.level).toBe(1);
    });

    test("without links every logging plugin is disabled", () => {
        const plain = flyteBinaryValues(input(flyte, []));
        expect(plain.configuration.logging.plugins).toEqual({
            kubernetes: { enabled: false, templateUri: "" },
            cloudwatch: { enabled: false, templateUri: "" },
            stackdriver: { enabled: false, templateUri: "" },
        });
    });

    test("enables the k8s finalizer plugin setting", () => {
        expect(values.configuration.inline.plugins).toEqual({ k8s: { "inject-finalizer": true } });
    });
});

/** Each identity's Kubernetes service accounts, by key. */
function serviceAccountsByKey(config: FlyteConfig): Record<string, unknown> {
    return Object.fromEntries(flyteWorkloads(config).identities.map((i) => [i.key, i.serviceAccounts]));
}

describe("flyteWorkloads (flyte-binary)", () => {
    test("the backend KSA and one default KSA per project-domain namespace", () => {
        expect(serviceAccountsByKey(flyte)).toEqual({
            backend: [{ namespace: "flyte", name: "flyte-binary" }],
            worker: [
                { namespace: "flytesnacks-development", name: "default" },
                { namespace: "flytesnacks-staging", name: "default" },
                { namespace: "flytesnacks-production", name: "default" },
                { namespace: "analytics-development", name: "default" },
                { namespace: "analytics-staging", name: "default" },
                { namespace: "analytics-production", name: "default" },
            ],
        });
    });

    test("one worker per distinct namespace when domains share one", () => {
        const shared = flyteConfig({ "flyte:namespaceTemplate": "{{ project }}", "flyte:flyteNamespace": "flyte-system" });
        expect(serviceAccountsByKey(shared)).toEqual({
            backend: [{ namespace: "flyte-system", name: "flyte-binary" }],
            worker: [
                { namespace: "flytesnacks", name: "default" },
                { namespace: "analytics", name: "default" },
            ],
        });
    });
});

describe("flyteBinarySelectorLabels", () => {
    test("the chart's selector labels", () => {
        expect(flyteBinarySelectorLabels()).toEqual({
            "app.kubernetes.io/name": "flyte-binary",
            "app.kubernetes.io/instance": "flyte-binary",
            "app.kubernetes.io/component": "flyte-binary",
        });
    });
});

describe("escapeForHelmTpl", () => {
    test.each([
        ["", ""],
        ["no braces", "no braces"],
        ["{{ a }}", '{{ "{{" }} a }}'],
        ["x{{y}}z{{w}}", 'x{{ "{{" }}y}}z{{ "{{" }}w}}'],
        ["{{{{", '{{ "{{" }}{{ "{{" }}'],
        ["}} only", "}} only"],
        ["{ { single", "{ { single"],
    ])("%j → %j", (text, escaped) => {
        expect(escapeForHelmTpl(text)).toBe(escaped);
    });

    test("Helm's tpl prints the original back", () => {
        for (const text of ["{{ project }}-{{ domain }}", "{{{ x }}}", "a{{b", "plain"]) {
            expect(renderEscapedTpl(escapeForHelmTpl(text))).toBe(text);
            expect(unescapedActions(escapeForHelmTpl(text))).toBe(0);
        }
    });
});

describe("flyteBinaryValues with S3 storage and no cloud identity (local)", () => {
    const MINIO = "http://minio.flyte-deps.svc.cluster.local:9000";
    const minioStorage: ChartStorage = { ...LOCAL_MINIO_STORAGE, endpoint: MINIO, credentialsSecret: "secret-config-from-input" };
    /** AWS S3 through IAM: no endpoint, no keys. */
    const iamStorage: ChartStorage = { provider: "s3", region: "us-east-1", metadataBucket: "flyte-metadata", userDataBucket: "flyte-userdata" };

    function localInput(storage: ChartStorage): FlyteBinaryValuesInput {
        const base = input(flyte, []);
        return {
            flyte: base.flyte,
            database: { ...base.database, host: "postgres.flyte-deps.svc.cluster.local", options: "sslmode=disable" },
            storage,
            taskLogs: [],
            labels: base.labels,
            secretsChecksum: base.secretsChecksum,
        };
    }

    const minio = flyteBinaryValues(localInput(minioStorage));

    test("storage is s3 with the endpoint, plain http, v4 signing and authType iam in the chart values", () => {
        expect(minio.configuration.storage).toEqual({
            metadataContainer: "flyte-metadata",
            userDataContainer: "flyte-userdata",
            provider: "s3",
            providerConfig: {
                s3: { region: "us-east-1", disableSSL: true, v2Signing: false, endpoint: MINIO, authType: "iam" },
            },
        });
    });

    test("access keys are switched on and signed URLs name the workstation's endpoint, in the inline config", () => {
        expect(minio.configuration.inline.storage).toEqual({
            limits: { maxDownloadMBs: 10 },
            stow: { config: { auth_type: "accesskey" } },
            signedUrl: { stowConfigOverride: { endpoint: "http://localhost:30002" } },
        });
    });

    test("the chart mounts the secret config the caller names", () => {
        expect(SECRET_CONFIG_SECRET).toBe("flyte-binary-secret-config");
        expect(minio.configuration.inlineSecretRef).toBe("secret-config-from-input");
    });

    test("no key material anywhere in the values", () => {
        const keys = stringsIn(minio).filter((s) => /access_key_id|secret_key|accessKey|secretKey/i.test(s.path));
        expect(keys).toEqual([]);
    });

    test("AWS S3 through IAM (no keys, no endpoint): only the download limit inline, no secret config, the SDK's endpoint over TLS", () => {
        const iam = flyteBinaryValues(localInput(iamStorage));
        expect(iam.configuration.inline.storage).toEqual({ limits: { maxDownloadMBs: 10 } });
        expect("inlineSecretRef" in iam.configuration).toBe(false);
        expect(iam.configuration.storage).toEqual({
            ...minio.configuration.storage,
            providerConfig: { s3: { region: "us-east-1", disableSSL: false, v2Signing: false, endpoint: "", authType: "iam" } },
        });
    });

    test("with keys but without a signed URL endpoint, access keys and no override", () => {
        const { signedUrlEndpoint, ...withoutOverride } = minioStorage;
        expect(signedUrlEndpoint).toBe("http://localhost:30002");
        const keysOnly = flyteBinaryValues(localInput(withoutOverride));
        expect(keysOnly.configuration.inline.storage).toEqual({
            limits: { maxDownloadMBs: 10 },
            stow: { config: { auth_type: "accesskey" } },
        });
    });

    test("without an identity: no service-account annotation, no customData, only the namespace template", () => {
        expect(minio.serviceAccount).toEqual({ create: true, annotations: {} });
        expect("customData" in minio.configuration.inline.cluster_resources).toBe(false);
        expect(minio.configuration.inline.cluster_resources).toEqual({ refreshInterval: "1m" });
        expect(Object.keys(minio.clusterResourceTemplates.inline)).toEqual(["001_namespace.yaml"]);
        expect(parseYaml(minio.clusterResourceTemplates.inline["001_namespace.yaml"])).toEqual({
            apiVersion: "v1",
            kind: "Namespace",
            metadata: { name: "{{ namespace }}" },
        });
    });

    test("the database is the in-cluster Postgres without TLS", () => {
        expect(minio.configuration.database).toMatchObject({
            host: "postgres.flyte-deps.svc.cluster.local",
            options: "sslmode=disable",
        });
    });
});

describe("secretConfigFile", () => {
    const ACCESS_KEY = "AKIAEXAMPLEACCESS01";
    const SECRET_KEY = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
    const file: unknown = parseYaml(secretConfigFile({ accessKeyId: ACCESS_KEY, secretAccessKey: SECRET_KEY }));

    test("is named after the chart's files so that it is merged last", () => {
        expect(SECRET_CONFIG_FILE).toBe("200-secret-config.yaml");
    });

    test("holds the S3 keys for Flyte's own stow client, and nothing else", () => {
        expect(file).toEqual({
            storage: { stow: { config: { access_key_id: ACCESS_KEY, secret_key: SECRET_KEY } } },
        });
    });
});

describe("task pods' storage credentials", () => {
    test("taskStorageEnvironment gives exactly the endpoint and the keys as FLYTE_AWS_* variables", () => {
        expect(
            taskStorageEnvironment({ accessKeyId: "AK1", secretAccessKey: "SK1", endpoint: "http://minio:9000" }),
        ).toEqual({
            FLYTE_AWS_ENDPOINT: "http://minio:9000",
            FLYTE_AWS_ACCESS_KEY_ID: "AK1",
            FLYTE_AWS_SECRET_ACCESS_KEY: "SK1",
        });
    });

    test("pods take them from a Secret by reference, not as values in their spec", () => {
        expect(TASK_STORAGE_SECRET).toBe("flyte-storage-credentials");
        const values = flyteBinaryValues({
            ...input(flyte, []),
            identity: undefined,
            storage: {
                provider: "s3-compatible",
                region: "us-east-1",
                metadataBucket: "m",
                userDataBucket: "u",
                endpoint: "http://minio:9000",
                disableSSL: true,
                credentialsSecret: "secret-config",
            },
        });
        expect(values.configuration.inline.plugins.k8s).toEqual({
            "inject-finalizer": true,
            "default-env-from-secrets": ["flyte-storage-credentials"],
        });
    });

    test("without access keys, no Secret is referenced", () => {
        expect(flyteBinaryValues(input(flyte, [])).configuration.inline.plugins.k8s).toEqual({ "inject-finalizer": true });
    });
});

describe("secretsChecksum", () => {
    test("is a SHA-256 of the secrets, stable, and changes with any of them", () => {
        const digest = secretsChecksum(["a", "b"]);
        expect(digest).toMatch(/^[0-9a-f]{64}$/);
        expect(secretsChecksum(["a", "b"])).toBe(digest);
        expect(secretsChecksum(["a", "c"])).not.toBe(digest);
        expect(secretsChecksum(["ab", ""])).not.toBe(digest);
    });

    test("lands on the Flyte pod, so that a changed secret restarts it", () => {
        expect(flyteBinaryValues(input(flyte, [])).deployment.podAnnotations).toEqual({
            "checksum/pulumi-secrets": "checksum-from-input",
        });
    });
});

describe("task pods' plain environment (default-env-vars)", () => {
    const base = input(flyteConfig(), []);

    test("absent without a task environment", () => {
        expect(flyteBinaryValues(base).configuration.inline.plugins.k8s["default-env-vars"]).toBeUndefined();
    });

    test("one-entry maps, with template braces escaped since configuration.inline goes through tpl", () => {
        const values = flyteBinaryValues({
            ...base,
            taskEnvironment: { AWS_METADATA_SERVICE_TIMEOUT: "5", GREETING: "hello {{ name }}" },
        });
        expect(values.configuration.inline.plugins.k8s["default-env-vars"]).toEqual([
            { AWS_METADATA_SERVICE_TIMEOUT: "5" },
            { GREETING: 'hello {{ "{{" }} name }}' },
        ]);
    });
});

describe("flyteBinaryValues with sign-in (authentication)", () => {
    const authentication: ChartAuthentication = {
        hostname: "flyte.ml.example.com",
        oidc: { issuerUrl: "https://idp.example.com", clientId: "flyte-app", scopes: ["openid", "profile", "email"] },
        internalClientSecretHash: "$2a$10$internal",
        ciClientSecretHash: "$2a$10$ci",
        secrets: { [AUTH_CLIENT_SECRETS_ROLE]: "client-secrets-from-the-secret" },
    };
    const base = input(flyte, []);
    const plain = flyteBinaryValues(base);
    const signedIn = flyteBinaryValues({ ...base, authentication });

    test("without it, no authentication anywhere", () => {
        expect(plain.configuration.auth).toBeUndefined();
        expect(plain.configuration.inline.auth).toBeUndefined();
        expect(plain.configuration.inline.admin).toBeUndefined();
        expect(plain.deployment.genAdminAuthSecret).toBeUndefined();
        expect(flyteBinaryValues({ ...base, authentication: undefined })).toEqual(plain);
    });

    test("with it, configuration.auth is what binaryAuthValues makes of it for Flyte's namespace and the chart's HTTP Service", () => {
        const expected = binaryAuthValues(authentication, flyte.namespace);
        expect(signedIn.configuration.auth).toEqual(expected.auth);
        expect(signedIn.configuration.auth?.clientSecretsExternalSecretRef).toBe("client-secrets-from-the-secret");
        expect(signedIn.configuration.auth?.authorizedUris).toContain(`http://${FLYTE_BINARY_HTTP_SERVICE}.${flyte.namespace}.svc.cluster.local:8088`);
        expect(signedIn.configuration.inline.admin).toEqual(expected.inline.admin);
        expect(signedIn.configuration.inline.auth).toEqual(expected.inline.auth);
        expect(signedIn.deployment.genAdminAuthSecret).toEqual({ args: genAdminAuthSecretArgs(), securityContext: binaryContainerSecurity() });
    });

    test("and nothing else changes", () => {
        const { auth: _auth, inline, ...configuration } = signedIn.configuration;
        const { admin: _admin, auth: _inlineAuth, ...inlineRest } = inline;
        const { genAdminAuthSecret: _gen, ...deployment } = signedIn.deployment;
        expect({ ...signedIn, configuration: { ...configuration, inline: inlineRest }, deployment }).toEqual(plain);
    });

    test("what it adds to values the chart renders through tpl (the inline config, the authorized URIs) has no template action", () => {
        const added = [signedIn.configuration.inline.admin, signedIn.configuration.inline.auth, signedIn.configuration.auth];
        expect(unescapedActions(JSON.stringify(added))).toBe(0);
        expect(JSON.stringify(added)).not.toContain("{{");
    });

    test("flyteadmin's keys are generated in memory (/dev/shm), stored in the chart's admin-auth Secret, and removed", () => {
        expect(genAdminAuthSecretArgs()).toEqual([
            [
                "flyte --config=/etc/flyte/config.d/*.yaml secrets init --localPath /dev/shm/admin-auth-secret",
                "flyte --config=/etc/flyte/config.d/*.yaml secrets create --name flyte-binary-admin-auth --fromPath /dev/shm/admin-auth-secret",
                "rm -rf /dev/shm/admin-auth-secret",
                "",
            ].join("\n"),
        ]);
        expect(unescapedActions(genAdminAuthSecretArgs()[0])).toBe(0);
    });

    test("a missing Secret fails, naming the roles there are", () => {
        expect(() => flyteBinaryValues({ ...base, authentication: { ...authentication, secrets: { other: "x" } } })).toThrow(
            "no authentication Secret clientSecrets; there are: other",
        );
    });
});
