/**
 * Chart contract for the EKS target: the values the program hands the flyte-binary release on the `eks` stack,
 * rendered by the REAL upstream chart (`helm template`), must fit the rest of the plan: the backend runs as the
 * ServiceAccount the backend role trusts and is annotated with that role; Flyte's cluster resource controller
 * gives every project-domain namespace a `default` account annotated with the worker role, which trusts exactly
 * those accounts; Flyte talks to S3 with its IAM identity and to RDS over TLS; task logs link to CloudWatch; the
 * internal NLB reaches the Flyte pods.
 *
 * Needs helm and the packaged chart; see test/helpers/helm.ts (HELM_BIN, FLYTE_BINARY_CHART). It fails, never
 * skips, when they are missing.
 */
import { parse } from "yaml";
import { mockPassword } from "../../../lib/plan/mocks";
import type { RecordedResource } from "../../../lib/plan/monitor";
import type { Plan } from "../../../lib/plan/runPlan";
import { awsConsoleHost, consoleLinkTarget, serviceAccountSubject, webIdentityTrust, WebIdentityTrust } from "../../helpers/aws";
import {
    annotationsOf,
    flyteConfigDirectory,
    FlyteConfigDirectory,
    flyteDeployment,
    flyteNamespaceName,
    mergedOneKeyMaps,
    simulateClusterResources,
} from "../../helpers/flyte";
import {
    arrayAt,
    at,
    chartMetadata,
    findDoc,
    FLYTE_BINARY_CHART_LOCATION,
    isRecord,
    JsonRecord,
    K8sObject,
    mountContaining,
    parseManifests,
    parseYaml,
    pathsContaining,
    podContainer,
    podVolume,
    recordAt,
    renderChartText,
    resolveChart,
    resolveHelm,
    selects,
    stringAt,
    stringMapAt,
    volumeMounts,
} from "../../helpers/helm";
import { mocked, ofType, only, planStack } from "../../helpers/plan";
import { readStackSettings } from "../../helpers/stackSettings";

const STACK = "eks";

// Spelled out here rather than imported from the program, so that a change on either side shows up as a failure.
const IRSA_ANNOTATION = "eks.amazonaws.com/role-arn";
const WORKER_KSA = "default";
const POSTGRES_PORT = 5432;
const FLYTE_HTTP_CONTAINER_PORT = 8088;
const FLYTE_GRPC_CONTAINER_PORT = 8089;
/** As in the flyte-binary chart's EKS examples. */
const TASK_ENVIRONMENT = { AWS_METADATA_SERVICE_TIMEOUT: "5", AWS_METADATA_SERVICE_NUM_ATTEMPTS: "20" };
const RELEASE = "kubernetes:helm.sh/v3:Release";
const ROLE = "aws:iam/role:Role";

const settings = readStackSettings(STACK);

let helm: string;
let chart: string;
let plan: Plan;
let release: RecordedResource;
let releaseName: string;
let namespace: string;
let values: JsonRecord;
let rendered: string;
let docs: K8sObject[];
let config: FlyteConfigDirectory;

beforeAll(async () => {
    // Tools first: a missing chart or helm fails at once, with what to set, instead of after the plan.
    chart = resolveChart(FLYTE_BINARY_CHART_LOCATION);
    helm = resolveHelm();

    plan = await planStack(STACK);
    release = only(plan, RELEASE);
    releaseName = stringAt(release.inputs, "name");
    namespace = stringAt(release.inputs, "namespace");
    const releaseValues = at(release.inputs, "values");
    if (!isRecord(releaseValues)) {
        // "[secret]" here means a secret (the database password) leaked into the values.
        throw new Error(`the release's values are not plain JSON in the plan: ${JSON.stringify(releaseValues)}`);
    }
    values = releaseValues;

    rendered = renderChartText({ chart, helm, releaseName, namespace, values });
    docs = parseManifests(rendered, "flyte-binary render");
    config = flyteConfigDirectory(docs, namespace);
}, 15 * 60 * 1000);

// ---- What the plan says ----

function output(key: string): string {
    const value = plan.outputs[key];
    if (typeof value !== "string") {
        throw new Error(`stack output ${key} is ${JSON.stringify(value)}, expected a string`);
    }
    return value;
}

/** The IAM role the mocks gave this ARN. */
function roleByArn(arn: string): RecordedResource {
    const found = ofType(plan, ROLE).filter((r) => at(mocked(r).state, "arn") === arn);
    if (found.length !== 1) {
        throw new Error(`expected one IAM role with ARN ${arn}, found ${found.length}`);
    }
    return found[0];
}

function trustOf(role: RecordedResource): WebIdentityTrust {
    const statements = webIdentityTrust(role.inputs.assumeRolePolicy, role.name);
    if (statements.length !== 1) {
        throw new Error(`${role.name}'s trust policy has ${statements.length} statements, expected one`);
    }
    return statements[0];
}

// ---- What the chart renders ----

function flyteContainer(): JsonRecord {
    return podContainer(flyteDeployment(docs), "flyte");
}

function chartFullname(): string {
    return flyteDeployment(docs).metadata.name;
}

/** One file of the chart's config ConfigMap, parsed. */
function configFile(key: string): unknown {
    const data = stringMapAt(findDoc(docs, "ConfigMap", `${chartFullname()}-config`, namespace), "data");
    if (data[key] === undefined) {
        throw new Error(`ConfigMap ${chartFullname()}-config has no ${key}`);
    }
    return parseYaml(data[key], key);
}

// ---- The contract ----

test("renders the chart the program installs (same name and version)", () => {
    expect(chartMetadata(chart, helm)).toEqual({
        name: stringAt(release.inputs, "chart"),
        version: stringAt(release.inputs, "version"),
    });
});

test("the backend runs as the ServiceAccount the backend role trusts, annotated with that role", () => {
    const backendArn = output("backendServiceAccount");
    const trust = trustOf(roleByArn(backendArn));

    const deployment = flyteDeployment(docs);
    const serviceAccountName = stringAt(deployment, "spec", "template", "spec", "serviceAccountName");
    const serviceAccount = findDoc(docs, "ServiceAccount", serviceAccountName, deployment.metadata.namespace);
    expect(serviceAccount.metadata.namespace).toBe(namespace);
    expect(trust.subjects).toEqual([serviceAccountSubject(namespace, serviceAccount.metadata.name)]);
    expect(annotationsOf(serviceAccount)[IRSA_ANNOTATION]).toBe(backendArn);
    // The token must be mounted for the IRSA webhook's projected token to be used.
    expect(at(deployment, "spec", "template", "spec", "automountServiceAccountToken")).not.toBe(false);
    expect(at(serviceAccount, "automountServiceAccountToken")).not.toBe(false);
});

test("every project-domain namespace gets a default account annotated with the worker role, which trusts exactly those", () => {
    const workerArn = output("workerServiceAccount");
    const trust = trustOf(roleByArn(workerArn));
    const projects = settings.strings("flyteProjects");
    const domains = settings.strings("flyteDomains");

    const core = configFile("000-core.yaml");
    const inline = configFile("100-inline-config.yaml");
    // Flyte syncs namespaces for the projects it knows (seeded) and the domains it is configured with.
    const seeded = new Set([
        ...arrayAt(core, "flyte", "admin", "seedProjects").map((p) => String(p)),
        ...arrayAt(core, "flyte", "admin", "seedProjectsWithDetails").map((p) => stringAt(p, "name")),
    ]);
    expect([...seeded].sort()).toEqual([...projects].sort());
    expect(arrayAt(inline, "domains").map((d) => stringAt(d, "id"))).toEqual(domains);

    // Flyte reads the templates from templatePath: that must be where the templates ConfigMap is mounted.
    const templatesConfigMap = findDoc(docs, "ConfigMap", `${chartFullname()}-cluster-resource-templates`, namespace);
    const templatesMount = volumeMounts(flyteContainer()).find(
        (m) => m.mountPath === stringAt(core, "cluster_resources", "templatePath"),
    );
    expect(templatesMount).toBeDefined();
    const templatesVolume = podVolume(flyteDeployment(docs), templatesMount?.name ?? "");
    const projected = at(templatesVolume, "projected", "sources");
    expect([
        at(templatesVolume, "configMap", "name"),
        ...(Array.isArray(projected) ? projected.map((s) => at(s, "configMap", "name")) : []),
    ]).toContain(templatesConfigMap.metadata.name);

    const results = simulateClusterResources({
        templates: stringMapAt(templatesConfigMap, "data"),
        namespaceTemplate: stringAt(inline, "namespace_mapping", "template"),
        customData: at(inline, "cluster_resources", "customData"),
        projects,
        domains,
    }).map((r) => {
        const accounts = r.objects.filter((o) => o.kind === "ServiceAccount" && o.metadata.name === WORKER_KSA);
        return {
            pair: `${r.project}/${r.domain}`,
            namespace: r.namespace,
            unsubstituted: r.unsubstituted,
            namespaceObject: r.objects.some((o) => o.kind === "Namespace" && o.metadata.name === r.namespace),
            defaultAccounts: accounts.map((a) => ({ namespace: a.metadata.namespace, role: annotationsOf(a)[IRSA_ANNOTATION] })),
        };
    });
    expect(results.length).toBe(projects.length * domains.length);
    expect(results).toEqual(
        projects.flatMap((project) =>
            domains.map((domain) => {
                const expectedNamespace = flyteNamespaceName(settings.string("namespaceTemplate"), project, domain);
                return {
                    pair: `${project}/${domain}`,
                    namespace: expectedNamespace,
                    unsubstituted: false,
                    namespaceObject: true,
                    defaultAccounts: [{ namespace: expectedNamespace, role: workerArn }],
                };
            }),
        ),
    );

    // The worker role trusts exactly these accounts, no more, no fewer.
    const subjects = new Set(
        results.flatMap((r) => r.defaultAccounts.map((a) => serviceAccountSubject(String(a.namespace), WORKER_KSA))),
    );
    expect([...subjects].sort()).toEqual([...trust.subjects].sort());
});

test("storage: S3 in the configured region with the pod's IAM identity, no endpoint, on the plan's buckets", () => {
    const storage = configFile("003-storage.yaml");
    const metadataBucket = output("metadataBucket");
    const userDataBucket = output("userDataBucket");
    expect({
        type: at(storage, "storage", "type"),
        kind: at(storage, "storage", "stow", "kind"),
        authType: at(storage, "storage", "stow", "config", "auth_type"),
        region: at(storage, "storage", "stow", "config", "region"),
        endpoint: at(storage, "storage", "stow", "config", "endpoint"),
        container: at(storage, "storage", "container"),
        rawOutputPrefix: at(storage, "propeller", "rawoutput-prefix"),
    }).toEqual({
        type: "stow",
        kind: "s3",
        authType: "iam",
        region: settings.provider("aws:region"),
        endpoint: undefined,
        container: metadataBucket,
        rawOutputPrefix: `s3://${userDataBucket}/data`,
    });
    // The containers are the plan's two buckets.
    expect([metadataBucket, userDataBucket].sort()).toEqual(
        ofType(plan, "aws:s3/bucket:Bucket")
            .map((b) => String(b.inputs.bucket))
            .sort(),
    );

    // Nothing Flyte loads after it switches to keys or another endpoint.
    expect(Object.keys(config.files)).toContain("003-storage.yaml");
    expect(config.externalSecrets).toEqual([]);
    const stow = recordAt(config.merged, "storage", "stow");
    expect({
        kind: stow.kind,
        authType: at(stow, "config", "auth_type"),
        endpoint: at(stow, "config", "endpoint"),
        keys: [at(stow, "config", "access_key_id"), at(stow, "config", "secret_key")],
        container: at(config.merged, "storage", "container"),
    }).toEqual({ kind: "s3", authType: "iam", endpoint: undefined, keys: [undefined, undefined], container: metadataBucket });
});

test("database: the RDS instance's address over TLS, the password from the program's Secret", () => {
    const instance = only(plan, "aws:rds/instance:Instance");
    const address = stringAt(mocked(instance).state, "address");
    expect(output("databaseHost")).toBe(address);

    const postgres = recordAt(configFile("002-database.yaml"), "database", "postgres");
    expect({
        host: postgres.host,
        port: postgres.port,
        dbname: postgres.dbname,
        username: postgres.username,
        options: postgres.options,
        password: postgres.password,
    }).toEqual({
        host: address,
        port: instance.inputs.port ?? POSTGRES_PORT,
        dbname: instance.inputs.dbName,
        username: instance.inputs.username,
        options: "sslmode=require",
        password: undefined,
    });
    expect(at(config.merged, "database", "postgres", "options")).toBe("sslmode=require");
    expect(at(config.merged, "database", "postgres", "host")).toBe(address);

    // The password file is read through a mount of the Secret this program creates, in the release's namespace.
    const secrets = ofType(plan, "kubernetes:core/v1:Secret");
    expect(secrets).toHaveLength(1);
    const [secret] = secrets;
    expect(at(secret.inputs, "metadata", "namespace")).toBe(namespace);
    const { mount, relative } = mountContaining(flyteContainer(), stringAt(postgres, "passwordPath"));
    const volume = podVolume(flyteDeployment(docs), mount.name);
    expect(at(volume, "secret", "secretName")).toBe(at(secret.inputs, "metadata", "name"));
    expect(relative).toMatch(/^[^/]+$/);

    // No password in the values or the render.
    const passwords = ofType(plan, "random:index/randomPassword:RandomPassword").map((r) => mockPassword(r.name));
    expect(passwords.length).toBeGreaterThan(0);
    for (const password of passwords) {
        expect(pathsContaining(values, password)).toEqual([]);
        expect(rendered.includes(password)).toBe(false);
    }
});

test("task logs: CloudWatch links to the cluster's container log group; task pods get the metadata-service settings", () => {
    const region = settings.provider("aws:region");
    const clusterName = output("clusterName");
    const logs = recordAt(config.merged, "plugins", "logs");
    const uri = logs["cloudwatch-template-uri"];
    expect({
        kubernetes: logs["kubernetes-enabled"],
        cloudwatch: logs["cloudwatch-enabled"],
        stackdriver: logs["stackdriver-enabled"],
        uri: typeof uri,
    }).toEqual({ kubernetes: false, cloudwatch: true, stackdriver: false, uri: "string" });
    const text = String(uri);
    // Exactly the link the program computed, as Flyte reads it after the chart pasted it into YAML.
    expect(text).toBe(parse(stringAt(values, "configuration", "logging", "plugins", "cloudwatch", "templateUri")));
    expect(text.startsWith("https://")).toBe(true);
    expect(consoleLinkTarget(text)).toEqual({ host: awsConsoleHost(region), path: "/cloudwatch/home", region });
    const group = /#logsV2:log-groups\/log-group\/([^/]+)\/log-events/.exec(text)?.[1] ?? "";
    expect(decodeURIComponent(group.split("$25").join("%"))).toBe(`/aws/containerinsights/${clusterName}/application`);
    expect(text).toContain("{{ .podName }}");
    // Array tasks link the same way.
    expect(recordAt(config.merged, "plugins", "k8s-array", "logs", "config")).toMatchObject({
        "cloudwatch-enabled": true,
        "cloudwatch-template-uri": text,
    });

    const env = mergedOneKeyMaps(at(config.merged, "plugins", "k8s", "default-env-vars"), "plugins.k8s.default-env-vars");
    expect(env).toMatchObject(TASK_ENVIRONMENT);
});

test("the internal NLB selects exactly the Flyte pods and targets their http and grpc ports", () => {
    const lb = only(plan, "kubernetes:core/v1:Service");
    const deployment = flyteDeployment(docs);
    expect(at(lb.inputs, "spec", "type")).toBe("LoadBalancer");
    expect(stringAt(lb.inputs, "metadata", "namespace")).toBe(deployment.metadata.namespace);

    const selector = stringMapAt(lb.inputs, "spec", "selector");
    const podLabels = stringMapAt(deployment, "spec", "template", "metadata", "labels");
    const matchLabels = stringMapAt(deployment, "spec", "selector", "matchLabels");
    expect(Object.keys(selector).length).toBeGreaterThan(0);
    expect(selects(selector, podLabels)).toBe(true);
    // Only pods the Deployment claims: matchLabels ⊆ selector.
    expect(selects(matchLabels, selector)).toBe(true);
    const workloads = docs.filter((d) => ["Deployment", "StatefulSet", "DaemonSet"].includes(d.kind));
    expect(
        workloads
            .filter((w) => selects(selector, stringMapAt(w, "spec", "template", "metadata", "labels")))
            .map((w) => w.metadata.name),
    ).toEqual([deployment.metadata.name]);

    const containerPorts = new Map(arrayAt(flyteContainer(), "ports").map((p) => [at(p, "name"), at(p, "containerPort")]));
    const ports = arrayAt(lb.inputs, "spec", "ports")
        .map((p) => ({ port: at(p, "port"), containerPort: containerPorts.get(at(p, "targetPort")) }))
        .sort((a, b) => Number(a.port) - Number(b.port));
    expect(ports).toEqual([
        { port: 8088, containerPort: FLYTE_HTTP_CONTAINER_PORT },
        { port: 8089, containerPort: FLYTE_GRPC_CONTAINER_PORT },
    ]);
});
