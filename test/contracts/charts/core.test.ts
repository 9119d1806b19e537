/**
 * Chart contract for flyte-core: the values the program hands the flyte-core release, rendered by the REAL
 * upstream chart (`helm template`), must produce what the rest of the plan assumes: each component's
 * ServiceAccount annotated with the Google service account Workload Identity binds to exactly that account, the
 * Services the endpoint proxy forwards to, the database, storage and namespaces Flyte is configured with, and, for
 * every project and domain, the namespace and annotated `default` account Flyte's cluster resource sync creates.
 *
 * Three stacks: prod (GCP, shared task identity), poc (GCP, custom namespaces and domains, one task identity per
 * project) and a local flyte-core stack (in-cluster Postgres and MinIO, no cloud identity).
 *
 * Needs helm and the packaged chart; see test/helpers/helm.ts (HELM_BIN, FLYTE_CORE_CHART). It fails, never
 * skips, when they are missing.
 */
import * as fs from "fs";
import * as path from "path";
import { mockPassword, mockRandomString } from "../../../lib/plan/mocks";
import type { RecordedResource } from "../../../lib/plan/monitor";
import type { Plan } from "../../../lib/plan/runPlan";
import { clusterServiceAddress, podSecretNames, scratchStack, Upstream } from "../../helpers/coreChart";
import { allContainers, annotationsOf, commandLine, configDirectory, ConfigDirectory, configGlob, containerNamed, flyteProjectNamespaces, replaceExact, simulateClusterResources } from "../../helpers/flyte";
import { nginxAll, nginxBlock, NginxDirective, nginxOne, parseNginx } from "../../helpers/nginx";
import { accountEmail, boundIdentity, workloadIdentityBindings } from "../../helpers/gcp";
import { chartMetadata, findDoc, findDocs, K8sObject, mountContaining, parseYaml, podVolume, RenderedRelease, renderStack, selects, volumeMounts } from "../../helpers/helm";
import { byName, byUrn, mocked, ofType, only, onlyUnder, PROJECT_DIR, stringOutput, transitiveDependencies, under } from "../../helpers/plan";
import { readStackSettings, StackSettings } from "../../helpers/stackSettings";
import { arrayAt, at, isRecord, JsonRecord, pathsContaining, recordAt, stringAt, stringMapAt } from "../../helpers/json";

// Spelled out here rather than imported from the program, so that a change on either side shows up as a failure.
const GKE_GSA_ANNOTATION = "iam.gke.io/gcp-service-account";
const CLOUD_IDENTITY_ANNOTATIONS = [GKE_GSA_ANNOTATION, "eks.amazonaws.com/role-arn"];
const SIGN_BLOB_ROLE = "roles/iam.serviceAccountTokenCreator";
const OBJECT_ROLE = "roles/storage.objectAdmin";
const CHECKSUM_ANNOTATION = "checksum/pulumi-secrets";
/** flyte-core's backend components: each runs as the chart's ServiceAccount of the same name. */
const COMPONENTS = ["flyteadmin", "flytepropeller", "datacatalog", "flytescheduler"] as const;
/** The chart's webhook runs under its own account, which needs no cloud identity. */
const WEBHOOK_SERVICE_ACCOUNT = "flyte-pod-webhook";
/** The Deployments whose pods read a Secret the program creates (the database password; on local the storage keys). */
const SECRET_READERS = ["flyteadmin", "flytepropeller", "datacatalog", "flytescheduler", "syncresources"];
const DB_PASSWORD_PATH = "/etc/db/password";
const WORKER_KSA = "default";
/** What the proxy forwards to: the chart's Services and ports. */
const PROXY_UPSTREAMS = {
    console: { service: "flyteconsole", port: 80, portName: "http", deployment: "flyteconsole" },
    adminHttp: { service: "flyteadmin", port: 80, portName: "http", deployment: "flyteadmin" },
    adminGrpc: { service: "flyteadmin", port: 81, portName: "grpc", deployment: "flyteadmin" },
} as const;
const PROXY_HTTP_PORT = 8088;
const PROXY_GRPC_PORT = 8089;
const SECRET = "kubernetes:core/v1:Secret";
const SERVICE = "kubernetes:core/v1:Service";
const DEPLOYMENT = "kubernetes:apps/v1:Deployment";
const CONFIG_MAP = "kubernetes:core/v1:ConfigMap";
const FLYTE_CORE_COMPONENT = "flyte:flyte:FlyteCore";
const PROXY_COMPONENT = "flyte:flyte:EndpointProxy";

interface CoreStackSpec {
    readonly title: string;
    readonly stack: string;
    readonly cloud: "gcp" | "local";
    /** The project directory holding Pulumi.yaml and Pulumi.<stack>.yaml, and the stack file if not there. */
    readonly location: () => { dir: string; stackFile?: string };
}

const STACKS: readonly CoreStackSpec[] = [
    { title: "prod (GCP, one task identity)", stack: "prod", cloud: "gcp", location: () => ({ dir: PROJECT_DIR }) },
    { title: "poc (GCP, custom namespaces and domains, project isolation)", stack: "poc", cloud: "gcp", location: () => ({ dir: PROJECT_DIR }) },
    {
        title: "local flyte-core (Postgres and MinIO in the cluster)",
        stack: "localcore",
        cloud: "local",
        location: () => scratchStack("localcore", { "flyte:cloud": "local", "flyte:flavor": "core", "flyte:deletionProtection": "false" }),
    },
];

// ---- Reading the plan ----

interface StackContext extends RenderedRelease {
    readonly settings: StackSettings;
}

const output = stringOutput;

function metadataName(resource: RecordedResource): string {
    return stringAt(resource.inputs, "metadata", "name");
}

interface ExpectedDatabase {
    readonly host: string;
    readonly port: number;
    readonly username: string;
    readonly dbname: string;
    readonly options: string;
}

function envValue(container: unknown, name: string): string {
    const found = arrayAt(container, "env").find((e) => at(e, "name") === name);
    return stringAt(found, "value");
}

/** The database as the plan declares it, read from the cloud's or the local Postgres resources. */
function expectedDatabase(spec: CoreStackSpec, plan: Plan): ExpectedDatabase {
    if (spec.cloud === "gcp") {
        const instance = only(plan, "gcp:sql/databaseInstance:DatabaseInstance");
        // The instance only accepts TLS: Flyte must require it.
        expect(at(instance.inputs, "settings", "ipConfiguration", "sslMode")).toBe("ENCRYPTED_ONLY");
        return {
            host: stringAt(mocked(instance).state, "privateIpAddress"),
            port: 5432,
            username: stringAt(only(plan, "gcp:sql/user:User").inputs, "name"),
            dbname: stringAt(only(plan, "gcp:sql/database:Database").inputs, "name"),
            options: "sslmode=require",
        };
    }
    const service = onlyUnder(plan, SERVICE, "flyte:local:LocalPostgres");
    const server = onlyUnder(plan, DEPLOYMENT, "flyte:local:LocalPostgres");
    const container = at(server.inputs, "spec", "template", "spec", "containers", 0);
    const port = arrayAt(service.inputs, "spec", "ports")[0];
    return {
        host: `${metadataName(service)}.${stringAt(service.inputs, "metadata", "namespace")}.svc.cluster.local`,
        port: Number(at(port, "port")),
        username: envValue(container, "POSTGRES_USER"),
        dbname: envValue(container, "POSTGRES_DB"),
        // Postgres in the cluster serves no TLS.
        options: "sslmode=disable",
    };
}

/** Domain ids and names as the stack file writes them (`id` or `id:Display name`). */
function stackDomains(settings: StackSettings): { id: string; name: string }[] {
    return settings.strings("flyteDomains").map((entry) => {
        const [id, ...rest] = entry.split(":");
        return { id, name: rest.length > 0 ? rest.join(":") : id };
    });
}

// ---- Reading the render ----

function deployment(ctx: StackContext, name: string): K8sObject {
    return findDoc(ctx.docs, "Deployment", name, ctx.namespace);
}

function podLabels(workload: unknown): Record<string, string> {
    return stringMapAt(workload, "spec", "template", "metadata", "labels");
}

function podAnnotations(workload: unknown): Record<string, string> {
    const annotations = at(workload, "spec", "template", "metadata", "annotations");
    return isRecord(annotations) ? stringMapAt(workload, "spec", "template", "metadata", "annotations") : {};
}

/** What a container started with `--config` reads; the container must be started so. */
function containerConfig(ctx: StackContext, workload: K8sObject, containerName: string): ConfigDirectory {
    return configDirectory(ctx.docs, workload, containerNamed(workload, containerName), ctx.namespace);
}

/** The Deployment running Flyte's cluster resource controller (`flyteadmin clusterresource run`). */
function syncResourcesDeployment(ctx: StackContext): { workload: K8sObject; container: JsonRecord } {
    const found = findDocs(ctx.docs, "Deployment").flatMap((workload) =>
        allContainers(workload)
            .filter((c) => {
                const line = commandLine(c);
                const index = line.indexOf("clusterresource");
                return index >= 0 && line[index + 1] === "run";
            })
            .map((container) => ({ workload, container })),
    );
    if (found.length !== 1) {
        throw new Error(`expected one container running the cluster resource controller, found ${found.length}`);
    }
    return found[0];
}

interface ServiceTarget {
    readonly portName: string;
    readonly deployment: string;
    readonly containerPort: number;
}

/** Where a rendered Service's port leads: the one Deployment it selects and the container port it targets. */
function serviceTarget(ctx: StackContext, upstream: Upstream): ServiceTarget {
    const service = findDoc(ctx.docs, "Service", upstream.service, upstream.namespace);
    const ports = arrayAt(service, "spec", "ports").filter((p) => at(p, "port") === upstream.port);
    if (ports.length !== 1) {
        throw new Error(`Service ${upstream.service} has ${ports.length} ports ${upstream.port}`);
    }
    const port = ports[0];
    const selector = stringMapAt(service, "spec", "selector");
    const selected = findDocs(ctx.docs, "Deployment").filter(
        (d) => d.metadata.namespace === upstream.namespace && selects(selector, podLabels(d)),
    );
    if (selected.length !== 1) {
        throw new Error(`Service ${upstream.service} selects ${selected.map((d) => d.metadata.name).join(", ") || "no Deployment"}`);
    }
    const targetPort = at(port, "targetPort") ?? upstream.port;
    const containerPorts = arrayAt(selected[0], "spec", "template", "spec", "containers").flatMap((c) => {
        const declared = at(c, "ports");
        return Array.isArray(declared) ? declared : [];
    });
    const match = containerPorts.find((p) =>
        typeof targetPort === "string" ? at(p, "name") === targetPort : at(p, "containerPort") === targetPort,
    );
    const containerPort = at(match, "containerPort");
    if (typeof containerPort !== "number") {
        throw new Error(`Service ${upstream.service} port ${upstream.port} targets ${String(targetPort)}, which no container of ${selected[0].metadata.name} declares`);
    }
    return { portName: stringAt(port, "name"), deployment: selected[0].metadata.name, containerPort };
}

/** The cluster resource controller's inputs as the chart hands them to it. */
function clusterResourceInputs(ctx: StackContext) {
    const { workload, container } = syncResourcesDeployment(ctx);
    const config = configDirectory(ctx.docs, workload, container, ctx.namespace).merged;
    const templatePath = stringAt(config, "cluster_resources", "templatePath");
    const { mount, relative } = mountContaining(container, `${templatePath}/probe.yaml`);
    expect(relative).toBe("probe.yaml");
    const templatesConfigMap = stringAt(podVolume(workload, mount.name), "configMap", "name");
    return {
        templatesConfigMap,
        templates: stringMapAt(findDoc(ctx.docs, "ConfigMap", templatesConfigMap, ctx.namespace), "data"),
        namespaceTemplate: stringAt(config, "namespace_mapping", "template"),
        /** Flyte's `domains` config as the sync reads it. */
        domainsConfig: at(config, "domains"),
        domains: arrayAt(config, "domains").map((d) => stringAt(d, "id")),
        domainNames: Object.fromEntries(arrayAt(config, "domains").map((d) => [stringAt(d, "id"), stringAt(d, "name")])),
        customData: at(config, "cluster_resources", "customData"),
    };
}

/** The projects flyteadmin seeds at start-up (`migrate seed-projects <p>...`). */
function seededProjects(ctx: StackContext): string[] {
    const seeders = allContainers(deployment(ctx, "flyteadmin"))
        .map(commandLine)
        .filter((line) => line.includes("seed-projects"));
    expect(seeders).toHaveLength(1);
    const line = seeders[0];
    return line.slice(line.indexOf("seed-projects") + 1);
}

// ---- The contract, per stack ----

function describeCoreStack(spec: CoreStackSpec): void {
    describe(spec.title, () => {
        let ctx: StackContext;

        beforeAll(async () => {
            const location = spec.location();
            try {
                // Shipped stacks from the run's shared plans; the one scratch stack in this process.
                ctx = { settings: readStackSettings(spec.stack, location.dir), ...(await renderStack(spec.stack, location.stackFile)) };
            } finally {
                if (location.dir !== PROJECT_DIR) {
                    fs.rmSync(location.dir, { recursive: true, force: true });
                }
            }
        }, 10 * 60 * 1000);

        const flyteNamespace = () => ctx.settings.string("flyteNamespace");
        /** Every project-domain namespace, as the stack config maps them (executions run there). */
        const taskNamespaces = () =>
            flyteProjectNamespaces(ctx.settings.string("namespaceTemplate"), ctx.settings.strings("flyteProjects"), stackDomains(ctx.settings).map((d) => d.id));

        test("renders the chart and release the program installs, in Flyte's namespace", () => {
            expect(chartMetadata(ctx.chart, ctx.helm)).toEqual({
                name: stringAt(ctx.release.inputs, "chart"),
                version: stringAt(ctx.release.inputs, "version"),
            });
            expect(ctx.release.inputs).toMatchObject({ chart: "flyte-core", name: "flyte-core", version: ctx.settings.string("chartVersion") });
            expect(ctx.namespace).toBe(flyteNamespace());
            const namespaced = ctx.docs.filter((d) => d.metadata.namespace !== undefined);
            expect(namespaced.length).toBeGreaterThan(10);
            expect([...new Set(namespaced.map((d) => d.metadata.namespace))]).toEqual([flyteNamespace()]);
        });

        test("the chart creates neither Flyte's namespace nor the Secrets the program owns", () => {
            expect(findDocs(ctx.docs, "Namespace")).toEqual([]);
            const programSecrets = under(ctx.plan, SECRET, FLYTE_CORE_COMPONENT)
                .filter((s) => stringAt(s.inputs, "metadata", "namespace") === ctx.namespace)
                .map(metadataName);
            expect(programSecrets.length).toBeGreaterThan(0);
            expect(findDocs(ctx.docs, "Secret").map((s) => s.metadata.name).filter((n) => programSecrets.includes(n))).toEqual([]);
        });

        test("each component runs as the chart's ServiceAccount of its name; the webhook's has no cloud identity", () => {
            const accounts = findDocs(ctx.docs, "ServiceAccount");
            expect(accounts.map((a) => a.metadata.name).sort()).toEqual([...COMPONENTS, WEBHOOK_SERVICE_ACCOUNT].sort());
            for (const component of COMPONENTS) {
                expect([component, stringAt(deployment(ctx, component), "spec", "template", "spec", "serviceAccountName")]).toEqual([
                    component,
                    component,
                ]);
            }
            const webhook = findDoc(ctx.docs, "ServiceAccount", WEBHOOK_SERVICE_ACCOUNT, ctx.namespace);
            expect(Object.keys(annotationsOf(webhook)).filter((k) => CLOUD_IDENTITY_ANNOTATIONS.includes(k))).toEqual([]);
        });

        if (spec.cloud === "gcp") {
            test("every component ServiceAccount is annotated with the GSA Workload Identity binds to exactly that account", () => {
                const pool = stringAt(only(ctx.plan, "gcp:container/cluster:Cluster").inputs, "workloadIdentityConfig", "workloadPool");
                const bindings = workloadIdentityBindings(ctx.plan);
                expect(bindings.length).toBeGreaterThan(COMPONENTS.length);
                expect(bindings.every((b) => b.pool === pool)).toBe(true);
                const identities = COMPONENTS.map((component) => {
                    const account = findDoc(ctx.docs, "ServiceAccount", component, ctx.namespace);
                    const annotations = annotationsOf(account);
                    const bound = bindings.filter((b) => b.namespace === account.metadata.namespace && b.ksa === account.metadata.name);
                    expect([component, bound.length]).toEqual([component, 1]);
                    expect([component, annotations[GKE_GSA_ANNOTATION]]).toEqual([component, bound[0].email]);
                    // And that GSA admits no other Kubernetes account.
                    expect([component, bindings.filter((b) => b.email === bound[0].email).length]).toEqual([component, 1]);
                    return bound[0].email;
                });
                // One identity each.
                expect(new Set(identities).size).toBe(COMPONENTS.length);
                // The stack reports the same identities.
                expect(COMPONENTS.map((c) => [c, at(ctx.plan.outputs, "identities", c)])).toEqual(COMPONENTS.map((c, i) => [c, identities[i]]));
                expect(output(ctx.plan, "backendServiceAccount")).toBe(identities[0]);
            });

            test("only flyteadmin signs URLs: it is the remoteData signing principal and may sign blobs as itself, nobody else may", () => {
                const admin = annotationsOf(findDoc(ctx.docs, "ServiceAccount", "flyteadmin", ctx.namespace))[GKE_GSA_ANNOTATION];
                const remoteData = recordAt(containerConfig(ctx, deployment(ctx, "flyteadmin"), "flyteadmin").merged, "remoteData");
                expect(remoteData).toMatchObject({ scheme: "gcp", signedUrls: { signingPrincipal: admin } });
                const signers = ofType(ctx.plan, "gcp:serviceaccount/iAMMember:IAMMember")
                    .filter((m) => at(m.inputs, "role") === SIGN_BLOB_ROLE)
                    .map((m) => [accountEmail(ctx.plan, stringAt(m.inputs, "serviceAccountId")), stringAt(m.inputs, "member")]);
                expect(signers).toEqual([[admin, `serviceAccount:${admin}`]]);
            });

            test("each component may use the buckets its configuration names, and the scheduler needs none", () => {
                const grantsOf = (email: string, bucket: string) =>
                    ofType(ctx.plan, "gcp:storage/bucketIAMMember:BucketIAMMember")
                        .filter((g) => g.inputs.member === `serviceAccount:${email}` && g.inputs.bucket === bucket)
                        .map((g) => at(g.inputs, "role"));
                const identity = (component: string) =>
                    annotationsOf(findDoc(ctx.docs, "ServiceAccount", component, ctx.namespace))[GKE_GSA_ANNOTATION];
                const used: [string, string][] = [];
                for (const component of ["flyteadmin", "flytepropeller", "datacatalog"]) {
                    const config = containerConfig(ctx, deployment(ctx, component), component).merged;
                    used.push([component, stringAt(config, "storage", "container")]);
                    const rawOutput = at(config, "propeller", "rawoutput-prefix");
                    if (typeof rawOutput === "string") {
                        used.push([component, new URL(rawOutput).host]);
                    }
                }
                expect(used.length).toBe(4);
                for (const [component, bucket] of used) {
                    expect([component, bucket, grantsOf(identity(component), bucket)]).toEqual([component, bucket, expect.arrayContaining([OBJECT_ROLE])]);
                }
                // flyteadmin serves raw outputs through signed URLs: it reaches the data bucket too.
                expect(grantsOf(identity("flyteadmin"), output(ctx.plan, "userDataBucket"))).toContain(OBJECT_ROLE);
                // The scheduler reads no storage and holds no bucket role.
                const scheduler = containerConfig(ctx, deployment(ctx, "flytescheduler"), "flytescheduler").merged;
                expect(at(scheduler, "storage")).toBeUndefined();
                expect(
                    ofType(ctx.plan, "gcp:storage/bucketIAMMember:BucketIAMMember").filter(
                        (g) => g.inputs.member === `serviceAccount:${identity("flytescheduler")}`,
                    ),
                ).toEqual([]);
            });
        } else {
            test("no rendered object and no cluster resource template carries a cloud identity", () => {
                const clusterTemplates = arrayAt(ctx.values, "cluster_resource_manager", "templates").map((t) => stringAt(t, "value"));
                for (const key of CLOUD_IDENTITY_ANNOTATIONS) {
                    expect(pathsContaining(ctx.docs, key)).toEqual([]);
                    expect(clusterTemplates.filter((t) => t.includes(key))).toEqual([]);
                }
                for (const account of findDocs(ctx.docs, "ServiceAccount")) {
                    expect([account.metadata.name, annotationsOf(account)]).toEqual([account.metadata.name, {}]);
                }
                expect(ofType(ctx.plan, "gcp:serviceaccount/account:Account")).toEqual([]);
            });
        }

        test("the proxy forwards /console to flyteconsole, the rest to flyteadmin's HTTP port, gRPC to its gRPC port", () => {
            const configMap = onlyUnder(ctx.plan, CONFIG_MAP, PROXY_COMPONENT);
            const proxy = onlyUnder(ctx.plan, DEPLOYMENT, PROXY_COMPONENT);
            const data = stringMapAt(configMap.inputs, "data");
            // nginx -c <file>: the file is a key of the ConfigMap mounted at its directory.
            const args = arrayAt(proxy.inputs, "spec", "template", "spec", "containers", 0, "args").map((a) => String(a));
            const confPath = args[args.indexOf("-c") + 1];
            const mount = volumeMounts(recordAt(proxy.inputs, "spec", "template", "spec", "containers", 0)).find(
                (m) => m.mountPath === path.posix.dirname(confPath),
            );
            const volume = arrayAt(proxy.inputs, "spec", "template", "spec", "volumes").find((v) => at(v, "name") === mount?.name);
            expect(isRecord(at(volume, "configMap"))).toBe(true);
            // The ConfigMap is auto-named: the Deployment takes the name from it.
            expect(proxy.dependencies).toContain(configMap.urn);
            const conf = parseNginx(data[path.posix.basename(confPath)] ?? "");

            const http = nginxBlock(nginxBlock(conf, "http"), "server");
            const stream = nginxBlock(nginxBlock(conf, "stream"), "server");
            const proxyPorts = new Map(
                arrayAt(proxy.inputs, "spec", "template", "spec", "containers", 0, "ports").map((p) => [stringAt(p, "name"), at(p, "containerPort")]),
            );
            expect({
                http: nginxOne(http, "listen").args,
                grpc: nginxOne(stream, "listen").args,
                ports: Object.fromEntries(proxyPorts),
            }).toEqual({
                http: [String(PROXY_HTTP_PORT)],
                grpc: [String(PROXY_GRPC_PORT)],
                ports: { http: PROXY_HTTP_PORT, grpc: PROXY_GRPC_PORT },
            });
            const passTo = (block: readonly NginxDirective[]) => clusterServiceAddress(nginxOne(block, "proxy_pass").args[0]);
            const upstreams = {
                console: passTo(nginxBlock(http, "location", ["/console"])),
                adminHttp: passTo(nginxBlock(http, "location", ["/"])),
                adminGrpc: passTo(stream),
            };
            // Nothing else is routed.
            expect(nginxAll(http, "location").map((l) => l.args.join(" ")).sort()).toEqual(["/", "/console", "= /healthz"]);

            for (const [key, expected] of Object.entries(PROXY_UPSTREAMS)) {
                const upstream = upstreams[key as keyof typeof PROXY_UPSTREAMS];
                expect([key, upstream]).toEqual([key, { service: expected.service, namespace: ctx.namespace, port: expected.port }]);
                const target = serviceTarget(ctx, upstream);
                expect([key, target.portName, target.deployment]).toEqual([key, expected.portName, expected.deployment]);
            }
            // flyteadmin's ports behind its Service are the ones it serves HTTP and gRPC on.
            const server = recordAt(containerConfig(ctx, deployment(ctx, "flyteadmin"), "flyteadmin").merged, "server");
            expect({
                http: serviceTarget(ctx, upstreams.adminHttp).containerPort,
                grpc: serviceTarget(ctx, upstreams.adminGrpc).containerPort,
            }).toEqual({ http: at(server, "httpPort"), grpc: at(server, "grpc", "port") });
            // The console is served under the path the proxy forwards, which it keeps (no URI on proxy_pass).
            const consoleEnv = arrayAt(deployment(ctx, "flyteconsole"), "spec", "template", "spec", "containers", 0, "envFrom").map((e) =>
                stringAt(e, "configMapRef", "name"),
            );
            const baseUrls = consoleEnv.map((name) => stringMapAt(findDoc(ctx.docs, "ConfigMap", name, ctx.namespace), "data").BASE_URL);
            expect(baseUrls).toEqual(["/console"]);
        });

        test("the endpoint Service selects exactly the proxy's pods, on its http and grpc ports", () => {
            const service = onlyUnder(ctx.plan, SERVICE, FLYTE_CORE_COMPONENT);
            const proxy = onlyUnder(ctx.plan, DEPLOYMENT, PROXY_COMPONENT);
            const selector = stringMapAt(service.inputs, "spec", "selector");
            expect(metadataName(service)).toBe(`flyte-core-${spec.cloud === "gcp" ? "lb" : "nodeport"}`);
            expect(stringAt(service.inputs, "metadata", "namespace")).toBe(stringAt(proxy.inputs, "metadata", "namespace"));
            expect(Object.keys(selector).length).toBeGreaterThan(0);
            expect(selects(selector, podLabels(proxy.inputs))).toBe(true);
            expect(selects(stringMapAt(proxy.inputs, "spec", "selector", "matchLabels"), selector)).toBe(true);
            // None of the chart's pods.
            expect(
                [...findDocs(ctx.docs, "Deployment"), ...findDocs(ctx.docs, "StatefulSet"), ...findDocs(ctx.docs, "DaemonSet")]
                    .filter((w) => selects(selector, podLabels(w)))
                    .map((w) => w.metadata.name),
            ).toEqual([]);
            const proxyPorts = new Map(
                arrayAt(proxy.inputs, "spec", "template", "spec", "containers", 0, "ports").map((p) => [stringAt(p, "name"), at(p, "containerPort")]),
            );
            expect(arrayAt(service.inputs, "spec", "ports").map((p) => [at(p, "port"), proxyPorts.get(stringAt(p, "targetPort"))])).toEqual([
                [PROXY_HTTP_PORT, PROXY_HTTP_PORT],
                [PROXY_GRPC_PORT, PROXY_GRPC_PORT],
            ]);
        });

        test("every pod that reads the database reads the plan's database, with the password from the plan's Secret", () => {
            const database = expectedDatabase(spec, ctx.plan);
            expect(output(ctx.plan, "databaseHost")).toBe(database.host);
            const passwordSecret = byName(ctx.plan, SECRET, "flyte-db-password");
            expect(byUrn(ctx.plan, passwordSecret.parent).type).toBe(FLYTE_CORE_COMPONENT);
            expect(stringAt(passwordSecret.inputs, "metadata", "namespace")).toBe(ctx.namespace);
            // It holds the database's generated password (the value itself is redacted in the plan).
            const generated = ofType(ctx.plan, "random:index/randomPassword:RandomPassword").filter((r) =>
                spec.cloud === "gcp" ? true : byUrn(ctx.plan, r.parent).type === "flyte:local:LocalPostgres",
            );
            expect(generated).toHaveLength(1);
            expect(transitiveDependencies(ctx.plan, passwordSecret)).toContain(generated[0].urn);
            const expected = { ...database, passwordPath: DB_PASSWORD_PATH };

            for (const name of ["flyte-admin-base-config", "datacatalog-config", "flyte-scheduler-config", "flyte-clusterresourcesync-config"]) {
                const db = parseYaml(stringMapAt(findDoc(ctx.docs, "ConfigMap", name, ctx.namespace), "data")["db.yaml"] ?? "", `${name} db.yaml`);
                expect([name, at(db, "database")]).toEqual([name, expected]);
            }
            const readers: string[] = [];
            for (const workloadName of ["flyteadmin", "datacatalog", "flytescheduler", "syncresources"]) {
                const workload = deployment(ctx, workloadName);
                for (const container of allContainers(workload).filter((c) => configGlob(c) !== undefined)) {
                    const where = `${workloadName}/${stringAt(container, "name")}`;
                    const config = configDirectory(ctx.docs, workload, container, ctx.namespace).merged;
                    expect([where, at(config, "database")]).toEqual([where, expected]);
                    // The password file is a key of the plan's Secret, mounted whole.
                    const { mount, relative } = mountContaining(container, DB_PASSWORD_PATH);
                    const volume = podVolume(workload, mount.name);
                    expect([where, at(volume, "secret", "secretName"), at(volume, "secret", "items"), relative]).toEqual([
                        where,
                        metadataName(passwordSecret),
                        undefined,
                        "password",
                    ]);
                    readers.push(where);
                }
            }
            // Migrations, seeding and the sync init step read it too.
            expect(readers).toEqual(expect.arrayContaining(["flyteadmin/run-migrations", "flyteadmin/flyteadmin", "datacatalog/datacatalog", "flytescheduler/flytescheduler", "syncresources/sync-cluster-resources"]));
            // The release waits for the Secret.
            expect(transitiveDependencies(ctx.plan, ctx.release)).toContain(passwordSecret.urn);
        });

        if (spec.cloud === "gcp") {
            test("storage: the metadata bucket in the GCP project, for flyteadmin, propeller and datacatalog", () => {
                const expected = { type: "stow", container: output(ctx.plan, "metadataBucket"), kind: "google", project: ctx.settings.provider("gcp:project") };
                for (const name of ["flyte-admin-base-config", "flyte-propeller-config", "datacatalog-config"]) {
                    const storage = parseYaml(stringMapAt(findDoc(ctx.docs, "ConfigMap", name, ctx.namespace), "data")["storage.yaml"] ?? "", name);
                    expect([name, { type: at(storage, "storage", "type"), container: at(storage, "storage", "container"), kind: at(storage, "storage", "stow", "kind"), project: at(storage, "storage", "stow", "config", "project_id") }]).toEqual([name, expected]);
                }
                for (const component of ["flyteadmin", "flytepropeller", "datacatalog"]) {
                    const config = containerConfig(ctx, deployment(ctx, component), component);
                    expect([component, at(config.merged, "storage", "container"), config.externalSecrets]).toEqual([component, expected.container, []]);
                }
            });
        } else {
            test("storage comes from the program's Secret: no storage.yaml in the chart, the Secret projected into each config", () => {
                const storageSecret = ofType(ctx.plan, SECRET).filter(
                    (s) => byUrn(ctx.plan, s.parent).type === FLYTE_CORE_COMPONENT && metadataName(s) === stringAt(ctx.values, "storage", "secretName"),
                );
                expect(storageSecret).toHaveLength(1);
                expect(stringAt(storageSecret[0].inputs, "metadata", "namespace")).toBe(ctx.namespace);
                expect(storageSecret[0].inputs.stringData).toBe("[secret]");
                expect(transitiveDependencies(ctx.plan, ctx.release)).toContain(storageSecret[0].urn);
                for (const configMap of findDocs(ctx.docs, "ConfigMap")) {
                    expect([configMap.metadata.name, Object.keys(isRecord(at(configMap, "data")) ? recordAt(configMap, "data") : {}).filter((k) => k.includes("storage"))]).toEqual([configMap.metadata.name, []]);
                }
                for (const component of ["flyteadmin", "flytepropeller", "datacatalog"]) {
                    const workload = deployment(ctx, component);
                    const mains = allContainers(workload).filter((c) => configGlob(c) !== undefined);
                    expect(mains.length).toBeGreaterThan(0);
                    for (const container of mains) {
                        const config = configDirectory(ctx.docs, workload, container, ctx.namespace);
                        expect([component, stringAt(container, "name"), config.externalSecrets, at(config.merged, "storage")]).toEqual([
                            component,
                            stringAt(container, "name"),
                            [metadataName(storageSecret[0])],
                            undefined,
                        ]);
                    }
                }
                const remoteData = containerConfig(ctx, deployment(ctx, "flyteadmin"), "flyteadmin").merged;
                expect(at(remoteData, "remoteData", "scheme")).toBe("none");
                // Task pods get the object store's keys from a Secret the program puts in each of their namespaces.
                const propeller = containerConfig(ctx, deployment(ctx, "flytepropeller"), "flytepropeller").merged;
                const fromSecrets = arrayAt(propeller, "plugins", "k8s", "default-env-from-secrets").map((s) => String(s));
                expect(fromSecrets).toHaveLength(1);
                const holders = ofType(ctx.plan, SECRET)
                    .filter((s) => metadataName(s) === fromSecrets[0])
                    .map((s) => stringAt(s.inputs, "metadata", "namespace"));
                expect(holders.sort()).toEqual([...taskNamespaces()].sort());
            });
        }

        test("propeller: raw outputs in the user data bucket, its lock in Flyte's namespace, watching every project namespace", () => {
            const config = containerConfig(ctx, deployment(ctx, "flytepropeller"), "flytepropeller").merged;
            const scheme = spec.cloud === "gcp" ? "gs" : "s3";
            const namespaces = taskNamespaces();
            expect(namespaces.length).toBeGreaterThan(1);
            expect({
                rawOutput: at(config, "propeller", "rawoutput-prefix"),
                lockNamespace: at(config, "propeller", "leader-election", "lock-config-map", "namespace"),
                limitNamespace: at(config, "propeller", "limit-namespace"),
            }).toEqual({
                rawOutput: `${scheme}://${output(ctx.plan, "userDataBucket")}/data`,
                lockNamespace: flyteNamespace(),
                limitNamespace: "all",
            });
            // The core.yaml the chart renders says the same (no later file overrides it).
            const core = parseYaml(stringMapAt(findDoc(ctx.docs, "ConfigMap", "flyte-propeller-config", ctx.namespace), "data")["core.yaml"] ?? "", "core.yaml");
            expect(at(core, "propeller", "rawoutput-prefix")).toBe(at(config, "propeller", "rawoutput-prefix"));
        });

        test("namespace mapping is the stack's template verbatim; domains are the stack's, with their names", () => {
            const domains = stackDomains(ctx.settings);
            for (const name of ["flyte-admin-base-config", "flyte-clusterresourcesync-config"]) {
                const data = stringMapAt(findDoc(ctx.docs, "ConfigMap", name, ctx.namespace), "data");
                expect([name, at(parseYaml(data["namespace_config.yaml"] ?? "", name), "namespace_mapping", "template")]).toEqual([
                    name,
                    ctx.settings.string("namespaceTemplate"),
                ]);
                expect([name, at(parseYaml(data["domain.yaml"] ?? "", name), "domains")]).toEqual([name, domains]);
            }
            // What the flyteadmin container loads, after every file.
            const admin = containerConfig(ctx, deployment(ctx, "flyteadmin"), "flyteadmin").merged;
            expect(at(admin, "namespace_mapping", "template")).toBe(ctx.settings.string("namespaceTemplate"));
            expect(at(admin, "domains")).toEqual(domains);
        });

        test("Flyte seeds the stack's projects, and its cluster resource sync reads one set of templates and settings", () => {
            expect(seededProjects(ctx)).toEqual(ctx.settings.strings("flyteProjects"));
            const { templatesConfigMap, templates, namespaceTemplate, domainsConfig, customData } = clusterResourceInputs(ctx);
            // flyteadmin's own sync step (an init container) sees the same.
            const admin = deployment(ctx, "flyteadmin");
            const initSync = allContainers(admin).filter((c) => commandLine(c).includes("clusterresource"));
            expect(initSync).toHaveLength(1);
            const initConfig = configDirectory(ctx.docs, admin, initSync[0], ctx.namespace).merged;
            const { mount } = mountContaining(initSync[0], `${stringAt(initConfig, "cluster_resources", "templatePath")}/probe.yaml`);
            expect(at(podVolume(admin, mount.name), "configMap", "name")).toBe(templatesConfigMap);
            expect({
                namespaceTemplate: at(initConfig, "namespace_mapping", "template"),
                domains: at(initConfig, "domains"),
                customData: at(initConfig, "cluster_resources", "customData"),
            }).toEqual({ namespaceTemplate, domains: domainsConfig, customData });
            expect(Object.keys(templates).length).toBeGreaterThan(0);
        });

        test("Flyte's cluster resource sync prepares exactly the namespaces executions run in", () => {
            const inputs = clusterResourceInputs(ctx);
            const applied = simulateClusterResources({ ...inputs, projects: ctx.settings.strings("flyteProjects") });
            // Executions run in the namespace the mapping gives with the domain ID (execution_manager.go), while the
            // sync fills the mapping with the domain's NAME (controller.go): with display names that differ from the
            // ids, the sync would prepare (or fail to create) other namespaces than the ones tasks run in.
            const executionNamespace = (project: string, domain: string) =>
                replaceExact(ctx.settings.string("namespaceTemplate"), { "{{ project }}": project, "{{ domain }}": domain });
            expect(applied.map((a) => [`${a.project}/${a.domain}`, a.namespace])).toEqual(
                applied.map((a) => [`${a.project}/${a.domain}`, executionNamespace(a.project, a.domain)]),
            );
            expect([...new Set(applied.map((a) => a.namespace))].sort()).toEqual([...taskNamespaces()].sort());
        });

        test("every project-domain pair gets its Namespace and a default account with its project's task identity, the one Workload Identity binds there", () => {
            const inputs = clusterResourceInputs(ctx);
            const projects = ctx.settings.strings("flyteProjects");
            const domains = stackDomains(ctx.settings);
            const applied = simulateClusterResources({ ...inputs, projects });
            expect(applied.length).toBe(projects.length * domains.length);
            const expectedNamespace = (project: string, domain: string) =>
                replaceExact(ctx.settings.string("namespaceTemplate"), { "{{ project }}": project, "{{ domain }}": domain });
            const results = applied.map((a) => {
                const accounts = a.objects.filter((o) => o.kind === "ServiceAccount");
                return {
                    pair: `${a.project}/${a.domain}`,
                    unsubstituted: a.unsubstituted,
                    namespaceObjects: a.objects.filter((o) => o.kind === "Namespace").map((o) => o.metadata.name),
                    accounts: accounts.map((o) => ({
                        name: o.metadata.name,
                        namespace: o.metadata.namespace,
                        identity: annotationsOf(o)[GKE_GSA_ANNOTATION],
                    })),
                    kinds: [...new Set(a.objects.map((o) => o.kind))].sort(),
                };
            });
            expect(results).toEqual(
                applied.map((a) => ({
                    pair: `${a.project}/${a.domain}`,
                    unsubstituted: false,
                    namespaceObjects: [a.namespace],
                    accounts:
                        spec.cloud === "gcp"
                            ? [{ name: WORKER_KSA, namespace: a.namespace, identity: boundIdentity(ctx.plan, expectedNamespace(a.project, a.domain), WORKER_KSA) }]
                            : [],
                    kinds: spec.cloud === "gcp" ? ["Namespace", "ServiceAccount"] : ["Namespace"],
                })),
            );

            if (spec.cloud === "gcp") {
                // Workload Identity binds exactly these namespaces' default accounts, no more, no fewer.
                const bound = workloadIdentityBindings(ctx.plan)
                    .filter((b) => b.ksa === WORKER_KSA)
                    .map((b) => `${b.namespace}/${b.ksa}`)
                    .sort();
                expect(bound).toEqual(taskNamespaces().map((ns) => `${ns}/${WORKER_KSA}`).sort());
                // One identity per project with isolation (as the stack reports it), one for all otherwise.
                const byProject = Object.fromEntries(
                    projects.map((p) => [p, [...new Set(results.filter((r) => r.pair.startsWith(`${p}/`)).map((r) => r.accounts[0]?.identity))]]),
                );
                if (ctx.settings.boolean("projectIsolation")) {
                    const reported = recordAt(ctx.plan.outputs, "projectWorkerServiceAccounts");
                    expect(byProject).toEqual(Object.fromEntries(projects.map((p) => [p, [reported[p]]])));
                    expect(new Set(Object.values(reported)).size).toBe(projects.length);
                    expect(ctx.plan.outputs.workerServiceAccount).toBeUndefined();
                } else {
                    expect(byProject).toEqual(Object.fromEntries(projects.map((p) => [p, [output(ctx.plan, "workerServiceAccount")]])));
                }
                // Task identities are not Flyte's own.
                const components = COMPONENTS.map((c) => annotationsOf(findDoc(ctx.docs, "ServiceAccount", c, ctx.namespace))[GKE_GSA_ANNOTATION]);
                expect(Object.values(byProject).flat().filter((identity) => components.includes(identity ?? ""))).toEqual([]);
            }
        });

        test("every pod that reads a program Secret restarts when it changes (checksum/pulumi-secrets)", () => {
            const programSecrets = ofType(ctx.plan, SECRET)
                .filter((s) => stringAt(s.inputs, "metadata", "namespace") === ctx.namespace)
                .map(metadataName);
            const workloads = findDocs(ctx.docs, "Deployment");
            const readers = workloads.filter((w) => podSecretNames(w).some((name) => programSecrets.includes(name))).map((w) => w.metadata.name);
            // The database password reaches every component but the console and the webhook.
            expect(readers).toEqual(expect.arrayContaining(SECRET_READERS.filter((r) => spec.cloud === "local" || r !== "flytepropeller")));
            const checksums = [...new Set([...readers, ...SECRET_READERS])].map((name) => [name, podAnnotations(deployment(ctx, name))[CHECKSUM_ANNOTATION]]);
            const value = checksums[0][1];
            expect(value).toMatch(/^[0-9a-f]{64}$/);
            expect(checksums).toEqual(checksums.map(([name]) => [name, value]));
        });

        test("no secret reaches the values or the rendered chart", () => {
            expect(pathsContaining(ctx.values, "[secret]")).toEqual([]);
            const generated = [
                ...ofType(ctx.plan, "random:index/randomPassword:RandomPassword").map((r) => mockPassword(r.name)),
                ...ofType(ctx.plan, "random:index/randomString:RandomString").map((r) => mockRandomString(r.name)),
            ];
            expect(generated.length).toBeGreaterThanOrEqual(spec.cloud === "gcp" ? 1 : 4);
            for (const secret of generated) {
                expect(pathsContaining(ctx.values, secret)).toEqual([]);
                expect(ctx.rendered.split("\n").filter((line) => line.includes(secret))).toEqual([]);
            }
        });
    });
}

for (const spec of STACKS) {
    describeCoreStack(spec);
}

describe("the sync simulation the namespace test relies on", () => {
    test("maps a domain's display name through the template, as Flyte 1.x does, so display names with {{ domain }} would fail that test", () => {
        const applied = simulateClusterResources({
            templates: { "001_namespace.yaml": "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: '{{ namespace }}'\n" },
            namespaceTemplate: "103020-flytepoc-{{ project }}-{{ domain }}",
            domains: ["d-dev", "t-dev"],
            domainNames: { "d-dev": "Development", "t-dev": "t-dev" },
            customData: [],
            projects: ["x"],
        });
        expect(applied.map((a) => [a.domain, a.namespace, a.objects.map((o) => o.metadata.name)])).toEqual([
            ["d-dev", "103020-flytepoc-x-Development", ["103020-flytepoc-x-Development"]],
            ["t-dev", "103020-flytepoc-x-t-dev", ["103020-flytepoc-x-t-dev"]],
        ]);
    });
});
