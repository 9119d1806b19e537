import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parse, parseAllDocuments } from "yaml";
import { PINNED_CHARTS, PinnedChart } from "../setup/prerequisites";
import type { RecordedResource } from "../../lib/plan/monitor";
import type { Plan } from "../../lib/plan/runPlan";
import { arrayAt, at, isRecord, JsonRecord, recordAt, stringAt } from "./json";
import { planStack } from "./plan";

/**
 * Renders real Helm charts with `helm template` and reads what they produce, so tests can check the values the
 * program computes against the chart's actual templates. Rendering and parsing work for any chart; where helm
 * (HELM_BIN) and the Flyte charts (FLYTE_BINARY_CHART, FLYTE_CORE_CHART) are found is decided here too, and so is
 * how a plan's Flyte release is rendered (renderFlyteRelease, renderStack, beforeAllRendered): the one place the
 * chart contracts and the stack tests get their rendered charts from. JSON and YAML values are read with json.ts.
 */

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

// ---- A plan's Flyte release, rendered ----

const RELEASE_TYPE = "kubernetes:helm.sh/v3:Release";
const PINNED_LOCATIONS: Readonly<Record<string, ChartLocation>> = {
    [FLYTE_BINARY_CHART_LOCATION.chart]: FLYTE_BINARY_CHART_LOCATION,
    [FLYTE_CORE_CHART_LOCATION.chart]: FLYTE_CORE_CHART_LOCATION,
};

/** The pinned chart a release installs; fails for a chart the tests do not have. */
export function releaseChart(release: RecordedResource): ChartLocation {
    const location = PINNED_LOCATIONS[stringAt(release.inputs, "chart")];
    if (!location) {
        throw new Error(`release ${release.name} installs chart ${stringAt(release.inputs, "chart")}, which the tests do not have`);
    }
    return location;
}

/** A release's values as the plan records them: plain JSON. "[secret]" would mean a secret (a password, a key) leaked into them. */
export function releaseValues(release: RecordedResource): JsonRecord {
    const values = at(release.inputs, "values");
    if (!isRecord(values)) {
        throw new Error(`the values of release ${release.name} are not plain JSON in the plan: ${JSON.stringify(values)}`);
    }
    return values;
}

/** The plan's one release of a Flyte chart (flyte-binary or flyte-core). */
export function flyteRelease(plan: Plan): RecordedResource {
    const releases = plan.resources.filter((r) => r.type === RELEASE_TYPE && /^flyte-(binary|core)$/.test(String(r.inputs.chart)));
    if (releases.length !== 1) {
        throw new Error(`expected one Flyte release in the plan of ${plan.stack}, found ${releases.length}`);
    }
    return releases[0];
}

/** A plan's Flyte release as `helm template` renders it with the plan's values, and what it was rendered with. */
export interface RenderedRelease {
    readonly plan: Plan;
    readonly release: RecordedResource;
    /** The packaged chart and the helm binary it was rendered with, to render it again with other values. */
    readonly chart: string;
    readonly helm: string;
    readonly releaseName: string;
    readonly namespace: string;
    readonly values: JsonRecord;
    readonly rendered: string;
    readonly docs: K8sObject[];
}

/** Renders a plan's Flyte release with its pinned chart and the values the plan gives it. */
export function renderFlyteRelease(plan: Plan, helm = resolveHelm()): RenderedRelease {
    const release = flyteRelease(plan);
    const chart = resolveChart(releaseChart(release));
    const releaseName = stringAt(release.inputs, "name");
    const namespace = stringAt(release.inputs, "namespace");
    const values = releaseValues(release);
    const rendered = renderChartText({ chart, helm, releaseName, namespace, values });
    return { plan, release, chart, helm, releaseName, namespace, values, rendered, docs: parseManifests(rendered, `${releaseName} render (${plan.stack})`) };
}

/**
 * A stack's plan (a shipped stack's shared plan, or a stack file's) with its Flyte release rendered. helm and the
 * charts are looked up first, so that a missing one fails at once, saying what to set, rather than after the plan.
 */
export async function renderStack(stack: string, stackFile?: string): Promise<RenderedRelease> {
    const helm = resolveHelm();
    Object.values(PINNED_LOCATIONS).forEach(resolveChart);
    return renderFlyteRelease(await planStack(stack, stackFile), helm);
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

/**
 * For a chart contract's test file: renders the stack's Flyte release (renderStack) before the file's tests, in a
 * `beforeAll` there, and returns the reader of the result.
 */
export function beforeAllRendered(stack: string, stackFile?: string): () => RenderedRelease {
    let rendered: RenderedRelease | undefined;
    beforeAll(async () => {
        rendered = await renderStack(stack, stackFile);
    }, 15 * 60 * 1000);
    return () => {
        if (rendered === undefined) {
            throw new Error(`${stack} was not rendered`);
        }
        return rendered;
    };
}
