import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import type { Plan } from "../../lib/plan/runPlan";
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
import { PROJECT_DIR } from "./plan";

/**
 * Readers for the flyte-core chart contract: planning several stacks in one test file, what each container of a
 * rendered workload reads as its Flyte configuration, which Secrets a pod reads, and nginx.conf as a tree.
 */

// ---- Planning more than one stack per test file ----

type RunPlanModule = typeof import("../../lib/plan/runPlan");

/**
 * Plans a stack like planStack, in a fresh module registry: the program (index.ts) is required anew and gets a
 * fresh Pulumi SDK, so one test file can plan several stacks, one after the other (runs must not overlap).
 */
export async function planInIsolation(stack: string, stackFile?: string): Promise<Plan> {
    let plan: Plan | undefined;
    await jest.isolateModulesAsync(async () => {
        const { runPlan }: RunPlanModule = await import("../../lib/plan/runPlan");
        plan = await runPlan({ projectDir: PROJECT_DIR, stack, stackFile });
    });
    if (plan === undefined) {
        throw new Error(`planning ${stack} produced no plan`);
    }
    return plan;
}

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

function globPattern(glob: string): RegExp {
    const escaped = glob
        .split("")
        .map((c) => (c === "*" ? "[^/]*" : c === "?" ? "[^/]" : c.replace(/[\\^$.|+()[\]{}]/g, "\\$&")))
        .join("");
    return new RegExp(`^${escaped}$`);
}

/** A Secret's files as the kubelet projects them (stringData and base64 data). */
function secretFiles(secret: K8sObject): Record<string, string> {
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

function projectItems(files: Record<string, string>, items: unknown): Record<string, string> {
    if (!Array.isArray(items)) {
        return files;
    }
    return Object.fromEntries(items.map((i) => [stringAt(i, "path"), files[stringAt(i, "key")] ?? ""]));
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

// ---- nginx.conf ----

export interface NginxDirective {
    readonly name: string;
    readonly args: string[];
    /** The directives of its block, for block directives (`http { ... }`); undefined for simple ones. */
    readonly block?: NginxDirective[];
}

function nginxTokens(text: string): string[] {
    const tokens: string[] = [];
    let i = 0;
    while (i < text.length) {
        const c = text[i];
        if (/\s/.test(c)) {
            i++;
        } else if (c === "#") {
            while (i < text.length && text[i] !== "\n") {
                i++;
            }
        } else if (c === "{" || c === "}" || c === ";") {
            tokens.push(c);
            i++;
        } else if (c === "'" || c === '"') {
            const end = text.indexOf(c, i + 1);
            if (end < 0) {
                throw new Error(`nginx.conf: unterminated quote at ${i}`);
            }
            tokens.push(text.slice(i + 1, end));
            i = end + 1;
        } else {
            let j = i;
            while (j < text.length && !/[\s{};]/.test(text[j])) {
                j++;
            }
            tokens.push(text.slice(i, j));
            i = j;
        }
    }
    return tokens;
}

/** Parses nginx.conf into directives; fails on unbalanced braces or a directive without `;`. */
export function parseNginxConf(text: string): NginxDirective[] {
    const tokens = nginxTokens(text);
    let position = 0;
    const parseBlock = (nested: boolean): NginxDirective[] => {
        const directives: NginxDirective[] = [];
        while (position < tokens.length) {
            if (tokens[position] === "}") {
                if (!nested) {
                    throw new Error("nginx.conf: unexpected }");
                }
                position++;
                return directives;
            }
            const name = tokens[position++];
            const args: string[] = [];
            while (position < tokens.length && !["{", "}", ";"].includes(tokens[position])) {
                args.push(tokens[position++]);
            }
            const end = tokens[position++];
            if (end === ";") {
                directives.push({ name, args });
            } else if (end === "{") {
                directives.push({ name, args, block: parseBlock(true) });
            } else {
                throw new Error(`nginx.conf: directive ${name} is not terminated`);
            }
        }
        if (nested) {
            throw new Error("nginx.conf: missing }");
        }
        return directives;
    };
    return parseBlock(false);
}

/** The directives of a name in a block. */
export function directives(block: readonly NginxDirective[] | undefined, name: string): NginxDirective[] {
    return (block ?? []).filter((d) => d.name === name);
}

/** The one directive of a name in a block; fails otherwise. */
export function directive(block: readonly NginxDirective[] | undefined, name: string, ...args: string[]): NginxDirective {
    const found = directives(block, name).filter((d) => args.every((a, i) => d.args[i] === a));
    if (found.length !== 1) {
        throw new Error(`expected one ${[name, ...args].join(" ")} directive, found ${found.length}`);
    }
    return found[0];
}

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
