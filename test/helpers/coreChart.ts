import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { allContainers } from "./flyte";
import { FLYTE_CORE_RELEASE } from "../../components/flyte/coreValues";
import { FLYTE_CORE_CHART_LOCATION, type K8sObject, parseManifests, renderChartText, resolveChart } from "./helm";
import { parseKubernetesYaml, schemaReport } from "./kubernetesSchemas";
import { at } from "./json";
import { PROJECT_DIR } from "./plan";

/**
 * Readers for the flyte-core chart contract: scratch stacks, which Secrets a pod reads, and the Services the
 * endpoint proxy names. (What a container reads as its Flyte configuration: flyte.ts.)
 */

/**
 * A scratch project directory with the project's Pulumi.yaml and a stack file of the given config lines, for
 * stacks the repository does not ship. Returns the directory and the stack file's path.
 */
export function scratchStack(stack: string, config: Readonly<Record<string, string>>): { dir: string; stackFile: string } {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "flyte-core-stack-"));
    fs.copyFileSync(path.join(PROJECT_DIR, "Pulumi.yaml"), path.join(dir, "Pulumi.yaml"));
    const stackFile = path.join(dir, `Pulumi.${stack}.yaml`);
    const lines = Object.entries(config).map(([key, value]) => `  ${key}: ${JSON.stringify(value)}`);
    fs.writeFileSync(stackFile, ["config:", ...lines, ""].join("\n"));
    return { dir, stackFile };
}

/** Every Secret a pod template reads: volumes (plain and projected), env and envFrom. */
export function podSecretNames(workload: K8sObject): string[] {
    const names = new Set<string>();
    const volumes = at(workload, "spec", "template", "spec", "volumes");
    for (const volume of Array.isArray(volumes) ? volumes : []) {
        const secretName = at(volume, "secret", "secretName");
        if (typeof secretName === "string") {
            names.add(secretName);
        }
        const sources = at(volume, "projected", "sources");
        for (const source of Array.isArray(sources) ? sources : []) {
            const name = at(source, "secret", "name");
            if (typeof name === "string") {
                names.add(name);
            }
        }
    }
    for (const container of allContainers(workload)) {
        const env = at(container, "env");
        for (const variable of Array.isArray(env) ? env : []) {
            const name = at(variable, "valueFrom", "secretKeyRef", "name");
            if (typeof name === "string") {
                names.add(name);
            }
        }
        const envFrom = at(container, "envFrom");
        for (const source of Array.isArray(envFrom) ? envFrom : []) {
            const name = at(source, "secretRef", "name");
            if (typeof name === "string") {
                names.add(name);
            }
        }
    }
    return [...names].sort();
}

// ---- Services the proxy names ----

export interface Upstream {
    readonly service: string;
    readonly namespace: string;
    readonly port: number;
}

/** `[http://]<service>.<namespace>.svc.cluster.local:<port>` as a Service reference; fails on anything else. */
export function clusterServiceAddress(address: string): Upstream {
    const match = /^(?:http:\/\/)?([a-z0-9-]+)\.([a-z0-9-]+)\.svc\.cluster\.local:(\d+)$/.exec(address);
    if (!match) {
        throw new Error(`${address} is not <service>.<namespace>.svc.cluster.local:<port>`);
    }
    return { service: match[1], namespace: match[2], port: Number(match[3]) };
}

/** flyte-core rendered from values alone (no plan), with what the Kubernetes schemas say of every object. */
export interface RenderedCoreValues {
    readonly docs: K8sObject[];
    /** Schema and YAML problems of every object, as the API server would read them, and objects left unvalidated. */
    readonly problems: string[];
}

/** `helm template` of the pinned flyte-core chart with `values`, as release FLYTE_CORE_RELEASE in `namespace`. */
export function renderCoreValues(values: object, namespace: string, what: string): RenderedCoreValues {
    const text = renderChartText({
        chart: resolveChart(FLYTE_CORE_CHART_LOCATION),
        releaseName: FLYTE_CORE_RELEASE,
        namespace,
        values,
        // What a cluster's discovery reports: flyte-core picks its CRD's apiVersion by it.
        apiVersions: ["apiextensions.k8s.io/v1/CustomResourceDefinition"],
    });
    const source = `helm template (${what})`;
    const parsed = parseKubernetesYaml(text, source);
    const report = schemaReport(parsed.documents);
    const unvalidated = report.validated === parsed.documents.length ? [] : [`${parsed.documents.length - report.validated} objects not validated`];
    return { docs: parseManifests(text, source), problems: [...parsed.problems, ...report.problems, ...report.freeForm, ...unvalidated] };
}

/**
 * What flyte-core renders with a data plane's values (flytepropeller alone): its service account, ConfigMap, RBAC and
 * CRD, and its webhook's, as `<kind> <name>`, sorted.
 */
export const DATA_PLANE_CHART_OBJECTS = [
    "ClusterRole flyte-flyte-pod-webhook",
    "ClusterRole flyte-flytepropeller",
    "ClusterRoleBinding flyte-flyte-pod-webhook",
    "ClusterRoleBinding flyte-flytepropeller",
    "ConfigMap flyte-propeller-config",
    "CustomResourceDefinition flyteworkflows.flyte.lyft.com",
    "Deployment flyte-pod-webhook",
    "Deployment flytepropeller",
    // Empty: the webhook's init container fills it with its certificates.
    "Secret flyte-pod-webhook",
    "Service flyte-pod-webhook",
    "ServiceAccount flyte-pod-webhook",
    "ServiceAccount flytepropeller",
];
