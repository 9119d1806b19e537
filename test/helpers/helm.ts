import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parse, parseAllDocuments } from "yaml";
import { PINNED_CHARTS, PinnedChart } from "../setup/prerequisites";

/**
 * Renders real Helm charts with `helm template` and reads what they produce, so tests can check the values the
 * program computes against the chart's actual templates. Rendering and parsing work for any chart; where helm
 * (HELM_BIN) and the Flyte charts (FLYTE_BINARY_CHART, FLYTE_CORE_CHART) are found is decided here too.
 */

// ---- Small type guards: rendered manifests and plan inputs are `unknown` until checked ----

export type JsonRecord = Record<string, unknown>;

export function isRecord(value: unknown): value is JsonRecord {
    return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Reads a nested value by keys and indexes, e.g. at(doc, "spec", "template", "spec", "containers", 0). */
export function at(value: unknown, ...keys: (string | number)[]): unknown {
    let current: unknown = value;
    for (const key of keys) {
        if (typeof key === "number" ? !Array.isArray(current) : !isRecord(current)) {
            return undefined;
        }
        current = (current as Record<string | number, unknown>)[key];
    }
    return current;
}

function pathText(keys: readonly (string | number)[]): string {
    return keys.length > 0 ? keys.join(".") : "(root)";
}

export function recordAt(value: unknown, ...keys: (string | number)[]): JsonRecord {
    const found = at(value, ...keys);
    if (!isRecord(found)) {
        throw new Error(`expected a mapping at ${pathText(keys)}, found ${JSON.stringify(found)}`);
    }
    return found;
}

export function arrayAt(value: unknown, ...keys: (string | number)[]): unknown[] {
    const found = at(value, ...keys);
    if (!Array.isArray(found)) {
        throw new Error(`expected a list at ${pathText(keys)}, found ${JSON.stringify(found)}`);
    }
    return found;
}

export function stringAt(value: unknown, ...keys: (string | number)[]): string {
    const found = at(value, ...keys);
    if (typeof found !== "string") {
        throw new Error(`expected a string at ${pathText(keys)}, found ${JSON.stringify(found)}`);
    }
    return found;
}

/** A mapping of strings to strings (labels, selectors, annotations, ConfigMap data). */
export function stringMapAt(value: unknown, ...keys: (string | number)[]): Record<string, string> {
    const found = recordAt(value, ...keys);
    const result: Record<string, string> = {};
    for (const [key, item] of Object.entries(found)) {
        if (typeof item !== "string") {
            throw new Error(`expected a string at ${pathText([...keys, key])}, found ${JSON.stringify(item)}`);
        }
        result[key] = item;
    }
    return result;
}

// ---- Kubernetes manifests ----

export interface K8sObject extends JsonRecord {
    readonly apiVersion: string;
    readonly kind: string;
    readonly metadata: JsonRecord & { readonly name: string; readonly namespace?: string };
}

export function isK8sObject(value: unknown): value is K8sObject {
    return (
        isRecord(value) &&
        typeof value.apiVersion === "string" &&
        typeof value.kind === "string" &&
        isRecord(value.metadata) &&
        typeof value.metadata.name === "string" &&
        (value.metadata.namespace === undefined || typeof value.metadata.namespace === "string")
    );
}

/**
 * Parses a multi-document YAML stream of Kubernetes objects. Empty documents (comments only) are dropped; a
 * syntax error, a duplicate key or a document that is not a Kubernetes object fails with its position.
 */
export function parseManifests(text: string, source = "manifest"): K8sObject[] {
    const objects: K8sObject[] = [];
    parseAllDocuments(text).forEach((doc, index) => {
        if (doc.errors.length > 0) {
            throw new Error(`${source}, document ${index + 1}: ${doc.errors.map((e) => e.message).join("; ")}`);
        }
        const value: unknown = doc.toJS();
        if (value === null || value === undefined) {
            return;
        }
        if (!isK8sObject(value)) {
            throw new Error(`${source}, document ${index + 1} is not a Kubernetes object: ${JSON.stringify(value)}`);
        }
        objects.push(value);
    });
    return objects;
}

/** Parses one YAML document (e.g. a ConfigMap data entry), failing on syntax errors and duplicate keys. */
export function parseYaml(text: string, source: string): unknown {
    try {
        return parse(text, { uniqueKeys: true });
    } catch (err) {
        throw new Error(`${source}: ${err instanceof Error ? err.message : String(err)}`);
    }
}

export function findDocs(docs: readonly K8sObject[], kind: string): K8sObject[] {
    return docs.filter((d) => d.kind === kind);
}

/** The one object of a kind and name (and namespace, if given); fails listing what there is. */
export function findDoc(docs: readonly K8sObject[], kind: string, name: string, namespace?: string): K8sObject {
    const found = docs.filter(
        (d) => d.kind === kind && d.metadata.name === name && (namespace === undefined || d.metadata.namespace === namespace),
    );
    if (found.length !== 1) {
        const present = findDocs(docs, kind).map((d) => `${d.metadata.namespace ?? ""}/${d.metadata.name}`);
        throw new Error(
            `expected one ${kind} ${namespace ?? "*"}/${name}, found ${found.length}; ${kind} objects: ${present.join(", ") || "none"}`,
        );
    }
    return found[0];
}

/** True if every key/value of `selector` is in `labels` (how an equality-based label selector matches). */
export function selects(selector: Readonly<Record<string, string>>, labels: Readonly<Record<string, string>>): boolean {
    return Object.entries(selector).every(([key, value]) => labels[key] === value);
}

// ---- Finding helm and charts ----
// test/setup/prerequisites.ts finds or fetches them once per run (jest's globalSetup), checks their digests and
// hands their paths to the workers in HELM_BIN, FLYTE_BINARY_CHART and FLYTE_CORE_CHART.

function fromSetup(envVar: string, what: string): string {
    const value = process.env[envVar];
    if (!value) {
        throw new Error(`${envVar} is not set: run the tests with jest (npm test), whose globalSetup finds ${what}`);
    }
    return value;
}

/** The helm binary the run's setup found. */
export function resolveHelm(): string {
    return fromSetup("HELM_BIN", "helm");
}

export interface ChartLocation {
    /** Environment variable the run's setup sets to the packaged chart, e.g. FLYTE_BINARY_CHART. */
    readonly envVar: string;
    readonly chart: string;
    readonly version: string;
}

/** The packaged chart the run's setup found and verified. */
export function resolveChart(location: ChartLocation): string {
    return fromSetup(location.envVar, `the ${location.chart} ${location.version} chart`);
}

function chartLocation(name: PinnedChart["name"]): ChartLocation {
    const pinned = PINNED_CHARTS.find((c) => c.name === name) as PinnedChart;
    return { envVar: pinned.envVar, chart: pinned.name, version: pinned.version };
}

export const FLYTE_BINARY_CHART_LOCATION = chartLocation("flyte-binary");
export const FLYTE_CORE_CHART_LOCATION = chartLocation("flyte-core");

// ---- Running helm ----

function runHelm(helm: string, args: readonly string[]): string {
    const result = spawnSync(helm, [...args], {
        encoding: "utf8",
        timeout: 120000,
        maxBuffer: 64 * 1024 * 1024,
    });
    if (result.error) {
        throw new Error(`${helm} ${args.join(" ")}: ${result.error.message}`);
    }
    if (result.status !== 0) {
        throw new Error(`${helm} ${args.join(" ")} failed (exit ${result.status}):\n${result.stderr}`);
    }
    return result.stdout;
}

/** `name` and `version` from the chart's Chart.yaml, as helm reads it. */
export function chartMetadata(chart: string, helm = resolveHelm()): { name: string; version: string } {
    const metadata = parseYaml(runHelm(helm, ["show", "chart", chart]), `helm show chart ${chart}`);
    return { name: stringAt(metadata, "name"), version: stringAt(metadata, "version") };
}

export interface RenderOptions {
    /** Path of a packaged chart (.tgz) or a chart directory. */
    readonly chart: string;
    readonly releaseName: string;
    readonly namespace: string;
    /** The values, exactly as the program passes them to the release (plain JSON). */
    readonly values: unknown;
    /** Defaults to resolveHelm(). */
    readonly helm?: string;
    /**
     * Capabilities the chart may ask for (`--api-versions`), as a cluster's discovery reports them, e.g.
     * "apiextensions.k8s.io/v1/CustomResourceDefinition": without a cluster, helm knows only group/versions.
     */
    readonly apiVersions?: readonly string[];
}

/** `helm template` output as text. The values go through a file, as `helm install -f` would read them. */
export function renderChartText(options: RenderOptions): string {
    const helm = options.helm ?? resolveHelm();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "helm-render-"));
    try {
        const valuesFile = path.join(dir, "values.json");
        // JSON is YAML: no second serialiser to disagree with the values the program computed.
        fs.writeFileSync(valuesFile, JSON.stringify(options.values, null, 2));
        return runHelm(helm, [
            "template",
            options.releaseName,
            options.chart,
            "--namespace",
            options.namespace,
            "-f",
            valuesFile,
            ...(options.apiVersions ?? []).flatMap((v) => ["--api-versions", v]),
        ]);
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
}

/** Renders a chart and parses every object it produces. */
export function renderChart(options: RenderOptions): K8sObject[] {
    return parseManifests(renderChartText(options), `helm template ${options.releaseName} ${options.chart}`);
}

// ---- Pods: containers, volumes and the files they see ----

/** A pod template's container (Deployment, StatefulSet, Job, ...: `spec.template.spec.containers`). */
export function podContainer(workload: K8sObject, name: string): JsonRecord {
    const container = arrayAt(workload, "spec", "template", "spec", "containers").find((c) => at(c, "name") === name);
    if (!isRecord(container)) {
        throw new Error(`${workload.kind} ${workload.metadata.name} has no container ${name}`);
    }
    return container;
}

/** A pod template's volume by name. */
export function podVolume(workload: K8sObject, name: string): JsonRecord {
    const volume = arrayAt(workload, "spec", "template", "spec", "volumes").find((v) => at(v, "name") === name);
    if (!isRecord(volume)) {
        throw new Error(`${workload.kind} ${workload.metadata.name} has no volume ${name}`);
    }
    return volume;
}

export interface VolumeMount {
    readonly name: string;
    readonly mountPath: string;
    readonly subPath?: string;
}

export function volumeMounts(container: JsonRecord): VolumeMount[] {
    return arrayAt(container, "volumeMounts").map((m) => ({
        name: stringAt(m, "name"),
        mountPath: stringAt(m, "mountPath"),
        subPath: typeof at(m, "subPath") === "string" ? stringAt(m, "subPath") : undefined,
    }));
}

/**
 * The mount a file path is read through, and the path inside the volume: the most specific mount containing it,
 * as the kernel resolves it. Fails if no mount contains the file.
 */
export function mountContaining(container: JsonRecord, file: string): { mount: VolumeMount; relative: string } {
    const candidates = volumeMounts(container)
        .map((mount) => {
            if (mount.subPath !== undefined) {
                return file === mount.mountPath ? { mount, relative: mount.subPath } : undefined;
            }
            const dir = mount.mountPath.replace(/\/+$/, "");
            return file.startsWith(`${dir}/`) ? { mount, relative: file.slice(dir.length + 1) } : undefined;
        })
        .filter((c): c is { mount: VolumeMount; relative: string } => c !== undefined)
        .sort((a, b) => b.mount.mountPath.length - a.mount.mountPath.length);
    if (candidates.length === 0) {
        throw new Error(`${file} is in no volume mount of the ${stringAt(container, "name")} container`);
    }
    return candidates[0];
}

/** Where in a JSON value a string occurs, e.g. ["configuration.database.password"]. */
export function pathsContaining(value: unknown, needle: string, where = ""): string[] {
    if (typeof value === "string") {
        return value.includes(needle) ? [where || "(root)"] : [];
    }
    if (Array.isArray(value)) {
        return value.flatMap((v, i) => pathsContaining(v, needle, `${where}[${i}]`));
    }
    if (isRecord(value)) {
        return Object.entries(value).flatMap(([k, v]) => pathsContaining(v, needle, where ? `${where}.${k}` : k));
    }
    return [];
}

// ---- Layered config files (viper-style, as Flyte loads /etc/flyte/config.d/*.yaml) ----

/** `override` merged onto `base`: mappings deep-merged key by key, anything else (lists too) replaced. */
export function deepMerge(base: unknown, override: unknown): unknown {
    if (!isRecord(base) || !isRecord(override)) {
        return override;
    }
    const merged: JsonRecord = { ...base };
    for (const [key, value] of Object.entries(override)) {
        merged[key] = key in merged ? deepMerge(merged[key], value) : value;
    }
    return merged;
}

/** Byte-wise order of file names, as a glob expands them (Go's filepath.Glob sorts this way). */
export function compareFileNames(a: string, b: string): number {
    return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * The configuration a set of YAML files amounts to when loaded in lexical file-name order, later files
 * overriding earlier ones (deepMerge). Each file must be a YAML mapping (or empty).
 */
export function mergeConfigFiles(files: Readonly<Record<string, string>>): JsonRecord {
    let merged: JsonRecord = {};
    for (const name of Object.keys(files).sort(compareFileNames)) {
        const doc = parseYaml(files[name], name);
        if (doc === null || doc === undefined) {
            continue;
        }
        if (!isRecord(doc)) {
            throw new Error(`${name} is not a YAML mapping`);
        }
        merged = recordAt(deepMerge(merged, doc));
    }
    return merged;
}
