/**
 * Chart contract for the local target: the values the program hands the flyte-binary release on the `local`
 * stack, rendered by the REAL upstream chart (`helm template`), must fit the rest of the local plan: Flyte talks to
 * the in-cluster Postgres and MinIO the plan declares, gets its S3 keys from the program's own Secret (merged
 * last, never through chart values), has no cloud identity anywhere, is reachable on the NodePorts the outputs,
 * the stack config and the example kind cluster publish, and starts only after the database and the buckets.
 *
 * Needs helm and the packaged chart; see test/helpers/helm.ts (HELM_BIN, FLYTE_BINARY_CHART). It fails, never
 * skips, when they are missing.
 */
import * as fs from "fs";
import * as path from "path";
import { SECRET_CONFIG_FILE, secretConfigFile } from "../../../components/flyte/binaryValues";
import { TASK_STORAGE_SECRET, taskStorageEnvironment } from "../../../components/flyte/commonValues";
import { CONFIG_KEYS, ConfigKey, KeySpec } from "../../../components/config/schema";
import type { RecordedResource } from "../../../lib/plan/monitor";
import type { Plan } from "../../../lib/plan/runPlan";
import {
    arrayAt,
    at,
    compareFileNames,
    findDoc,
    findDocs,
    FLYTE_BINARY_CHART_LOCATION,
    isRecord,
    JsonRecord,
    K8sObject,
    mergeConfigFiles,
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
import { byUrn, ofType, only, planStack, PROJECT_DIR } from "../../helpers/plan";

const STACK = "local";

// Spelled out here rather than imported from the program, so that a change on either side shows up as a failure.
const CLOUD_IDENTITY_ANNOTATIONS = ["iam.gke.io/gcp-service-account", "eks.amazonaws.com/role-arn"];
const FLYTE_HTTP_CONTAINER_PORT = 8088;
const FLYTE_GRPC_CONTAINER_PORT = 8089;
/** Where kind publishes NodePorts and what the endpoints name. */
const WORKSTATION_HOST = "localhost";
/** The plan mocks every generated password as `mockpw<digest>` (lib/plan/mocks.ts). */
const MOCK_PASSWORD_PREFIX = "mockpw";
const KIND_CLUSTER_CONFIG = path.join(PROJECT_DIR, "examples/kind-flyte.yaml");
const RELEASE = "kubernetes:helm.sh/v3:Release";
const SERVICE = "kubernetes:core/v1:Service";
const SECRET = "kubernetes:core/v1:Secret";
const DEPLOYMENT = "kubernetes:apps/v1:Deployment";
const JOB = "kubernetes:batch/v1:Job";
const FLYTE_COMPONENT = "flyte:flyte:FlyteBinary";
const POSTGRES_COMPONENT = "flyte:local:LocalPostgres";
const MINIO_COMPONENT = "flyte:local:LocalMinio";

let helm: string;
let chart: string;
let plan: Plan;
let release: RecordedResource;
let releaseName: string;
let namespace: string;
let values: JsonRecord;
let rendered: string;
let docs: K8sObject[];

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
        // "[secret]" here means a secret (a password, an access key) leaked into the values.
        throw new Error(`the release's values are not plain JSON in the plan: ${JSON.stringify(releaseValues)}`);
    }
    values = releaseValues;

    rendered = renderChartText({ chart, helm, releaseName, namespace, values });
    docs = parseManifests(rendered, "flyte-binary render");
}, 15 * 60 * 1000);

// ---- What the plan says ----

function output(key: string): string {
    const value = plan.outputs[key];
    if (typeof value !== "string") {
        throw new Error(`stack output ${key} is ${JSON.stringify(value)}, expected a string`);
    }
    return value;
}

/** Resources of a type whose parent is a component of the given type. */
function under(type: string, componentType: string): RecordedResource[] {
    return ofType(plan, type).filter((r) => r.parent !== "" && byUrn(plan, r.parent).type === componentType);
}

function onlyUnder(type: string, componentType: string): RecordedResource {
    const found = under(type, componentType);
    if (found.length !== 1) {
        throw new Error(`expected one ${type} under ${componentType}, found ${found.map((r) => r.name).join(", ") || "none"}`);
    }
    return found[0];
}

function metadataName(resource: RecordedResource): string {
    return stringAt(resource.inputs, "metadata", "name");
}

function metadataNamespace(resource: RecordedResource): string {
    return stringAt(resource.inputs, "metadata", "namespace");
}

/** The cluster DNS name of a Service, as pods resolve it. */
function serviceHost(service: RecordedResource): string {
    return `${metadataName(service)}.${metadataNamespace(service)}.svc.cluster.local`;
}

interface ServicePort {
    readonly name: string;
    readonly port: number;
    readonly targetPort: string | number;
    readonly nodePort?: number;
}

function integer(value: unknown, what: string): number {
    if (typeof value !== "number" || !Number.isInteger(value)) {
        throw new Error(`${what} is ${JSON.stringify(value)}, expected an integer`);
    }
    return value;
}

function servicePorts(service: RecordedResource): ServicePort[] {
    return arrayAt(service.inputs, "spec", "ports").map((p, i) => {
        const what = `${service.name} port ${i}`;
        const targetPort = at(p, "targetPort");
        const nodePort = at(p, "nodePort");
        return {
            name: typeof at(p, "name") === "string" ? stringAt(p, "name") : "",
            port: integer(at(p, "port"), `${what} port`),
            targetPort: typeof targetPort === "string" ? targetPort : integer(targetPort ?? at(p, "port"), `${what} targetPort`),
            nodePort: nodePort === undefined || nodePort === null ? undefined : integer(nodePort, `${what} nodePort`),
        };
    });
}

function servicePort(service: RecordedResource, name: string): ServicePort {
    const found = servicePorts(service).filter((p) => p.name === name);
    if (found.length !== 1) {
        throw new Error(`Service ${metadataName(service)} has ${found.length} ports named ${name}`);
    }
    return found[0];
}

/** The container port a Service port reaches on a pod template (targetPort by name or number). */
function targetContainerPort(port: ServicePort, podSpec: unknown): number | undefined {
    const ports = arrayAt(podSpec, "containers").flatMap((c) => {
        const declared = at(c, "ports");
        return Array.isArray(declared) ? declared : [];
    });
    const match = ports.find((p) =>
        typeof port.targetPort === "string" ? at(p, "name") === port.targetPort : at(p, "containerPort") === port.targetPort,
    );
    const containerPort = at(match, "containerPort");
    return typeof containerPort === "number" ? containerPort : undefined;
}

/** The port of an `http://host:port` URL or a `host:port` address. */
function portOf(address: string): number {
    const match = /^(?:[a-z][a-z0-9+.-]*:\/\/)?[^/:]+:(\d+)(?:\/.*)?$/i.exec(address);
    if (!match) {
        throw new Error(`${address} names no port`);
    }
    return Number(match[1]);
}

function hostOf(address: string): string {
    const match = /^(?:[a-z][a-z0-9+.-]*:\/\/)?([^/:]+)/i.exec(address);
    if (!match) {
        throw new Error(`${address} names no host`);
    }
    return match[1];
}

// ---- What the stack config says, read without the program's code ----

/** Stack file value, else the default Pulumi.yaml declares (as the CLI applies it), else the schema's default. */
function stackSetting(key: ConfigKey): unknown {
    const projectFile = parseYaml(fs.readFileSync(path.join(PROJECT_DIR, "Pulumi.yaml"), "utf8"), "Pulumi.yaml");
    const stackFile = `Pulumi.${STACK}.yaml`;
    const stackDoc = parseYaml(fs.readFileSync(path.join(PROJECT_DIR, stackFile), "utf8"), stackFile);
    const config = isRecord(at(stackDoc, "config")) ? recordAt(stackDoc, "config") : {};
    const spec: KeySpec = CONFIG_KEYS[key];
    return (
        config[`${stringAt(projectFile, "name")}:${key}`] ??
        at(projectFile, "config", key, "default") ??
        ("default" in spec ? spec.default : undefined)
    );
}

function integerSetting(key: ConfigKey): number {
    const value = stackSetting(key);
    if (typeof value === "string" && /^\d+$/.test(value)) {
        return Number(value);
    }
    return integer(value, `config ${key}`);
}

function stringsSetting(key: ConfigKey): string[] {
    const raw = stackSetting(key);
    const value: unknown = typeof raw === "string" ? JSON.parse(raw) : raw;
    if (!Array.isArray(value) || !value.every((v): v is string => typeof v === "string")) {
        throw new Error(`config ${key} is not a list of strings: ${JSON.stringify(raw)}`);
    }
    return value;
}

function stringSetting(key: ConfigKey): string {
    const value = stackSetting(key);
    if (typeof value !== "string") {
        throw new Error(`config ${key} is not a string: ${JSON.stringify(value)}`);
    }
    return value;
}

// ---- What the chart renders ----

/** The chart's Flyte Deployment: the one whose pods run the `flyte` container. */
function flyteDeployment(): K8sObject {
    const found = findDocs(docs, "Deployment").filter((d) =>
        arrayAt(d, "spec", "template", "spec", "containers").some((c) => at(c, "name") === "flyte"),
    );
    if (found.length !== 1) {
        throw new Error(`expected one Deployment with a flyte container, found ${found.length}`);
    }
    return found[0];
}

function flyteContainer(): JsonRecord {
    return podContainer(flyteDeployment(), "flyte");
}

/** The chart names its Deployment, ConfigMaps and Secrets after `flyte-binary.fullname`. */
function chartFullname(): string {
    return flyteDeployment().metadata.name;
}

function configData(): Record<string, string> {
    return stringMapAt(findDoc(docs, "ConfigMap", `${chartFullname()}-config`, namespace), "data");
}

function configFile(key: string): unknown {
    const text = configData()[key];
    if (text === undefined) {
        throw new Error(`ConfigMap ${chartFullname()}-config has no ${key}`);
    }
    return parseYaml(text, key);
}

/** A Secret's files as the kubelet projects them: stringData and (base64) data. */
function secretFiles(secret: K8sObject): Record<string, string> {
    const files: Record<string, string> = {};
    const data = at(secret, "data");
    if (isRecord(data)) {
        for (const [key, value] of Object.entries(data)) {
            files[key] = Buffer.from(String(value), "base64").toString("utf8");
        }
    }
    const stringData = at(secret, "stringData");
    if (isRecord(stringData)) {
        for (const [key, value] of Object.entries(stringData)) {
            files[key] = String(value);
        }
    }
    return files;
}

/** Only the listed keys, under their paths, when a projection names `items`. */
function projectItems(files: Record<string, string>, items: unknown): Record<string, string> {
    if (!Array.isArray(items)) {
        return files;
    }
    return Object.fromEntries(items.map((i) => [stringAt(i, "path"), files[stringAt(i, "key")] ?? ""]));
}

/**
 * Flyte's config directory and file pattern, from the container's `--config <dir>/<glob>` argument: Flyte loads
 * every file the glob matches.
 */
function flyteConfigGlob(): { dir: string; matches: (file: string) => boolean } {
    const args = arrayAt(flyteContainer(), "args").map((a) => String(a));
    const index = args.indexOf("--config");
    if (index < 0 || index + 1 >= args.length) {
        throw new Error(`the flyte container has no --config argument: ${JSON.stringify(args)}`);
    }
    const glob = args[index + 1];
    const dir = path.posix.dirname(glob);
    const pattern = path.posix.basename(glob);
    const regex = new RegExp(
        `^${pattern
            .split("")
            .map((c) => (c === "*" ? "[^/]*" : c === "?" ? "[^/]" : c.replace(/[\\^$.|+()[\]{}]/g, "\\$&")))
            .join("")}$`,
    );
    return { dir, matches: (file) => regex.test(file) };
}

interface ConfigDirectory {
    readonly dir: string;
    /** Volume the config directory is mounted from. */
    readonly volume: JsonRecord;
    /** Files from sources the chart renders (its ConfigMap and Secret), by file name. */
    readonly renderedFiles: Record<string, string>;
    /** Secrets projected there that the chart does not render (created by the program). */
    readonly externalSecrets: string[];
    readonly matches: (file: string) => boolean;
}

/** What the flyte container sees in its config directory, source by source. */
function flyteConfigDirectory(): ConfigDirectory {
    const deployment = flyteDeployment();
    const { dir, matches } = flyteConfigGlob();
    const { mount, relative } = mountContaining(flyteContainer(), `${dir}/${SECRET_CONFIG_FILE}`);
    if (relative !== SECRET_CONFIG_FILE) {
        throw new Error(`${dir} is not the root of volume ${mount.name} (the file would be ${relative} in it)`);
    }
    const volume = podVolume(deployment, mount.name);
    const sources: unknown[] = isRecord(at(volume, "projected"))
        ? arrayAt(volume, "projected", "sources")
        : [{ configMap: at(volume, "configMap"), secret: at(volume, "secret") }];
    const renderedFiles: Record<string, string> = {};
    const externalSecrets: string[] = [];
    for (const source of sources) {
        const configMap = at(source, "configMap");
        if (isRecord(configMap)) {
            const doc = findDoc(docs, "ConfigMap", stringAt(configMap, "name"), namespace);
            Object.assign(renderedFiles, projectItems(stringMapAt(doc, "data"), at(configMap, "items")));
        }
        const secret = at(source, "secret");
        if (isRecord(secret)) {
            // Projected sources name the Secret `name`; a plain secret volume names it `secretName`.
            const name = typeof at(secret, "name") === "string" ? stringAt(secret, "name") : stringAt(secret, "secretName");
            const doc = findDocs(docs, "Secret").find((d) => d.metadata.name === name && d.metadata.namespace === namespace);
            if (doc) {
                Object.assign(renderedFiles, projectItems(secretFiles(doc), at(secret, "items")));
            } else {
                externalSecrets.push(name);
            }
        }
    }
    return { dir, volume, renderedFiles, externalSecrets, matches };
}

/** Only the files Flyte's --config glob loads. */
function loadedFiles(files: Readonly<Record<string, string>>, matches: (file: string) => boolean): Record<string, string> {
    return Object.fromEntries(Object.entries(files).filter(([name]) => matches(name)));
}

/** Plain string replacement of each key, as Flyte does it (no template engine). */
function replaceAll(text: string, replacements: Readonly<Record<string, string>>): string {
    return Object.entries(replacements).reduce((out, [from, to]) => out.split(from).join(to), text);
}

function recordOrEmpty(value: unknown): JsonRecord {
    return isRecord(value) ? value : {};
}

/** The MinIO S3 endpoint as pods reach it, from the plan's MinIO Service and its `api` port. */
/** Every project-domain namespace, from the stack's config (exact-string replacement, as Flyte does). */
function expectedProjectNamespaces(): string[] {
    const template = stringSetting("namespaceTemplate");
    return stringsSetting("flyteProjects").flatMap((project) =>
        stringsSetting("flyteDomains").map((domain) =>
            replaceAll(template, { "{{ org }}": "", "{{ project }}": project, "{{ domain }}": domain }),
        ),
    );
}

function minioEndpoint(): string {
    const minio = onlyUnder(SERVICE, MINIO_COMPONENT);
    return `http://${serviceHost(minio)}:${servicePort(minio, "api").port}`;
}

// ---- The contract ----

test("Flyte's database config points at the in-cluster Postgres and reads the password from the program's Secret", () => {
    const service = onlyUnder(SERVICE, POSTGRES_COMPONENT);
    const postgresDeployment = onlyUnder(DEPLOYMENT, POSTGRES_COMPONENT);
    const podSpec = at(postgresDeployment.inputs, "spec", "template", "spec");
    const env = new Map(
        arrayAt(podSpec, "containers")
            .flatMap((c) => arrayAt(c, "env"))
            .filter((e) => typeof at(e, "value") === "string")
            .map((e) => [stringAt(e, "name"), stringAt(e, "value")]),
    );
    const servicePortsList = servicePorts(service);
    expect(servicePortsList).toHaveLength(1);
    const [dbPort] = servicePortsList;

    // The Service reaches the Postgres pods: its selector picks them, its port lands on their Postgres port.
    expect(metadataNamespace(service)).toBe(metadataNamespace(postgresDeployment));
    const selector = stringMapAt(service.inputs, "spec", "selector");
    expect(Object.keys(selector).length).toBeGreaterThan(0);
    expect(selects(selector, stringMapAt(postgresDeployment.inputs, "spec", "template", "metadata", "labels"))).toBe(true);
    expect(targetContainerPort(dbPort, podSpec)).toBeDefined();

    const postgres = recordAt(configFile("002-database.yaml"), "database", "postgres");
    expect(output("databaseHost")).toBe(serviceHost(service));
    expect({
        host: postgres.host,
        port: postgres.port,
        username: postgres.username,
        dbname: postgres.dbname,
        options: postgres.options,
    }).toEqual({
        host: output("databaseHost"),
        port: dbPort.port,
        username: env.get("POSTGRES_USER"),
        dbname: env.get("POSTGRES_DB"),
        options: "sslmode=disable",
    });
    expect(postgres.password).toBeUndefined();

    // The password file is read through a mount of the Secret this program creates, in the release's namespace.
    const dbSecrets = under(SECRET, FLYTE_COMPONENT).filter((s) => s.name.endsWith("-db-password"));
    expect(dbSecrets).toHaveLength(1);
    const [dbSecret] = dbSecrets;
    expect(metadataNamespace(dbSecret)).toBe(namespace);
    expect(dbSecret.inputs.stringData).toBe("[secret]");
    const deployment = flyteDeployment();
    const { mount, relative } = mountContaining(flyteContainer(), stringAt(postgres, "passwordPath"));
    const volume = podVolume(deployment, mount.name);
    expect({ volume: mount.name, secretName: at(volume, "secret", "secretName") }).toEqual({
        volume: mount.name,
        secretName: metadataName(dbSecret),
    });
    // The Secret's keys are redacted in the plan; the file must at least be one key of it (one file per key).
    const items = at(volume, "secret", "items");
    if (Array.isArray(items)) {
        expect(items.map((i) => at(i, "path"))).toContain(relative);
    } else {
        expect(relative).toMatch(/^[^/]+$/);
    }
});

test("storage: MinIO over S3 with access keys from the program's Secret, merged last; no secret in values or render", () => {
    const minio = onlyUnder(SERVICE, MINIO_COMPONENT);
    const api = servicePort(minio, "api");
    const endpoint = minioEndpoint();
    const metadataBucket = output("metadataBucket");
    const userDataBucket = output("userDataBucket");

    // The chart's storage file: S3 against the in-cluster MinIO, without TLS, on the plan's buckets.
    const storage = configFile("003-storage.yaml");
    expect({
        type: at(storage, "storage", "type"),
        kind: at(storage, "storage", "stow", "kind"),
        endpoint: at(storage, "storage", "stow", "config", "endpoint"),
        disableSSL: at(storage, "storage", "stow", "config", "disable_ssl"),
        container: at(storage, "storage", "container"),
        rawOutputPrefix: at(storage, "propeller", "rawoutput-prefix"),
    }).toEqual({
        type: "stow",
        kind: "s3",
        endpoint,
        disableSSL: true,
        container: metadataBucket,
        rawOutputPrefix: `s3://${userDataBucket}/data`,
    });

    // The inline config switches to access keys and signs URLs for the workstation's view of MinIO.
    expect(api.nodePort).toBeDefined();
    const inline = configFile("100-inline-config.yaml");
    expect(at(inline, "storage", "stow", "config", "auth_type")).toBe("accesskey");
    expect(at(inline, "storage", "signedUrl", "stowConfigOverride", "endpoint")).toBe(
        `http://${WORKSTATION_HOST}:${api.nodePort}`,
    );

    // Flyte loads the config directory in file-name order, later files overriding earlier ones.
    const config = flyteConfigDirectory();
    const chartConfigFiles = Object.keys(configData());
    expect(chartConfigFiles).toEqual(expect.arrayContaining(["003-storage.yaml", "100-inline-config.yaml"]));
    const renderedMerged = mergeConfigFiles(loadedFiles(config.renderedFiles, config.matches));
    expect(at(renderedMerged, "storage", "stow", "config", "auth_type")).toBe("accesskey");
    expect(at(renderedMerged, "storage", "stow", "config", "endpoint")).toBe(endpoint);

    // The keys come from the program's Secret, projected into the same directory, in the release's namespace.
    const secretConfigs = ofType(plan, SECRET).filter((s) => metadataName(s).endsWith("-secret-config"));
    expect(secretConfigs).toHaveLength(1);
    const [secretConfig] = secretConfigs;
    expect(metadataNamespace(secretConfig)).toBe(namespace);
    expect(secretConfig.inputs.stringData).toBe("[secret]");
    expect(at(values, "configuration", "inlineSecretRef")).toBe(metadataName(secretConfig));
    expect(config.externalSecrets).toContain(metadataName(secretConfig));
    // Its file is loaded, and loaded last: after every file the chart puts there.
    expect(config.matches(SECRET_CONFIG_FILE)).toBe(true);
    expect(
        Object.keys(config.renderedFiles).filter((file) => compareFileNames(file, SECRET_CONFIG_FILE) >= 0),
    ).toEqual([]);
    expect(
        chartConfigFiles.filter((file) => compareFileNames(file, SECRET_CONFIG_FILE) >= 0),
    ).toEqual([]);

    // With the program's secret file (pure function, test keys) on top, Flyte gets the keys.
    const keys = { accessKeyId: "TESTACCESSKEYID", secretAccessKey: "test-secret-access-key" };
    const merged = mergeConfigFiles(
        loadedFiles({ ...config.renderedFiles, [SECRET_CONFIG_FILE]: secretConfigFile(keys) }, config.matches),
    );
    expect(recordAt(merged, "storage", "stow", "config")).toMatchObject({
        auth_type: "accesskey",
        access_key_id: keys.accessKeyId,
        secret_key: keys.secretAccessKey,
        endpoint,
    });
    // Task pods get theirs from a Secret in their own namespace, by reference; the program creates one in every
    // project-domain namespace, holding the MinIO endpoint pods use.
    expect(arrayAt(merged, "plugins", "k8s", "default-env-from-secrets")).toEqual([TASK_STORAGE_SECRET]);
    expect(at(merged, "plugins", "k8s", "default-env-vars")).toBeUndefined();
    const taskSecrets = ofType(plan, "kubernetes:core/v1:Secret").filter(
        (r) => at(r.inputs, "metadata", "name") === TASK_STORAGE_SECRET,
    );
    expect(taskSecrets.map((r) => at(r.inputs, "metadata", "namespace")).sort()).toEqual(
        [...new Set(expectedProjectNamespaces())].sort(),
    );
    for (const r of taskSecrets) {
        expect(r.inputs.stringData).toBe("[secret]");
    }
    expect(taskStorageEnvironment({ ...keys, endpoint }).FLYTE_AWS_ENDPOINT).toBe(endpoint);
    // Settings of earlier files under the same keys survive the merge.
    expect(at(merged, "plugins", "k8s", "inject-finalizer")).toBe(true);
    expect(at(merged, "storage", "signedUrl", "stowConfigOverride", "endpoint")).toBe(
        `http://${WORKSTATION_HOST}:${api.nodePort}`,
    );

    // No secret anywhere in the values or the render; the chart renders no key file of its own.
    expect(pathsContaining(values, MOCK_PASSWORD_PREFIX)).toEqual([]);
    expect(pathsContaining(docs, MOCK_PASSWORD_PREFIX)).toEqual([]);
    expect(rendered.includes(MOCK_PASSWORD_PREFIX)).toBe(false);
    expect(pathsContaining(values, "[secret]")).toEqual([]);
    const chartSecret = findDoc(docs, "Secret", `${chartFullname()}-config-secret`, namespace);
    expect(Object.keys(secretFiles(chartSecret))).not.toContain("013-storage-secrets.yaml");
    expect(Object.keys(secretFiles(chartSecret))).not.toContain("012-database-secrets.yaml");
    expect(Object.keys(config.renderedFiles)).not.toContain("013-storage-secrets.yaml");
});

test("no cloud identity on local: plain backend ServiceAccount, one Namespace per project-domain pair and nothing else", () => {
    // The backend's ServiceAccount carries no cloud identity (nor does anything else the chart renders).
    const deployment = flyteDeployment();
    const serviceAccountName = stringAt(deployment, "spec", "template", "spec", "serviceAccountName");
    const serviceAccount = findDoc(docs, "ServiceAccount", serviceAccountName, deployment.metadata.namespace);
    expect(serviceAccount.metadata.namespace).toBe(namespace);
    const annotated = (annotations: unknown) =>
        Object.keys(recordOrEmpty(annotations)).filter((k) => CLOUD_IDENTITY_ANNOTATIONS.includes(k));
    expect(annotated(at(serviceAccount, "metadata", "annotations"))).toEqual([]);
    expect(docs.flatMap((d) => annotated(at(d, "metadata", "annotations")).map((k) => `${d.kind}/${d.metadata.name}: ${k}`))).toEqual([]);
    expect(annotated(at(values, "serviceAccount", "annotations"))).toEqual([]);

    const projects = stringsSetting("flyteProjects");
    const domains = stringsSetting("flyteDomains");
    const configTemplate = stringSetting("namespaceTemplate");
    const core = configFile("000-core.yaml");
    const inline = configFile("100-inline-config.yaml");
    // Flyte syncs namespaces for the projects it knows (seeded) and the domains it is configured with.
    const seeded = new Set([
        ...arrayAt(core, "flyte", "admin", "seedProjects").map((p) => (typeof p === "string" ? p : JSON.stringify(p))),
        ...arrayAt(core, "flyte", "admin", "seedProjectsWithDetails").map((p) => stringAt(p, "name")),
    ]);
    expect([...seeded].sort()).toEqual([...projects].sort());
    expect(arrayAt(inline, "domains").map((d) => stringAt(d, "id"))).toEqual(domains);
    // No per-domain template variables: there is no worker identity to hand out.
    expect(at(inline, "cluster_resources", "customData")).toBeUndefined();

    // Flyte reads the templates from templatePath: that must be where the templates ConfigMap is mounted.
    const templatesConfigMap = findDoc(docs, "ConfigMap", `${chartFullname()}-cluster-resource-templates`, namespace);
    const templatesMount = volumeMounts(flyteContainer()).find(
        (m) => m.mountPath === stringAt(core, "cluster_resources", "templatePath"),
    );
    expect(templatesMount).toBeDefined();
    const templatesVolume = podVolume(deployment, templatesMount?.name ?? "");
    const projected = at(templatesVolume, "projected", "sources");
    expect([
        at(templatesVolume, "configMap", "name"),
        ...(Array.isArray(projected) ? projected.map((s) => at(s, "configMap", "name")) : []),
    ]).toContain(templatesConfigMap.metadata.name);

    // Simulate Flyte's cluster resource controller for every project × domain.
    const templates = stringMapAt(templatesConfigMap, "data");
    const namespaceTemplate = stringAt(inline, "namespace_mapping", "template");
    const results = projects.flatMap((project) =>
        domains.map((domain) => {
            // namespaceutils: exact-string replacement; `{{ org }}` is empty in open-source Flyte.
            const pairValues = { "{{ org }}": "", "{{ project }}": project, "{{ domain }}": domain };
            const ns = replaceAll(namespaceTemplate, pairValues);
            const applied = Object.keys(templates)
                .sort(compareFileNames)
                .flatMap((file) => {
                    const text = replaceAll(templates[file], { "{{ namespace }}": ns });
                    return parseManifests(text, `${file} for ${ns}`).map((o) => ({ o, leftover: /\{\{|\}\}/.test(text) }));
                });
            return {
                pair: `${project}/${domain}`,
                namespaces: applied.filter(({ o }) => o.kind === "Namespace").map(({ o }) => o.metadata.name),
                serviceAccounts: applied.filter(({ o }) => o.kind === "ServiceAccount").map(({ o }) => o.metadata.name),
                identityAnnotations: applied.flatMap(({ o }) => annotated(at(o, "metadata", "annotations"))),
                unsubstituted: applied.some(({ leftover }) => leftover),
                expected: replaceAll(configTemplate, pairValues),
            };
        }),
    );
    expect(results.length).toBe(projects.length * domains.length);
    expect(results.length).toBeGreaterThan(0);
    expect(results).toEqual(
        results.map((r) => ({
            pair: r.pair,
            namespaces: [r.expected],
            serviceAccounts: [],
            identityAnnotations: [],
            unsubstituted: false,
            expected: r.expected,
        })),
    );
    expect(new Set(results.map((r) => r.expected)).size).toBe(results.length);
});

test("the NodePorts match the outputs, the stack config and the ports the example kind cluster publishes", () => {
    const service = onlyUnder(SERVICE, FLYTE_COMPONENT);
    const deployment = flyteDeployment();
    expect(at(service.inputs, "spec", "type")).toBe("NodePort");
    expect(metadataNamespace(service)).toBe(deployment.metadata.namespace);

    // It selects the Flyte pods, and only pods the Deployment claims.
    const selector = stringMapAt(service.inputs, "spec", "selector");
    const podLabels = stringMapAt(deployment, "spec", "template", "metadata", "labels");
    const matchLabels = stringMapAt(deployment, "spec", "selector", "matchLabels");
    expect(Object.keys(selector).length).toBeGreaterThan(0);
    expect(Object.fromEntries(Object.keys(selector).map((k) => [k, podLabels[k]]))).toEqual(selector);
    expect(Object.fromEntries(Object.keys(matchLabels).map((k) => [k, selector[k]]))).toEqual(matchLabels);

    // Its http and grpc ports land on the flyte container's 8088 and 8089.
    const podSpec = { containers: [flyteContainer()] };
    const http = servicePort(service, "http");
    const grpc = servicePort(service, "grpc");
    expect({ http: targetContainerPort(http, podSpec), grpc: targetContainerPort(grpc, podSpec) }).toEqual({
        http: FLYTE_HTTP_CONTAINER_PORT,
        grpc: FLYTE_GRPC_CONTAINER_PORT,
    });

    // The node ports are the ones the outputs name and the stack config asks for.
    const httpEndpoint = output("httpEndpoint");
    const grpcEndpoint = output("grpcEndpoint");
    expect({ http: hostOf(httpEndpoint), grpc: hostOf(grpcEndpoint) }).toEqual({
        http: WORKSTATION_HOST,
        grpc: WORKSTATION_HOST,
    });
    expect({ http: http.nodePort, grpc: grpc.nodePort }).toEqual({ http: portOf(httpEndpoint), grpc: portOf(grpcEndpoint) });
    expect({ http: http.nodePort, grpc: grpc.nodePort }).toEqual({
        http: integerSetting("localHttpNodePort"),
        grpc: integerSetting("localGrpcNodePort"),
    });
    const flytectl = parseYaml(output("flytectlConfig"), "flytectlConfig output");
    expect(at(flytectl, "admin", "endpoint")).toBe(`dns:///${WORKSTATION_HOST}:${grpc.nodePort}`);

    // MinIO's NodePorts too: the console URL output and the stack config.
    const minio = onlyUnder(SERVICE, MINIO_COMPONENT);
    const minioApi = servicePort(minio, "api");
    const minioConsole = servicePort(minio, "console");
    expect(portOf(output("minioConsoleUrl"))).toBe(minioConsole.nodePort);
    expect({ api: minioApi.nodePort, console: minioConsole.nodePort }).toEqual({
        api: integerSetting("localMinioNodePort"),
        console: integerSetting("localMinioConsoleNodePort"),
    });

    // Every NodePort of the plan's Services is published by the example kind cluster on the same host port.
    const kind = parseYaml(fs.readFileSync(KIND_CLUSTER_CONFIG, "utf8"), KIND_CLUSTER_CONFIG);
    const published = arrayAt(kind, "nodes").flatMap((node) => {
        const mappings = at(node, "extraPortMappings");
        return Array.isArray(mappings)
            ? mappings.map((m) => ({ containerPort: at(m, "containerPort"), hostPort: at(m, "hostPort") }))
            : [];
    });
    const nodePorts = ofType(plan, SERVICE)
        .filter((s) => at(s.inputs, "spec", "type") === "NodePort")
        .flatMap((s) =>
            servicePorts(s)
                .filter((p) => p.nodePort !== undefined)
                .map((p) => ({ port: `${metadataName(s)}/${p.name}`, nodePort: p.nodePort })),
        );
    expect(nodePorts.map((p) => p.nodePort)).toEqual(
        expect.arrayContaining([http.nodePort, grpc.nodePort, minioApi.nodePort, minioConsole.nodePort]),
    );
    expect(
        nodePorts.filter(
            ({ nodePort }) => !published.some((m) => m.containerPort === nodePort && m.hostPort === nodePort),
        ),
    ).toEqual([]);
});

test("Flyte waits for the database and the buckets, and the bucket job creates the buckets the outputs name", () => {
    const job = onlyUnder(JOB, MINIO_COMPONENT);
    const postgres = onlyUnder(DEPLOYMENT, POSTGRES_COMPONENT);
    const minio = onlyUnder(DEPLOYMENT, MINIO_COMPONENT);
    expect(release.dependencies).toEqual(expect.arrayContaining([job.urn, postgres.urn]));
    expect(job.dependencies).toContain(minio.urn);

    // Waiting means something only if Pulumi awaits them: readiness for the servers, completion for the job.
    for (const resource of [job, postgres, minio]) {
        expect([resource.name, at(resource.inputs, "metadata", "annotations", "pulumi.com/skipAwait")]).toEqual([
            resource.name,
            undefined,
        ]);
    }
    for (const server of [postgres, minio]) {
        const containers = arrayAt(server.inputs, "spec", "template", "spec", "containers");
        expect([server.name, containers.every((c) => isRecord(at(c, "readinessProbe")))]).toEqual([server.name, true]);
    }

    // The job's script: an mc alias on the MinIO endpoint, then both buckets.
    const containers = arrayAt(job.inputs, "spec", "template", "spec", "containers");
    expect(containers).toHaveLength(1);
    const command = arrayAt(containers[0], "command").map((c) => String(c));
    expect(command[command.length - 1]).toBe("-c");
    const script = stringAt(containers[0], "args", 0);
    const lines = script.split("\n").map((l) => l.trim());
    const alias = /\bmc alias set (\S+) (\S+)/.exec(script);
    expect(alias?.slice(1)).toEqual(["local", minioEndpoint()]);
    for (const bucket of [output("metadataBucket"), output("userDataBucket")]) {
        expect(lines).toContain(`mc mb --ignore-existing local/${bucket}`);
    }
});
