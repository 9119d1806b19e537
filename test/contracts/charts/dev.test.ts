/**
 * Chart contract: the values the program hands the flyte-binary release, rendered by the REAL upstream chart
 * (`helm template`), must produce the objects the rest of the program assumes: the service account Workload
 * Identity binds, the pods the load balancer selects, the database and storage Flyte is configured with, and the
 * namespaces (with their annotated `default` accounts) Flyte creates for every project and domain.
 *
 * Needs helm and the packaged chart; see test/helpers/helm.ts (HELM_BIN, FLYTE_BINARY_CHART). It fails, never
 * skips, when they are missing.
 */
import * as fs from "fs";
import * as path from "path";
import type { RecordedResource } from "../../../lib/plan/monitor";
import { MOCK_DATABASE_IP, mockPassword } from "../../../lib/plan/mocks";
import type { Plan } from "../../../lib/plan/runPlan";
import {
    arrayAt,
    at,
    chartMetadata,
    findDoc,
    findDocs,
    FLYTE_BINARY_CHART_LOCATION,
    isRecord,
    JsonRecord,
    K8sObject,
    parseManifests,
    parseYaml,
    recordAt,
    renderChart,
    renderChartText,
    resolveChart,
    resolveHelm,
    selects,
    stringAt,
    stringMapAt,
} from "../../helpers/helm";
import { byName, byUrn, ofType, only, planStack, PROJECT_DIR } from "../../helpers/plan";

const STACK = "dev";

// Spelled out here rather than imported from the program, so that a change on either side shows up as a failure.
const GKE_GSA_ANNOTATION = "iam.gke.io/gcp-service-account";
const WORKLOAD_IDENTITY_USER = "roles/iam.workloadIdentityUser";
const WORKER_KSA = "default";
const DEFAULTS = {
    flyteProjects: ["flytesnacks"],
    flyteDomains: ["development", "staging", "production"],
    namespaceTemplate: "{{ project }}-{{ domain }}",
};

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
    release = only(plan, "kubernetes:helm.sh/v3:Release");
    releaseName = stringAt(release.inputs, "name");
    namespace = stringAt(release.inputs, "namespace");
    const releaseValues = at(release.inputs, "values");
    if (!isRecord(releaseValues)) {
        // "[secret]" here means a secret (e.g. the database password) leaked into the values.
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

interface GoogleServiceAccount {
    readonly project: string;
    readonly email: string;
    /** `projects/<project>/serviceAccounts/<email>`: what IAM bindings on the account refer to. */
    readonly name: string;
}

/** The recorded inputs hold project and accountId; GCP derives the email and resource name from them. */
function googleServiceAccount(resourceName: string): GoogleServiceAccount {
    const account = byName(plan, "gcp:serviceaccount/account:Account", resourceName);
    const project = stringAt(account.inputs, "project");
    const email = `${stringAt(account.inputs, "accountId")}@${project}.iam.gserviceaccount.com`;
    return { project, email, name: `projects/${project}/serviceAccounts/${email}` };
}

interface WorkloadIdentityBinding {
    readonly serviceAccountId: string;
    readonly pool: string;
    readonly namespace: string;
    readonly ksa: string;
}

const WORKLOAD_IDENTITY_MEMBER = /^serviceAccount:([^[\]]+)\[([^/[\]]+)\/([^/[\]]+)\]$/;

/** Every workloadIdentityUser member binding declared by the WorkloadIdentityBindings component. */
function workloadIdentityBindings(): WorkloadIdentityBinding[] {
    return ofType(plan, "gcp:serviceaccount/iAMMember:IAMMember")
        .filter((r) => byUrn(plan, r.parent).type === "flyte:gcp:WorkloadIdentityBindings")
        .filter((r) => at(r.inputs, "role") === WORKLOAD_IDENTITY_USER)
        .map((r) => {
            const member = stringAt(r.inputs, "member");
            const match = WORKLOAD_IDENTITY_MEMBER.exec(member);
            if (!match) {
                throw new Error(`${r.name}: member ${member} is not serviceAccount:<pool>[<namespace>/<ksa>]`);
            }
            return {
                serviceAccountId: stringAt(r.inputs, "serviceAccountId"),
                pool: match[1],
                namespace: match[2],
                ksa: match[3],
            };
        });
}

// ---- What the chart renders ----

/** The chart's Flyte Deployment: the one whose pods run the `flyte` container. */
function flyteDeployment(objects: readonly K8sObject[] = docs): K8sObject {
    const found = findDocs(objects, "Deployment").filter((d) =>
        arrayAt(d, "spec", "template", "spec", "containers").some((c) => at(c, "name") === "flyte"),
    );
    if (found.length !== 1) {
        throw new Error(`expected one Deployment with a flyte container, found ${found.length}`);
    }
    return found[0];
}

function flyteContainer(deployment: K8sObject): JsonRecord {
    const container = arrayAt(deployment, "spec", "template", "spec", "containers").find((c) => at(c, "name") === "flyte");
    if (!isRecord(container)) {
        throw new Error(`Deployment ${deployment.metadata.name} has no flyte container`);
    }
    return container;
}

function podVolume(deployment: K8sObject, name: string): JsonRecord {
    const volume = arrayAt(deployment, "spec", "template", "spec", "volumes").find((v) => at(v, "name") === name);
    if (!isRecord(volume)) {
        throw new Error(`Deployment ${deployment.metadata.name} has no volume ${name}`);
    }
    return volume;
}

interface Mount {
    readonly name: string;
    readonly mountPath: string;
    readonly subPath?: string;
}

function volumeMounts(container: JsonRecord): Mount[] {
    return arrayAt(container, "volumeMounts").map((m) => ({
        name: stringAt(m, "name"),
        mountPath: stringAt(m, "mountPath"),
        subPath: typeof at(m, "subPath") === "string" ? stringAt(m, "subPath") : undefined,
    }));
}

/** The mount a file path is read through: the most specific mount containing it, as the kernel resolves it. */
function mountContaining(container: JsonRecord, file: string): { mount: Mount; relative: string } {
    const candidates = volumeMounts(container)
        .map((mount) => {
            if (mount.subPath !== undefined) {
                return file === mount.mountPath ? { mount, relative: mount.subPath } : undefined;
            }
            const dir = mount.mountPath.replace(/\/+$/, "");
            return file.startsWith(`${dir}/`) ? { mount, relative: file.slice(dir.length + 1) } : undefined;
        })
        .filter((c): c is { mount: Mount; relative: string } => c !== undefined)
        .sort((a, b) => b.mount.mountPath.length - a.mount.mountPath.length);
    if (candidates.length === 0) {
        throw new Error(`${file} is in no volume mount of the ${stringAt(container, "name")} container`);
    }
    return candidates[0];
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

// ---- What the stack file says, read without the program's code ----

interface StackFlyteConfig {
    readonly gcpProject: string;
    readonly projects: string[];
    readonly domains: string[];
    readonly namespaceTemplate: string;
}

function readStackFlyteConfig(stack: string): StackFlyteConfig {
    const projectFile = parseYaml(fs.readFileSync(path.join(PROJECT_DIR, "Pulumi.yaml"), "utf8"), "Pulumi.yaml");
    const pulumiProject = stringAt(projectFile, "name");
    const stackFile = `Pulumi.${stack}.yaml`;
    const config = recordAt(parseYaml(fs.readFileSync(path.join(PROJECT_DIR, stackFile), "utf8"), stackFile), "config");
    // Stack value, else the default Pulumi.yaml declares (as the CLI applies it), else the documented default.
    const setting = (key: keyof typeof DEFAULTS): unknown =>
        config[`${pulumiProject}:${key}`] ?? at(projectFile, "config", key, "default") ?? DEFAULTS[key];
    const strings = (key: "flyteProjects" | "flyteDomains"): string[] => {
        const value = setting(key);
        if (!Array.isArray(value) || !value.every((v): v is string => typeof v === "string")) {
            throw new Error(`${stackFile}: ${key} is not a list of strings: ${JSON.stringify(value)}`);
        }
        return value;
    };
    const namespaceTemplate = setting("namespaceTemplate");
    if (typeof namespaceTemplate !== "string") {
        throw new Error(`${stackFile}: namespaceTemplate is not a string`);
    }
    return {
        gcpProject: stringAt(config, "gcp:project"),
        projects: strings("flyteProjects"),
        domains: strings("flyteDomains"),
        namespaceTemplate,
    };
}

/** Plain string replacement of each key, as Flyte does it (no template engine). */
function replaceAll(text: string, replacements: Readonly<Record<string, string>>): string {
    return Object.entries(replacements).reduce((out, [from, to]) => out.split(from).join(to), text);
}

/**
 * `cluster_resources.customData` as Flyte reads it: domain -> variable -> value. The chart's documented form is a
 * list of one-key maps (merged when Flyte decodes it); a plain map is accepted too.
 */
function customDataByDomain(customData: unknown): Map<string, Map<string, string>> {
    const merge = (entries: unknown): JsonRecord =>
        Array.isArray(entries) ? Object.assign({}, ...entries.map((e) => recordAt(e))) : recordAt(entries);
    const byDomain = new Map<string, Map<string, string>>();
    for (const [domain, variables] of Object.entries(merge(customData))) {
        const vars = new Map<string, string>();
        for (const [name, source] of Object.entries(merge(variables))) {
            vars.set(name, stringAt(source, "value"));
        }
        byDomain.set(domain, vars);
    }
    return byDomain;
}

/** Where in a JSON value a string occurs, e.g. ["configuration.database.password"]. */
function pathsContaining(value: unknown, needle: string, where = ""): string[] {
    if (typeof value === "string") {
        return value.includes(needle) ? [where] : [];
    }
    if (Array.isArray(value)) {
        return value.flatMap((v, i) => pathsContaining(v, needle, `${where}[${i}]`));
    }
    if (isRecord(value)) {
        return Object.entries(value).flatMap(([k, v]) => pathsContaining(v, needle, where ? `${where}.${k}` : k));
    }
    return [];
}

function recordOrEmpty(value: unknown): JsonRecord {
    return isRecord(value) ? value : {};
}

// ---- The contract ----

test("renders the chart the program installs (same name and version)", () => {
    expect(chartMetadata(chart, helm)).toEqual({
        name: stringAt(release.inputs, "chart"),
        version: stringAt(release.inputs, "version"),
    });
});

test("the backend runs as the chart's ServiceAccount that Workload Identity binds to the backend GSA", () => {
    const backend = googleServiceAccount("gcp-identities-backend");
    expect(output("backendServiceAccount")).toBe(backend.email);

    // The IAMMember's serviceAccountId is the account's (mocked) `name` output.
    const bindings = workloadIdentityBindings().filter((b) => b.serviceAccountId === backend.name);
    expect(bindings).toHaveLength(1);
    const binding = bindings[0];
    expect(binding.pool).toBe(`${backend.project}.svc.id.goog`);

    const deployment = flyteDeployment();
    const serviceAccountName = stringAt(deployment, "spec", "template", "spec", "serviceAccountName");
    const serviceAccount = findDoc(docs, "ServiceAccount", serviceAccountName, deployment.metadata.namespace);
    expect({ namespace: serviceAccount.metadata.namespace, name: serviceAccount.metadata.name }).toEqual({
        namespace: binding.namespace,
        name: binding.ksa,
    });
    expect(serviceAccount.metadata.namespace).toBe(namespace);
    expect(stringMapAt(serviceAccount, "metadata", "annotations")[GKE_GSA_ANNOTATION]).toBe(backend.email);
});

test("the load balancer selects exactly the Flyte pods and targets their http and grpc ports", () => {
    const lb = only(plan, "kubernetes:core/v1:Service");
    const selector = stringMapAt(lb.inputs, "spec", "selector");
    const deployment = flyteDeployment();
    const podLabels = stringMapAt(deployment, "spec", "template", "metadata", "labels");
    const matchLabels = stringMapAt(deployment, "spec", "selector", "matchLabels");

    // A Service only selects pods in its own namespace.
    expect(stringAt(lb.inputs, "metadata", "namespace")).toBe(deployment.metadata.namespace);
    expect(Object.keys(selector).length).toBeGreaterThan(0);
    // Selector ⊆ pod labels: the Flyte pods are selected.
    expect(Object.fromEntries(Object.keys(selector).map((k) => [k, podLabels[k]]))).toEqual(selector);
    // matchLabels ⊆ selector: only pods the Deployment itself claims are selected; the chart keeps other
    // workloads (the connector) off these labels, so the LB cannot send traffic to them.
    expect(Object.fromEntries(Object.keys(matchLabels).map((k) => [k, selector[k]]))).toEqual(matchLabels);

    // The same, seen directly: with the optional connector rendered too, only the Flyte Deployment is selected.
    const withConnector = renderChart({
        chart,
        helm,
        releaseName,
        namespace,
        values: { ...values, flyteconnector: { ...recordOrEmpty(values.flyteconnector), enabled: true } },
    });
    const workloads = withConnector.filter((d) => ["Deployment", "StatefulSet", "DaemonSet"].includes(d.kind));
    expect(workloads.length).toBeGreaterThan(1);
    expect(
        workloads
            .filter((w) => selects(selector, stringMapAt(w, "spec", "template", "metadata", "labels")))
            .map((w) => w.metadata.name),
    ).toEqual([flyteDeployment(withConnector).metadata.name]);

    const containerPorts = new Map(
        arrayAt(flyteContainer(deployment), "ports").map((p) => [stringAt(p, "name"), at(p, "containerPort")]),
    );
    const lbPorts = arrayAt(lb.inputs, "spec", "ports")
        .map((p) => {
            const targetPort = stringAt(p, "targetPort");
            return { port: at(p, "port"), targetPort, containerPort: containerPorts.get(targetPort) };
        })
        .sort((a, b) => Number(a.port) - Number(b.port));
    expect(lbPorts).toEqual([
        { port: 8088, targetPort: "http", containerPort: 8088 },
        { port: 8089, targetPort: "grpc", containerPort: 8089 },
    ]);
});

test("Flyte's rendered config points at the Cloud SQL database, the password file and the buckets", () => {
    const stackConfig = readStackFlyteConfig(STACK);
    const data = configData();
    for (const key of ["002-database.yaml", "003-storage.yaml", "100-inline-config.yaml"]) {
        expect(Object.keys(data)).toContain(key);
        expect(isRecord(configFile(key))).toBe(true);
    }

    // Database.
    const postgres = recordAt(configFile("002-database.yaml"), "database", "postgres");
    expect(output("databaseHost")).toBe(MOCK_DATABASE_IP);
    expect(postgres).toMatchObject({
        host: output("databaseHost"),
        port: 5432,
        dbname: stringAt(only(plan, "gcp:sql/database:Database").inputs, "name"),
        username: stringAt(only(plan, "gcp:sql/user:User").inputs, "name"),
        options: "sslmode=require",
    });
    expect(postgres.password).toBeUndefined();

    // The password file is read through a mount of the Secret this program creates, in the release's namespace.
    const secret = only(plan, "kubernetes:core/v1:Secret");
    expect(stringAt(secret.inputs, "metadata", "namespace")).toBe(namespace);
    const deployment = flyteDeployment();
    const { mount, relative } = mountContaining(flyteContainer(deployment), stringAt(postgres, "passwordPath"));
    const volume = podVolume(deployment, mount.name);
    expect({ mountPath: mount.mountPath, volume: mount.name, secretName: at(volume, "secret", "secretName") }).toEqual({
        mountPath: mount.mountPath,
        volume: mount.name,
        secretName: stringAt(secret.inputs, "metadata", "name"),
    });
    // The Secret's keys are redacted in the plan; the file must at least be one key of it (one file per key).
    const items = at(volume, "secret", "items");
    if (Array.isArray(items)) {
        expect(items.map((i) => at(i, "path"))).toContain(relative);
    } else {
        expect(relative).toMatch(/^[^/]+$/);
    }

    // Storage.
    const storage = configFile("003-storage.yaml");
    expect(at(storage, "storage", "container")).toBe(output("metadataBucket"));
    expect(at(storage, "propeller", "rawoutput-prefix")).toBe(`gs://${output("userDataBucket")}/data`);
    expect(at(storage, "storage", "type")).toBe("stow");
    expect(at(storage, "storage", "stow", "kind")).toBe("google");
    expect(at(storage, "storage", "stow", "config", "project_id")).toBe(stackConfig.gcpProject);

    // No database password anywhere: the mocks make each generated password recognisable.
    const passwords = ofType(plan, "random:index/randomPassword:RandomPassword").map((r) => mockPassword(r.name));
    expect(passwords.length).toBeGreaterThan(0);
    for (const password of passwords) {
        expect(pathsContaining(values, password)).toEqual([]);
        expect(rendered.split("\n").filter((line) => line.includes(password))).toEqual([]);
    }
    // Nor the chart's own password secret entry.
    const configSecret = findDoc(docs, "Secret", `${chartFullname()}-config-secret`, namespace);
    for (const field of ["stringData", "data"]) {
        expect(Object.keys(recordOrEmpty(at(configSecret, field)))).not.toContain("012-database-secrets.yaml");
    }
});

test("every project-domain namespace gets the default ServiceAccount annotated with the worker GSA", () => {
    const stackConfig = readStackFlyteConfig(STACK);
    const worker = googleServiceAccount("gcp-identities-worker");
    expect(output("workerServiceAccount")).toBe(worker.email);

    const core = configFile("000-core.yaml");
    const inline = configFile("100-inline-config.yaml");
    // Flyte syncs namespaces for the projects it knows (seeded) and the domains it is configured with.
    const seeded = new Set([
        ...arrayAt(core, "flyte", "admin", "seedProjects").map((p) => (typeof p === "string" ? p : JSON.stringify(p))),
        ...arrayAt(core, "flyte", "admin", "seedProjectsWithDetails").map((p) => stringAt(p, "name")),
    ]);
    expect([...seeded].sort()).toEqual([...stackConfig.projects].sort());
    expect(arrayAt(inline, "domains").map((d) => stringAt(d, "id"))).toEqual(stackConfig.domains);

    // Flyte reads the templates from templatePath: that must be where the templates ConfigMap is mounted.
    const templatesConfigMap = findDoc(docs, "ConfigMap", `${chartFullname()}-cluster-resource-templates`, namespace);
    const deployment = flyteDeployment();
    const templatesMount = volumeMounts(flyteContainer(deployment)).find(
        (m) => m.mountPath === stringAt(core, "cluster_resources", "templatePath"),
    );
    expect(templatesMount).toBeDefined();
    const templatesVolume = podVolume(deployment, templatesMount?.name ?? "");
    const projected = at(templatesVolume, "projected", "sources");
    const mountedConfigMaps = [
        at(templatesVolume, "configMap", "name"),
        ...(Array.isArray(projected) ? projected.map((s) => at(s, "configMap", "name")) : []),
    ];
    expect(mountedConfigMaps).toContain(templatesConfigMap.metadata.name);

    const templates = stringMapAt(templatesConfigMap, "data");
    const namespaceTemplate = stringAt(inline, "namespace_mapping", "template");
    const customData = customDataByDomain(at(inline, "cluster_resources", "customData"));

    // Simulate Flyte's cluster resource controller for every project × domain from the stack file.
    const results = stackConfig.projects.flatMap((project) =>
        stackConfig.domains.map((domain) => {
            // namespaceutils: exact-string replacement; `{{ org }}` is empty in open-source Flyte.
            const pairValues = { "{{ org }}": "", "{{ project }}": project, "{{ domain }}": domain };
            const ns = replaceAll(namespaceTemplate, pairValues);
            const templateValues: Record<string, string> = { "{{ namespace }}": ns };
            for (const [name, value] of customData.get(domain) ?? new Map<string, string>()) {
                templateValues[`{{ ${name} }}`] = value;
            }
            const applied = Object.keys(templates)
                .sort()
                .flatMap((file) => {
                    const text = replaceAll(templates[file], templateValues);
                    return parseManifests(text, `${file} for ${ns}`).map((o) => ({ o, leftover: /\{\{|\}\}/.test(text) }));
                });
            const sa = applied.find(({ o }) => o.kind === "ServiceAccount" && o.metadata.name === WORKER_KSA);
            return {
                pair: `${project}/${domain}`,
                namespace: ns,
                expectedNamespace: replaceAll(stackConfig.namespaceTemplate, pairValues),
                unsubstituted: applied.some(({ leftover }) => leftover),
                namespaceObject: applied.some(({ o }) => o.kind === "Namespace" && o.metadata.name === ns),
                serviceAccountNamespace: sa?.o.metadata.namespace,
                serviceAccountIdentity: sa ? at(sa.o, "metadata", "annotations", GKE_GSA_ANNOTATION) : undefined,
            };
        }),
    );
    expect(results.length).toBe(stackConfig.projects.length * stackConfig.domains.length);
    expect(results).toEqual(
        results.map((r) => ({
            pair: r.pair,
            namespace: r.expectedNamespace,
            expectedNamespace: r.expectedNamespace,
            unsubstituted: false,
            namespaceObject: true,
            serviceAccountNamespace: r.expectedNamespace,
            serviceAccountIdentity: worker.email,
        })),
    );

    // Workload Identity binds exactly these namespaces' default accounts to the worker GSA, no more, no fewer.
    const bound = workloadIdentityBindings()
        .filter((b) => b.serviceAccountId === worker.name)
        .map((b) => `${b.namespace}/${b.ksa}`)
        .sort();
    const templated = [...new Set(results.map((r) => `${r.namespace}/${WORKER_KSA}`))].sort();
    expect(bound).toEqual(templated);
});

test("rendering is deterministic", () => {
    const again = renderChartText({ chart, helm, releaseName, namespace, values: structuredClone(values) });
    expect(again).toBe(rendered);
});
