/**
 * Chart contract: the values the program hands the flyte-binary release, rendered by the REAL upstream chart
 * (`helm template`), must produce the objects the rest of the program assumes: the service account Workload
 * Identity binds, the pods the load balancer selects, the database and storage Flyte is configured with, and the
 * namespaces (with their annotated `default` accounts) Flyte creates for every project and domain.
 *
 * Needs helm and the packaged chart; see test/helpers/helm.ts (HELM_BIN, FLYTE_BINARY_CHART). It fails, never
 * skips, when they are missing.
 */
import { MOCK_DATABASE_IP, mockPassword } from "../../../lib/plan/mocks";
import { annotationsOf, binaryChartFullname, binaryClusterResources, binaryConfigData, binaryConfigFile, expectedTaskNamespaceSync, flyteContainer, flyteDeployment, taskNamespaceSync } from "../../helpers/flyte";
import { workloadIdentityBindings } from "../../helpers/gcp";
import { beforeAllRendered, chartMetadata, findDoc, mountContaining, podVolume, renderChart, renderChartText, selects } from "../../helpers/helm";
import { arrayAt, at, isRecord, pathsContaining, recordAt, stringAt, stringMapAt } from "../../helpers/json";
import { byName, ofType, only, stringOutput } from "../../helpers/plan";
import { readStackSettings } from "../../helpers/stackSettings";

const STACK = "dev";

// Spelled out here rather than imported from the program, so that a change on either side shows up as a failure.
const GKE_GSA_ANNOTATION = "iam.gke.io/gcp-service-account";
const WORKER_KSA = "default";

const settings = readStackSettings(STACK);
const ctx = beforeAllRendered(STACK);

// ---- What the plan says ----

const output = (key: string) => stringOutput(ctx().plan, key);

interface GoogleServiceAccount {
    readonly project: string;
    readonly email: string;
}

/** The recorded inputs hold project and accountId; GCP derives the email from them. */
function googleServiceAccount(resourceName: string): GoogleServiceAccount {
    const account = byName(ctx().plan, "gcp:serviceaccount/account:Account", resourceName);
    const project = stringAt(account.inputs, "project");
    return { project, email: `${stringAt(account.inputs, "accountId")}@${project}.iam.gserviceaccount.com` };
}

function recordOrEmpty(value: unknown): Record<string, unknown> {
    return isRecord(value) ? value : {};
}

// ---- The contract ----

test("renders the chart the program installs (same name and version)", () => {
    expect(chartMetadata(ctx().chart, ctx().helm)).toEqual({
        name: stringAt(ctx().release.inputs, "chart"),
        version: stringAt(ctx().release.inputs, "version"),
    });
});

test("the backend runs as the chart's ServiceAccount that Workload Identity binds to the backend GSA", () => {
    const backend = googleServiceAccount("gcp-identities-backend");
    expect(output("backendServiceAccount")).toBe(backend.email);

    const bindings = workloadIdentityBindings(ctx().plan).filter((b) => b.email === backend.email);
    expect(bindings).toHaveLength(1);
    const binding = bindings[0];
    expect(binding.pool).toBe(`${backend.project}.svc.id.goog`);

    const deployment = flyteDeployment(ctx().docs);
    const serviceAccountName = stringAt(deployment, "spec", "template", "spec", "serviceAccountName");
    const serviceAccount = findDoc(ctx().docs, "ServiceAccount", serviceAccountName, deployment.metadata.namespace);
    expect({ namespace: serviceAccount.metadata.namespace, name: serviceAccount.metadata.name }).toEqual({
        namespace: binding.namespace,
        name: binding.ksa,
    });
    expect(serviceAccount.metadata.namespace).toBe(ctx().namespace);
    expect(annotationsOf(serviceAccount)[GKE_GSA_ANNOTATION]).toBe(backend.email);
});

test("the load balancer selects exactly the Flyte pods and targets their http and grpc ports", () => {
    const lb = only(ctx().plan, "kubernetes:core/v1:Service");
    const selector = stringMapAt(lb.inputs, "spec", "selector");
    const deployment = flyteDeployment(ctx().docs);
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
        chart: ctx().chart,
        helm: ctx().helm,
        releaseName: ctx().releaseName,
        namespace: ctx().namespace,
        values: { ...ctx().values, flyteconnector: { ...recordOrEmpty(ctx().values.flyteconnector), enabled: true } },
    });
    const workloads = withConnector.filter((d) => ["Deployment", "StatefulSet", "DaemonSet"].includes(d.kind));
    expect(workloads.length).toBeGreaterThan(1);
    expect(
        workloads
            .filter((w) => selects(selector, stringMapAt(w, "spec", "template", "metadata", "labels")))
            .map((w) => w.metadata.name),
    ).toEqual([flyteDeployment(withConnector).metadata.name]);

    const containerPorts = new Map(arrayAt(flyteContainer(ctx().docs), "ports").map((p) => [stringAt(p, "name"), at(p, "containerPort")]));
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
    const data = binaryConfigData(ctx());
    for (const key of ["002-database.yaml", "003-storage.yaml", "100-inline-config.yaml"]) {
        expect(Object.keys(data)).toContain(key);
        expect(isRecord(binaryConfigFile(ctx(), key))).toBe(true);
    }

    // Database.
    const postgres = recordAt(binaryConfigFile(ctx(), "002-database.yaml"), "database", "postgres");
    expect(output("databaseHost")).toBe(MOCK_DATABASE_IP);
    expect(postgres).toMatchObject({
        host: output("databaseHost"),
        port: 5432,
        dbname: stringAt(only(ctx().plan, "gcp:sql/database:Database").inputs, "name"),
        username: stringAt(only(ctx().plan, "gcp:sql/user:User").inputs, "name"),
        options: "sslmode=require",
    });
    expect(postgres.password).toBeUndefined();

    // The password file is read through a mount of the Secret this program creates, in the release's namespace.
    const secret = only(ctx().plan, "kubernetes:core/v1:Secret");
    expect(stringAt(secret.inputs, "metadata", "namespace")).toBe(ctx().namespace);
    const { mount, relative } = mountContaining(flyteContainer(ctx().docs), stringAt(postgres, "passwordPath"));
    const volume = podVolume(flyteDeployment(ctx().docs), mount.name);
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
    const storage = binaryConfigFile(ctx(), "003-storage.yaml");
    expect(at(storage, "storage", "container")).toBe(output("metadataBucket"));
    expect(at(storage, "propeller", "rawoutput-prefix")).toBe(`gs://${output("userDataBucket")}/data`);
    expect(at(storage, "storage", "type")).toBe("stow");
    expect(at(storage, "storage", "stow", "kind")).toBe("google");
    expect(at(storage, "storage", "stow", "config", "project_id")).toBe(settings.provider("gcp:project"));

    // No database password anywhere: the mocks make each generated password recognisable.
    const passwords = ofType(ctx().plan, "random:index/randomPassword:RandomPassword").map((r) => mockPassword(r.name));
    expect(passwords.length).toBeGreaterThan(0);
    for (const password of passwords) {
        expect(pathsContaining(ctx().values, password)).toEqual([]);
        expect(ctx().rendered.split("\n").filter((line) => line.includes(password))).toEqual([]);
    }
    // Nor the chart's own password secret entry.
    const configSecret = findDoc(ctx().docs, "Secret", `${binaryChartFullname(ctx())}-config-secret`, ctx().namespace);
    for (const field of ["stringData", "data"]) {
        expect(Object.keys(recordOrEmpty(at(configSecret, field)))).not.toContain("012-database-secrets.yaml");
    }
});

test("every project-domain namespace gets the default ServiceAccount annotated with the worker GSA", () => {
    const projects = settings.strings("flyteProjects");
    const domains = settings.strings("flyteDomains");
    const worker = googleServiceAccount("gcp-identities-worker");
    expect(output("workerServiceAccount")).toBe(worker.email);

    // Flyte syncs namespaces for the projects it knows (seeded) and the domains it is configured with, from the
    // templates mounted at templatePath.
    const sync = binaryClusterResources(ctx());
    expect(sync.seededProjects).toEqual([...projects].sort());
    expect(sync.domains).toEqual(domains);
    expect(sync.mountedAtTemplatePath).toBeDefined();
    expect(sync.mountedAtTemplatePath).toContain(sync.templatesConfigMap);

    // Flyte's cluster resource controller for every project × domain from the stack file.
    const results = sync.simulate(projects, domains).map((r) => taskNamespaceSync(r, WORKER_KSA, GKE_GSA_ANNOTATION));
    expect(results.length).toBe(projects.length * domains.length);
    expect(results).toEqual(expectedTaskNamespaceSync(settings.string("namespaceTemplate"), projects, domains, worker.email));

    // Workload Identity binds exactly these namespaces' default accounts to the worker GSA, no more, no fewer.
    const bound = workloadIdentityBindings(ctx().plan)
        .filter((b) => b.email === worker.email)
        .map((b) => `${b.namespace}/${b.ksa}`)
        .sort();
    const templated = [...new Set(results.map((r) => `${r.namespace}/${WORKER_KSA}`))].sort();
    expect(bound).toEqual(templated);
});

test("rendering is deterministic", () => {
    const again = renderChartText({ chart: ctx().chart, helm: ctx().helm, releaseName: ctx().releaseName, namespace: ctx().namespace, values: structuredClone(ctx().values) });
    expect(again).toBe(ctx().rendered);
});
