import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";

/**
 * Reads config the way the Pulumi CLI hands it to a program: project-level defaults from `Pulumi.yaml`, then the
 * stack file's `config:` block, every key namespaced (`<project>:<key>`), every value a string (lists and maps as
 * JSON). Encrypted values cannot be decrypted offline; they become "[secret]" and are marked secret.
 */

export interface ProjectFile {
    readonly name: string;
    readonly config: Readonly<Record<string, ProjectConfigEntry>>;
}

export interface ProjectConfigEntry {
    readonly type?: string;
    readonly description?: string;
    readonly default?: unknown;
    readonly value?: unknown;
    readonly items?: { readonly type: string };
}

export interface StackConfigFile {
    /** Full keys to string values, as `pulumi.runtime.allConfig()` returns them. */
    readonly config: Record<string, string>;
    readonly secretKeys: string[];
}

export class StackFileError extends Error {}

function isRecord(value: unknown): value is Record<string, unknown> {
    return typeof value === "object" && value !== null && !Array.isArray(value);
}

export function readProjectFile(projectDir: string): ProjectFile {
    const file = path.join(projectDir, "Pulumi.yaml");
    const doc: unknown = parse(fs.readFileSync(file, "utf8"));
    if (!isRecord(doc) || typeof doc.name !== "string") {
        throw new StackFileError(`${file}: not a Pulumi project file (no name)`);
    }
    const config: Record<string, ProjectConfigEntry> = {};
    if (isRecord(doc.config)) {
        for (const [key, entry] of Object.entries(doc.config)) {
            config[key] = isRecord(entry) ? (entry as ProjectConfigEntry) : { value: entry };
        }
    }
    return { name: doc.name, config };
}

function namespaced(key: string, project: string): string {
    return key.includes(":") ? key : `${project}:${key}`;
}

function asConfigString(value: unknown): string {
    return typeof value === "string" ? value : JSON.stringify(value);
}

/** Defaults the CLI applies from `Pulumi.yaml` (`default:` for declared keys, `value:` for provider keys). */
export function projectDefaults(project: ProjectFile): Record<string, string> {
    const defaults: Record<string, string> = {};
    for (const [key, entry] of Object.entries(project.config)) {
        const value = entry.default !== undefined ? entry.default : entry.value;
        if (value !== undefined) {
            defaults[namespaced(key, project.name)] = asConfigString(value);
        }
    }
    return defaults;
}

export function readStackConfig(stackFile: string, project: ProjectFile): StackConfigFile {
    if (!fs.existsSync(stackFile)) {
        throw new StackFileError(`${stackFile}: no such stack file`);
    }
    const doc: unknown = parse(fs.readFileSync(stackFile, "utf8")) ?? {};
    if (!isRecord(doc)) {
        throw new StackFileError(`${stackFile}: not a stack file (expected a mapping with a config: block)`);
    }
    const config: Record<string, string> = projectDefaults(project);
    const secretKeys: string[] = [];
    const block = doc.config ?? {};
    if (!isRecord(block)) {
        throw new StackFileError(`${stackFile}: config: must be a mapping of keys to values`);
    }
    for (const [rawKey, value] of Object.entries(block)) {
        const key = namespaced(rawKey, project.name);
        if (isRecord(value) && typeof value.secure === "string") {
            config[key] = "[secret]";
            secretKeys.push(key);
        } else {
            config[key] = asConfigString(value);
        }
    }
    return { config, secretKeys };
}

export function stackFilePath(projectDir: string, stack: string): string {
    return path.join(projectDir, `Pulumi.${stack}.yaml`);
}
