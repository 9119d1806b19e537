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
import type { RecordedResource } from "../../../lib/plan/monitor";
import {
    binaryChartFullname,
    binaryClusterResources,
    binaryConfigData,
    binaryConfigFile,
    flyteConfigDirectory,
    flyteContainer,
    flyteDeployment,
    flyteNamespaceName,
    flyteProjectNamespaces,
    secretFiles,
} from "../../helpers/flyte";
import { beforeAllRendered, compareFileNames, findDoc, mergeConfigFiles, mountContaining, parseYaml, podVolume, selects } from "../../helpers/helm";
import { arrayAt, at, isRecord, JsonRecord, pathsContaining, recordAt, stringAt, stringMapAt } from "../../helpers/json";
import { ofType, onlyUnder, PROJECT_DIR, stringOutput, under } from "../../helpers/plan";
import { readStackSettings } from "../../helpers/stackSettings";

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
const SERVICE = "kubernetes:core/v1:Service";
const SECRET = "kubernetes:core/v1:Secret";
const DEPLOYMENT = "kubernetes:apps/v1:Deployment";
const JOB = "kubernetes:batch/v1:Job";
const FLYTE_COMPONENT = "flyte:flyte:FlyteBinary";
const POSTGRES_COMPONENT = "flyte:local:LocalPostgres";
const MINIO_COMPONENT = "flyte:local:LocalMinio";

const settings = readStackSettings(STACK);
const ctx = beforeAllRendered(STACK);

// ---- What the plan says ----

const output = (key: string) => stringOutput(ctx().plan, key);

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

function recordOrEmpty(value: unknown): JsonRecord {
    return isRecord(value) ? value : {};
}

/** The MinIO S3 endpoint as pods reach it, from the plan's MinIO Service and its `api` port. */
function minioEndpoint(): string {
    const minio = onlyUnder(ctx().plan, SERVICE, MINIO_COMPONENT);
    return `http://${serviceHost(minio)}:${servicePort(minio, "api").port}`;
}

// ---- The contract ----

test("Flyte's database config points at the in-cluster Postgres and reads the password from the program's Secret", () => {
    const service = onlyUnder(ctx().plan, SERVICE, POSTGRES_COMPONENT);
    const postgresDeployment = onlyUnder(ctx().plan, DEPLOYMENT, POSTGRES_COMPONENT);
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

    const postgres = recordAt(binaryConfigFile(ctx(), "002-database.yaml"), "database", "postgres");
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
    const dbSecrets = under(ctx().plan, SECRET, FLYTE_COMPONENT).filter((s) => s.name.endsWith("-db-password"));
    expect(dbSecrets).toHaveLength(1);
    const [dbSecret] = dbSecrets;
    expect(metadataNamespace(dbSecret)).toBe(ctx().namespace);
    expect(dbSecret.inputs.stringData).toBe("[secret]");
    const deployment = flyteDeployment(ctx().docs);
    const { mount, relative } = mountContaining(flyteContainer(ctx().docs), stringAt(postgres, "passwordPath"));
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
    const minio = onlyUnder(ctx().plan, SERVICE, MINIO_COMPONENT);
    const api = servicePort(minio, "api");
    const endpoint = minioEndpoint();
    const metadataBucket = output("metadataBucket");
    const userDataBucket = output("userDataBucket");

    // The chart's storage file: S3 against the in-cluster MinIO, without TLS, on the plan's buckets.
    const storage = binaryConfigFile(ctx(), "003-storage.yaml");
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
    const inline = binaryConfigFile(ctx(), "100-inline-config.yaml");
    expect(at(inline, "storage", "stow", "config", "auth_type")).toBe("accesskey");
    expect(at(inline, "storage", "signedUrl", "stowConfigOverride", "endpoint")).toBe(
        `http://${WORKSTATION_HOST}:${api.nodePort}`,
    );

    // Flyte loads the config directory in file-name order, later files overriding earlier ones.
    const config = flyteConfigDirectory(ctx().docs, ctx().namespace);
    const chartConfigFiles = Object.keys(binaryConfigData(ctx()));
    expect(chartConfigFiles).toEqual(expect.arrayContaining(["003-storage.yaml", "100-inline-config.yaml"]));
    const renderedMerged = config.merged;
    expect(at(renderedMerged, "storage", "stow", "config", "auth_type")).toBe("accesskey");
    expect(at(renderedMerged, "storage", "stow", "config", "endpoint")).toBe(endpoint);

    // The keys come from the program's Secret, projected into the same directory, in the release's namespace.
    const secretConfigs = ofType(ctx().plan, SECRET).filter((s) => metadataName(s).endsWith("-secret-config"));
    expect(secretConfigs).toHaveLength(1);
    const [secretConfig] = secretConfigs;
    expect(metadataNamespace(secretConfig)).toBe(ctx().namespace);
    expect(secretConfig.inputs.stringData).toBe("[secret]");
    expect(at(ctx().values, "configuration", "inlineSecretRef")).toBe(metadataName(secretConfig));
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
    const withKeys: Record<string, string> = { ...config.renderedFiles, [SECRET_CONFIG_FILE]: secretConfigFile(keys) };
    const merged = mergeConfigFiles(Object.fromEntries(Object.entries(withKeys).filter(([file]) => config.matches(file))));
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
    const taskSecrets = ofType(ctx().plan, "kubernetes:core/v1:Secret").filter(
        (r) => at(r.inputs, "metadata", "name") === TASK_STORAGE_SECRET,
    );
    expect(taskSecrets.map((r) => at(r.inputs, "metadata", "namespace")).sort()).toEqual(
        flyteProjectNamespaces(settings.string("namespaceTemplate"), settings.strings("flyteProjects"), settings.strings("flyteDomains")).sort(),
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
    expect(pathsContaining(ctx().values, MOCK_PASSWORD_PREFIX)).toEqual([]);
    expect(pathsContaining(ctx().docs, MOCK_PASSWORD_PREFIX)).toEqual([]);
    expect(ctx().rendered.includes(MOCK_PASSWORD_PREFIX)).toBe(false);
    expect(pathsContaining(ctx().values, "[secret]")).toEqual([]);
    const chartSecret = findDoc(ctx().docs, "Secret", `${binaryChartFullname(ctx())}-config-secret`, ctx().namespace);
    expect(Object.keys(secretFiles(chartSecret))).not.toContain("013-storage-secrets.yaml");
    expect(Object.keys(secretFiles(chartSecret))).not.toContain("012-database-secrets.yaml");
    expect(Object.keys(config.renderedFiles)).not.toContain("013-storage-secrets.yaml");
});

test("no cloud identity on local: plain backend ServiceAccount, one Namespace per project-domain pair and nothing else", () => {
    // The backend's ServiceAccount carries no cloud identity (nor does anything else the chart renders).
    const deployment = flyteDeployment(ctx().docs);
    const serviceAccountName = stringAt(deployment, "spec", "template", "spec", "serviceAccountName");
    const serviceAccount = findDoc(ctx().docs, "ServiceAccount", serviceAccountName, deployment.metadata.namespace);
    expect(serviceAccount.metadata.namespace).toBe(ctx().namespace);
    const annotated = (annotations: unknown) =>
        Object.keys(recordOrEmpty(annotations)).filter((k) => CLOUD_IDENTITY_ANNOTATIONS.includes(k));
    expect(annotated(at(serviceAccount, "metadata", "annotations"))).toEqual([]);
    expect(ctx().docs.flatMap((d) => annotated(at(d, "metadata", "annotations")).map((k) => `${d.kind}/${d.metadata.name}: ${k}`))).toEqual([]);
    expect(annotated(at(ctx().values, "serviceAccount", "annotations"))).toEqual([]);

    const projects = settings.strings("flyteProjects");
    const domains = settings.strings("flyteDomains");
    // Flyte syncs namespaces for the projects it knows (seeded) and the domains it is configured with, from the
    // templates mounted at templatePath.
    const sync = binaryClusterResources(ctx());
    expect(sync.seededProjects).toEqual([...projects].sort());
    expect(sync.domains).toEqual(domains);
    // No per-domain template variables: there is no worker identity to hand out.
    expect(sync.customData).toBeUndefined();
    expect(sync.mountedAtTemplatePath).toBeDefined();
    expect(sync.mountedAtTemplatePath).toContain(sync.templatesConfigMap);

    // Flyte's cluster resource controller for every project × domain.
    const results = sync.simulate(projects, domains).map((r) => ({
        pair: `${r.project}/${r.domain}`,
        namespaces: r.objects.filter((o) => o.kind === "Namespace").map((o) => o.metadata.name),
        serviceAccounts: r.objects.filter((o) => o.kind === "ServiceAccount").map((o) => o.metadata.name),
        identityAnnotations: r.objects.flatMap((o) => annotated(at(o, "metadata", "annotations"))),
        unsubstituted: r.unsubstituted,
        expected: flyteNamespaceName(settings.string("namespaceTemplate"), r.project, r.domain),
    }));
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
    const service = onlyUnder(ctx().plan, SERVICE, FLYTE_COMPONENT);
    const deployment = flyteDeployment(ctx().docs);
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
    const podSpec = { containers: [flyteContainer(ctx().docs)] };
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
        http: settings.integer("localHttpNodePort"),
        grpc: settings.integer("localGrpcNodePort"),
    });
    const flytectl = parseYaml(output("flytectlConfig"), "flytectlConfig output");
    expect(at(flytectl, "admin", "endpoint")).toBe(`dns:///${WORKSTATION_HOST}:${grpc.nodePort}`);

    // MinIO's NodePorts too: the console URL output and the stack config.
    const minio = onlyUnder(ctx().plan, SERVICE, MINIO_COMPONENT);
    const minioApi = servicePort(minio, "api");
    const minioConsole = servicePort(minio, "console");
    expect(portOf(output("minioConsoleUrl"))).toBe(minioConsole.nodePort);
    expect({ api: minioApi.nodePort, console: minioConsole.nodePort }).toEqual({
        api: settings.integer("localMinioNodePort"),
        console: settings.integer("localMinioConsoleNodePort"),
    });

    // Every NodePort of the plan's Services is published by the example kind cluster on the same host port.
    const kind = parseYaml(fs.readFileSync(KIND_CLUSTER_CONFIG, "utf8"), KIND_CLUSTER_CONFIG);
    const published = arrayAt(kind, "nodes").flatMap((node) => {
        const mappings = at(node, "extraPortMappings");
        return Array.isArray(mappings)
            ? mappings.map((m) => ({ containerPort: at(m, "containerPort"), hostPort: at(m, "hostPort") }))
            : [];
    });
    const nodePorts = ofType(ctx().plan, SERVICE)
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
    const job = onlyUnder(ctx().plan, JOB, MINIO_COMPONENT);
    const postgres = onlyUnder(ctx().plan, DEPLOYMENT, POSTGRES_COMPONENT);
    const minio = onlyUnder(ctx().plan, DEPLOYMENT, MINIO_COMPONENT);
    expect(ctx().release.dependencies).toEqual(expect.arrayContaining([job.urn, postgres.urn]));
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
