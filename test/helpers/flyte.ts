import * as path from "path";
import { compareFileNames, findDoc, findDocs, K8sObject, mergeConfigFiles, mountContaining, parseManifests, parseYaml, podContainer, podVolume, volumeMounts } from "./helm";
import { arrayAt, at, isRecord, JsonRecord, recordAt, stringAt, stringMapAt } from "./json";

/**
 * How Flyte itself reads what the chart hands it, re-implemented from Flyte's documented behaviour (not from
 * this program's code): namespace mapping, cluster resource templates and their per-domain data, list-shaped
 * settings, and the configuration a Flyte container loads from its `--config` directory. Generic over clouds and
 * both charts; tests feed it the chart's rendered objects or the release's values. The flyte-binary readers
 * (binaryConfigFile, binaryClusterResources, ...) serve the chart contracts of every flyte-binary stack.
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

/** The flyte container of a rendered flyte-binary chart. */
export function flyteContainer(docs: readonly K8sObject[]): JsonRecord {
    return podContainer(flyteDeployment(docs), "flyte");
}

/** A rendered flyte-binary chart: its objects and the namespace it was rendered into. */
export interface RenderedBinaryChart {
    readonly docs: readonly K8sObject[];
    readonly namespace: string;
}

/** flyte-binary names its Deployment, ConfigMaps and Secrets after `flyte-binary.fullname`. */
export function binaryChartFullname(chart: RenderedBinaryChart): string {
    return flyteDeployment(chart.docs).metadata.name;
}

/** The files of flyte-binary's config ConfigMap (`<fullname>-config`), by name. */
export function binaryConfigData(chart: RenderedBinaryChart): Record<string, string> {
    return stringMapAt(findDoc(chart.docs, "ConfigMap", `${binaryChartFullname(chart)}-config`, chart.namespace), "data");
}

/** One file of flyte-binary's config ConfigMap, parsed. */
export function binaryConfigFile(chart: RenderedBinaryChart, key: string): unknown {
    const text = binaryConfigData(chart)[key];
    if (text === undefined) {
        throw new Error(`ConfigMap ${binaryChartFullname(chart)}-config has no ${key}`);
    }
    return parseYaml(text, key);
}

/** What flyte-binary's cluster resource controller works from, as the chart renders it. */
export interface BinaryClusterResources {
    /** The projects flyteadmin seeds (seedProjects and seedProjectsWithDetails), sorted. */
    readonly seededProjects: string[];
    /** The domain ids Flyte is configured with, in order. */
    readonly domains: string[];
    /** The chart's ConfigMap of templates (`<fullname>-cluster-resource-templates`). */
    readonly templatesConfigMap: string;
    /** The ConfigMaps the volume mounted at templatePath shows; undefined if nothing is mounted there. */
    readonly mountedAtTemplatePath: unknown[] | undefined;
    /** `cluster_resources.customData` of the inline config. */
    readonly customData: unknown;
    /** The controller's sync of every given project and domain, with the rendered templates and config. */
    readonly simulate: (projects: readonly string[], domains: readonly string[]) => AppliedClusterResources[];
}

export function binaryClusterResources(chart: RenderedBinaryChart): BinaryClusterResources {
    const core = binaryConfigFile(chart, "000-core.yaml");
    const inline = binaryConfigFile(chart, "100-inline-config.yaml");
    const templatesConfigMap = findDoc(chart.docs, "ConfigMap", `${binaryChartFullname(chart)}-cluster-resource-templates`, chart.namespace);
    // Flyte reads the templates from templatePath: what is mounted there is what it applies.
    const templatePath = stringAt(core, "cluster_resources", "templatePath");
    const mount = volumeMounts(flyteContainer(chart.docs)).find((m) => m.mountPath === templatePath);
    const volume = mount === undefined ? undefined : podVolume(flyteDeployment(chart.docs), mount.name);
    const projected = at(volume, "projected", "sources");
    const customData = at(inline, "cluster_resources", "customData");
    return {
        seededProjects: [
            ...new Set([
                ...arrayAt(core, "flyte", "admin", "seedProjects").map((p) => (typeof p === "string" ? p : JSON.stringify(p))),
                ...arrayAt(core, "flyte", "admin", "seedProjectsWithDetails").map((p) => stringAt(p, "name")),
            ]),
        ].sort(),
        domains: arrayAt(inline, "domains").map((d) => stringAt(d, "id")),
        templatesConfigMap: templatesConfigMap.metadata.name,
        mountedAtTemplatePath:
            volume === undefined ? undefined : [at(volume, "configMap", "name"), ...(Array.isArray(projected) ? projected.map((p) => at(p, "configMap", "name")) : [])],
        customData,
        simulate: (projects, domains) =>
            simulateClusterResources({
                templates: stringMapAt(templatesConfigMap, "data"),
                namespaceTemplate: stringAt(inline, "namespace_mapping", "template"),
                customData,
                projects,
                domains,
            }),
    };
}

/** One project-domain pair's sync, summarised: its namespace, and the `ksa` accounts created, with their identity. */
export interface TaskNamespaceSync {
    readonly pair: string;
    readonly namespace: string;
    /** A `{{ ... }}` left in what the templates produced. */
    readonly unsubstituted: boolean;
    /** Whether the templates create the pair's Namespace. */
    readonly namespaceObject: boolean;
    readonly accounts: { readonly namespace: string | undefined; readonly identity: string | undefined }[];
}

export function taskNamespaceSync(applied: AppliedClusterResources, ksa: string, identityAnnotation: string): TaskNamespaceSync {
    return {
        pair: `${applied.project}/${applied.domain}`,
        namespace: applied.namespace,
        unsubstituted: applied.unsubstituted,
        namespaceObject: applied.objects.some((o) => o.kind === "Namespace" && o.metadata.name === applied.namespace),
        accounts: applied.objects
            .filter((o) => o.kind === "ServiceAccount" && o.metadata.name === ksa)
            .map((o) => ({ namespace: o.metadata.namespace, identity: annotationsOf(o)[identityAnnotation] })),
    };
}

/** The sync of every pair as it should be: the pair's namespace from the stack's template, created, with one account in it carrying `identity`. */
export function expectedTaskNamespaceSync(namespaceTemplate: string, projects: readonly string[], domains: readonly string[], identity: string): TaskNamespaceSync[] {
    return projects.flatMap((project) =>
        domains.map((domain) => {
            const namespace = flyteNamespaceName(namespaceTemplate, project, domain);
            return { pair: `${project}/${domain}`, namespace, unsubstituted: false, namespaceObject: true, accounts: [{ namespace, identity }] };
        }),
    );
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

// ---- What a Flyte container reads as its configuration ----

/** Init containers and containers of a workload's pod template. */
export function allContainers(workload: K8sObject): JsonRecord[] {
    const spec = at(workload, "spec", "template", "spec");
    const list = (key: string): JsonRecord[] => {
        const value = at(spec, key);
        return Array.isArray(value) ? value.filter(isRecord) : [];
    };
    return [...list("initContainers"), ...list("containers")];
}

export function containerNamed(workload: K8sObject, name: string): JsonRecord {
    const found = allContainers(workload).find((c) => at(c, "name") === name);
    if (!found) {
        throw new Error(`${workload.kind} ${workload.metadata.name} has no container ${name}`);
    }
    return found;
}

/** command followed by args, as the container runs them. */
export function commandLine(container: JsonRecord): string[] {
    const words = (key: string) => {
        const value = at(container, key);
        return Array.isArray(value) ? value.map((v) => String(v)) : [];
    };
    return [...words("command"), ...words("args")];
}

/** The `--config <glob>` a Flyte binary is started with, or undefined (e.g. a shell wrapper). */
export function configGlob(container: JsonRecord): string | undefined {
    const line = commandLine(container);
    const index = line.indexOf("--config");
    return index >= 0 && index + 1 < line.length ? line[index + 1] : undefined;
}

export interface ConfigDirectory {
    /** The directory of `--config <dir>/<glob>`. */
    readonly dir: string;
    /** The volume mounted there. */
    readonly volume: string;
    /** ConfigMaps projected there (rendered by the chart). */
    readonly configMaps: string[];
    /** Every file the chart renders into it (its ConfigMaps and Secrets), by name, whether the glob matches it or not. */
    readonly renderedFiles: Record<string, string>;
    /** Whether the glob matches a file name: whether the binary loads that file. */
    readonly matches: (file: string) => boolean;
    /** Files the chart renders into it that the glob matches, by name. */
    readonly files: Record<string, string>;
    /** Secrets projected there that the chart does not render (created outside the chart). */
    readonly externalSecrets: string[];
    /** What the binary loads from the rendered files: all of them in file-name order, later ones overriding. */
    readonly merged: JsonRecord;
}

/** What a container started with `--config <dir>/<glob>` reads as its configuration. */
export function configDirectory(docs: readonly K8sObject[], workload: K8sObject, container: JsonRecord, namespace: string): ConfigDirectory {
    const glob = configGlob(container);
    if (glob === undefined) {
        throw new Error(`container ${String(at(container, "name"))} of ${workload.metadata.name} has no --config argument`);
    }
    const dir = path.posix.dirname(glob);
    const pattern = globPattern(path.posix.basename(glob));
    const probe = "000-probe.yaml";
    const { mount, relative } = mountContaining(container, `${dir}/${probe}`);
    if (relative !== probe) {
        throw new Error(`${dir} is not the root of volume ${mount.name} in ${workload.metadata.name}`);
    }
    const volume = podVolume(workload, mount.name);
    const sources: unknown[] = isRecord(at(volume, "projected"))
        ? arrayAt(volume, "projected", "sources")
        : [{ configMap: at(volume, "configMap"), secret: at(volume, "secret") }];
    const all: Record<string, string> = {};
    const configMaps: string[] = [];
    const externalSecrets: string[] = [];
    for (const source of sources) {
        const configMap = at(source, "configMap");
        if (isRecord(configMap)) {
            const name = stringAt(configMap, "name");
            configMaps.push(name);
            const doc = findDoc(docs, "ConfigMap", name, namespace);
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
    const matches = (file: string) => pattern.test(file);
    const files = Object.fromEntries(Object.entries(all).filter(([name]) => matches(name)));
    return { dir, volume: mount.name, configMaps, renderedFiles: all, matches, files, externalSecrets, merged: mergeConfigFiles(files) };
}

/** What the flyte container of a rendered flyte-binary chart reads as its configuration. */
export function flyteConfigDirectory(docs: readonly K8sObject[], namespace: string): ConfigDirectory {
    const deployment = flyteDeployment(docs);
    return configDirectory(docs, deployment, podContainer(deployment, "flyte"), namespace);
}
