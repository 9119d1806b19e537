import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import {
    arrayAt,
    at,
    findDoc,
    findDocs,
    isRecord,
    JsonRecord,
    K8sObject,
    mergeConfigFiles,
    mountContaining,
    podVolume,
    stringAt,
    stringMapAt,
} from "./helm";
import { globPattern, projectItems, secretFiles } from "./flyte";
import { PROJECT_DIR } from "./plan";

/**
 * Readers for the flyte-core chart contract: scratch stacks, what each container of a
 * rendered workload reads as its Flyte configuration, which Secrets a pod reads, and nginx.conf as a tree.
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

// ---- Pods ----

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
    const files = Object.fromEntries(Object.entries(all).filter(([name]) => pattern.test(name)));
    return { dir, volume: mount.name, configMaps, files, externalSecrets, merged: mergeConfigFiles(files) };
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
