import * as fs from "fs";
import * as path from "path";
import { parse, YAMLParseError } from "yaml";
import { OFFLINE_SECRET_PLACEHOLDER } from "../../components/shared/offlinePlan";

/**
 * Reads config the way the Pulumi CLI hands it to a program: project-level defaults from `Pulumi.yaml`, then the
 * stack file's `config:` block, every key namespaced (`<project>:<key>`), every value a string (lists and maps as
 * JSON). Encrypted values cannot be decrypted offline; they become OFFLINE_SECRET_PLACEHOLDER and are marked secret.
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
    readonly secret?: boolean;
    readonly items?: { readonly type: string };
}

export interface StackConfigFile {
    /** Full keys to string values, as `pulumi.runtime.allConfig()` returns them. */
    readonly config: Record<string, string>;
    readonly secretKeys: string[];
}

/** A project or stack file that cannot be read, or a stack name Pulumi would refuse; the message is one line. */
export class StackFileError extends Error {}

/** Pulumi's rule for stack names: ParseStackName in pulumi/pulumi, sdk/go/common/tokens/stack_name.go. */
export const STACK_NAME_MAX_LENGTH = 100;
const STACK_NAME = /^[A-Za-z0-9_.-]+$/;

/** Why Pulumi would refuse `name` as a stack name, in one line, or undefined when it is valid. */
export function stackNameError(name: string): string | undefined {
    if (name.length <= STACK_NAME_MAX_LENGTH && STACK_NAME.test(name)) {
        return undefined;
    }
    const shown = JSON.stringify(name.length > 60 ? `${name.slice(0, 60)}…` : name);
    return `invalid stack name ${shown}: allowed: letters, digits, '-', '_' and '.', 1 to ${STACK_NAME_MAX_LENGTH} characters`;
}

/** YAML, or a StackFileError `<file>:<line>:<col>: <what is wrong>` (yaml's message without its code frame). */
function parseYamlFile(file: string): unknown {
    const text = fs.readFileSync(file, "utf8");
    try {
        return parse(text);
    } catch (err) {
        if (!(err instanceof YAMLParseError)) {
            throw err;
        }
        const at = err.linePos?.[0];
        const message = err.message.split("\n")[0].replace(/ at line \d+, column \d+:?$/, "");
        throw new StackFileError(`${file}${at ? `:${at.line}:${at.col}` : ""}: ${message}`);
    }
}

function isRecord(value: unknown): value is Record<string, unknown> {
    return typeof value === "object" && value !== null && !Array.isArray(value);
}

export function readProjectFile(projectDir: string): ProjectFile {
    const file = path.join(projectDir, "Pulumi.yaml");
    const doc = parseYamlFile(file);
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
    const doc = parseYamlFile(stackFile) ?? {};
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
            config[key] = OFFLINE_SECRET_PLACEHOLDER;
            secretKeys.push(key);
        } else {
            config[key] = asConfigString(value);
        }
    }
    return { config, secretKeys };
}

/** What the offline plan says about each encrypted value: it is not decrypted, and a placeholder stands in for it. */
export function secretNotes(file: StackConfigFile): string[] {
    return [...file.secretKeys]
        .sort()
        .map((key) => `note: ${key} is encrypted; the offline plan does not decrypt it and uses "${OFFLINE_SECRET_PLACEHOLDER}" instead`);
}

export function stackFilePath(projectDir: string, stack: string): string {
    const error = stackNameError(stack);
    if (error !== undefined) {
        throw new StackFileError(error);
    }
    return path.join(projectDir, `Pulumi.${stack}.yaml`);
}
