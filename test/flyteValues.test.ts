import { parse as parseYaml } from "yaml";
import { parseStackConfig } from "../components/config/parse";
import type { FlyteConfig } from "../components/config/types";
import {
    DB_PASSWORD_SECRET,
    DB_PASSWORD_SECRET_KEY,
    escapeForHelmTpl,
    flyteBinarySelectorLabels,
    FlyteBinaryValues,
    flyteBinaryValues,
    FlyteBinaryValuesInput,
    flyteBinaryWorkloads,
    WORKER_IDENTITY_VARIABLE,
} from "../components/flyte/binaryValues";
import type { TaskLogLink } from "../components/flyte/platform";

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
        storage: {
            provider: "gcs",
            project: "acme-flyte-prod",
            metadataBucket: "flyte-prod-1a2b3c4d-metadata",
            userDataBucket: "flyte-prod-1a2b3c4d-userdata",
        },
        identity: { annotationKey: ANNOTATION, backend: BACKEND_SA, worker: WORKER_SA },
        taskLogs,
        labels: { "app.kubernetes.io/part-of": "flyte", "pulumi.com/stack": "prod" },
    };
}

function isRecord(value: unknown): value is Record<string, unknown> {
    return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Every string in a value tree, with its path. */
function strings(value: unknown, path = ""): { path: string; value: string }[] {
    if (typeof value === "string") {
        return [{ path, value }];
    }
    if (Array.isArray(value)) {
        return value.flatMap((v, i) => strings(v, `${path}[${i}]`));
    }
    if (isRecord(value)) {
        return Object.entries(value).flatMap(([k, v]) => strings(v, path ? `${path}.${k}` : k));
    }
    return [];
}

/** What Helm's tpl prints for an escaped string: `{{ "{{" }}` actions become `{{`. */
function helmTplUnescape(text: string): string {
    return text.replace(/\{\{ "\{\{" \}\}/g, "{{");
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
        expect(helmTplUnescape(template)).toBe(flyte.namespaceTemplate);
    });

    test("nothing in the tpl-rendered inline config holds an unescaped {{", () => {
        const custom = flyteBinaryValues(
            input(flyteConfig({ "flyte:namespaceTemplate": "{{ org }}team-{{ project }}-{{ domain }}-{{ project }}" }), []),
        );
        for (const v of [values, custom]) {
            const found = strings(v.configuration.inline).filter((s) => unescapedActions(s.value) > 0);
            expect(found).toEqual([]);
        }
        expect(helmTplUnescape(custom.configuration.inline.namespace_mapping.template)).toBe(
            "{{ org }}team-{{ project }}-{{ domain }}-{{ project }}",
        );
    });

    test("no string outside the cluster resource templates and the log templateUri contains {{ unescaped", () => {
        const offenders = strings(values)
            .filter((s) => !s.path.startsWith("clusterResourceTemplates.inline."))
            .filter((s) => s.path !== "configuration.logging.plugins.stackdriver.templateUri")
            .filter((s) => unescapedActions(s.value) > 0)
            .map((s) => s.path);
        expect(offenders).toEqual([]);
        // The only escaped string is the namespace mapping.
        expect(strings(values).filter((s) => s.value.includes("{{") && unescapedActions(s.value) === 0).map((s) => s.path)).toEqual([
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

describe("flyteBinaryWorkloads", () => {
    test("the backend KSA and one default KSA per project-domain namespace", () => {
        expect(flyteBinaryWorkloads(flyte)).toEqual({
            backend: [{ namespace: "flyte", name: "flyte-binary" }],
            workers: [
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
        expect(flyteBinaryWorkloads(shared)).toEqual({
            backend: [{ namespace: "flyte-system", name: "flyte-binary" }],
            workers: [
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
            expect(helmTplUnescape(escapeForHelmTpl(text))).toBe(text);
            expect(unescapedActions(escapeForHelmTpl(text))).toBe(0);
        }
    });
});
