import * as path from "path";
import {
    arrayAt,
    at,
    compareFileNames,
    findDoc,
    findDocs,
    isRecord,
    JsonRecord,
    K8sObject,
    mergeConfigFiles,
    mountContaining,
    parseManifests,
    podContainer,
    podVolume,
    recordAt,
    stringAt,
    stringMapAt,
} from "./helm";

/**
 * How Flyte itself reads what the chart hands it, re-implemented from Flyte's documented behaviour (not from
 * this program's code): namespace mapping, cluster resource templates and their per-domain data, and list-shaped
 * settings. Generic over clouds; tests feed it the chart's rendered objects or the release's values.
 */

/** Plain string replacement of each key, as Flyte does it (no template engine). */
export function replaceExact(text: string, replacements: Readonly<Record<string, string>>): string {
    return Object.entries(replacements).reduce((out, [from, to]) => out.split(from).join(to), text);
}

/** flytestdlib namespaceutils: exact-string replacement; `{{ org }}` is empty in open-source Flyte. */
export function flyteNamespaceName(template: string, project: string, domain: string): string {
    return replaceExact(template, { "{{ org }}": "", "{{ project }}": project, "{{ domain }}": domain });
}

/** Every project × domain namespace, project-major, duplicates removed. */
export function flyteProjectNamespaces(template: string, projects: readonly string[], domains: readonly string[]): string[] {
    return [...new Set(projects.flatMap((p) => domains.map((d) => flyteNamespaceName(template, p, d))))];
}

/**
 * `cluster_resources.customData` as Flyte reads it: domain -> variable -> value. The chart's documented form is a
 * list of one-key maps (merged when Flyte decodes it); a plain map is accepted too.
 */
export function customDataByDomain(customData: unknown): Map<string, Map<string, string>> {
    const merge = (entries: unknown): JsonRecord =>
        Array.isArray(entries) ? Object.assign({}, ...entries.map((e) => recordAt(e))) : recordAt(entries);
    const byDomain = new Map<string, Map<string, string>>();
    if (customData === undefined || customData === null) {
        return byDomain;
    }
    for (const [domain, variables] of Object.entries(merge(customData))) {
        const vars = new Map<string, string>();
        for (const [name, source] of Object.entries(merge(variables))) {
            vars.set(name, stringAt(source, "value"));
        }
        byDomain.set(domain, vars);
    }
    return byDomain;
}

/** A list of one-key maps (`plugins.k8s.default-env-vars`) as one map; fails on a repeated key. */
export function mergedOneKeyMaps(value: unknown, what: string): Record<string, string> {
    const merged: Record<string, string> = {};
    for (const entry of arrayAt(value)) {
        const record = recordAt(entry);
        const keys = Object.keys(record);
        if (keys.length !== 1) {
            throw new Error(`${what}: ${JSON.stringify(entry)} is not a one-key map`);
        }
        const [key] = keys;
        if (key in merged) {
            throw new Error(`${what}: ${key} appears twice`);
        }
        merged[key] = String(record[key]);
    }
    return merged;
}

export interface ClusterResourcesInput {
    /** The templates Flyte reads from its templatePath (file name -> text). */
    readonly templates: Readonly<Record<string, string>>;
    /** `namespace_mapping.template` as Flyte reads it. */
    readonly namespaceTemplate: string;
    /** `cluster_resources.customData` as Flyte reads it. */
    readonly customData: unknown;
    readonly projects: readonly string[];
    /** Domain ids. */
    readonly domains: readonly string[];
    /** Display names by domain id, as Flyte's `domains` config gives them; a domain not listed is named by its id. */
    readonly domainNames?: Readonly<Record<string, string>>;
}

export interface AppliedClusterResources {
    readonly project: string;
    /** The domain id. */
    readonly domain: string;
    /** The namespace the controller computes and fills in as `{{ namespace }}`. */
    readonly namespace: string;
    /** Every object the templates produce for this pair, in file-name order. */
    readonly objects: K8sObject[];
    /** True if a `{{ ... }}` survived substitution (Flyte would apply it verbatim, or fail). */
    readonly unsubstituted: boolean;
}

/**
 * Flyte v1.16.8's cluster resource controller (flyteadmin/pkg/clusterresource/controller.go), re-implemented: for
 * each project and domain the namespace is the mapping template filled with the project id and the domain's
 * display NAME (Sync: GetNamespaceName(template, project.Id, domain.Name)); each `*.yaml` template, in file-name
 * order, then gets the domain's customData variables (keyed by domain id) and afterwards `{{ namespace }}`,
 * `{{ project }}` and `{{ domain }}` (the id) replaced by exact string replacement (createResourceFromTemplate).
 */
export function simulateClusterResources(input: ClusterResourcesInput): AppliedClusterResources[] {
    const customData = customDataByDomain(input.customData);
    const files = Object.keys(input.templates)
        .filter((f) => path.posix.extname(f) === ".yaml")
        .sort(compareFileNames);
    return input.projects.flatMap((project) =>
        input.domains.map((domain) => {
            const namespace = flyteNamespaceName(input.namespaceTemplate, project, input.domainNames?.[domain] ?? domain);
            const custom: Record<string, string> = {};
            for (const [name, value] of customData.get(domain) ?? new Map<string, string>()) {
                custom[`{{ ${name} }}`] = value;
            }
            const system = { "{{ namespace }}": namespace, "{{ project }}": project, "{{ domain }}": domain };
            let unsubstituted = false;
            const objects = files.flatMap((file) => {
                const text = replaceExact(replaceExact(input.templates[file], custom), system);
                unsubstituted ||= /\{\{|\}\}/.test(text);
                return parseManifests(text, `${file} for ${namespace}`);
            });
            return { project, domain, namespace, objects, unsubstituted };
        }),
    );
}

/** The chart's Flyte Deployment: the one whose pods run the `flyte` container. */
export function flyteDeployment(docs: readonly K8sObject[]): K8sObject {
    const found = findDocs(docs, "Deployment").filter((d) =>
        arrayAt(d, "spec", "template", "spec", "containers").some((c) => at(c, "name") === "flyte"),
    );
    if (found.length !== 1) {
        throw new Error(`expected one Deployment with a flyte container, found ${found.length}`);
    }
    return found[0];
}

/** Annotations of an object (empty if it has none). */
export function annotationsOf(object: unknown): Record<string, string> {
    const annotations = at(object, "metadata", "annotations");
    if (!isRecord(annotations)) {
        return {};
    }
    return Object.fromEntries(Object.entries(annotations).map(([k, v]) => [k, String(v)]));
}

/** A shell glob over file names (`*`, `?`) as a regular expression. */
export function globPattern(glob: string): RegExp {
    const escaped = glob
        .split("")
        .map((c) => (c === "*" ? "[^/]*" : c === "?" ? "[^/]" : c.replace(/[\\^$.|+()[\]{}]/g, "\\$&")))
        .join("");
    return new RegExp(`^${escaped}$`);
}

/** A Secret's files as the kubelet projects them: stringData and (base64) data. */
export function secretFiles(secret: K8sObject): Record<string, string> {
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

/** The files a volume projection shows: all of them, or with `items` only those, under their paths. */
export function projectItems(files: Record<string, string>, items: unknown): Record<string, string> {
    if (!Array.isArray(items)) {
        return files;
    }
    return Object.fromEntries(items.map((i) => [stringAt(i, "path"), files[stringAt(i, "key")] ?? ""]));
}

export interface FlyteConfigDirectory {
    /** The directory of the flyte container's `--config <dir>/<glob>`. */
    readonly dir: string;
    /** Files the chart renders into it (ConfigMaps and Secrets it creates) that the glob matches, by name. */
    readonly files: Record<string, string>;
    /** Secrets projected there that the chart does not render (created outside the chart). */
    readonly externalSecrets: string[];
    /** What Flyte loads from the rendered files: all of them in file-name order, later ones overriding. */
    readonly merged: JsonRecord;
}

/** What the flyte container of a rendered flyte-binary chart reads as its configuration. */
export function flyteConfigDirectory(docs: readonly K8sObject[], namespace: string): FlyteConfigDirectory {
    const deployment = flyteDeployment(docs);
    const container = podContainer(deployment, "flyte");
    const args = arrayAt(container, "args").map((a) => String(a));
    const index = args.indexOf("--config");
    if (index < 0 || index + 1 >= args.length) {
        throw new Error(`the flyte container has no --config argument: ${JSON.stringify(args)}`);
    }
    const glob = args[index + 1];
    const dir = path.posix.dirname(glob);
    const pattern = globPattern(path.posix.basename(glob));
    const probe = "000-probe.yaml";
    const { mount, relative } = mountContaining(container, `${dir}/${probe}`);
    if (relative !== probe) {
        throw new Error(`${dir} is not the root of volume ${mount.name}`);
    }
    const volume = podVolume(deployment, mount.name);
    const sources: unknown[] = isRecord(at(volume, "projected"))
        ? arrayAt(volume, "projected", "sources")
        : [{ configMap: at(volume, "configMap"), secret: at(volume, "secret") }];
    const all: Record<string, string> = {};
    const externalSecrets: string[] = [];
    for (const source of sources) {
        const configMap = at(source, "configMap");
        if (isRecord(configMap)) {
            const doc = findDoc(docs, "ConfigMap", stringAt(configMap, "name"), namespace);
            Object.assign(all, projectItems(stringMapAt(doc, "data"), at(configMap, "items")));
        }
        const secret = at(source, "secret");
        if (isRecord(secret)) {
            const name = typeof at(secret, "name") === "string" ? stringAt(secret, "name") : stringAt(secret, "secretName");
            const doc = findDocs(docs, "Secret").find((d) => d.metadata.name === name && d.metadata.namespace === namespace);
            if (doc) {
                Object.assign(all, projectItems(secretFiles(doc), at(secret, "items")));
            } else {
                externalSecrets.push(name);
            }
        }
    }
    const files = Object.fromEntries(Object.entries(all).filter(([name]) => pattern.test(name)));
    return { dir, files, externalSecrets, merged: mergeConfigFiles(files) };
}
