import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";
import { CONFIG_KEYS, ConfigKey, KeySpec } from "../../components/config/schema";
import { isRecord } from "./json";
import { PROJECT_DIR } from "./plan";

/**
 * A stack's settings as its files say, read with the `yaml` package and without the program's config code, so
 * tests can catch the program disagreeing with the stack file: the stack file's value, else the default
 * `Pulumi.yaml` declares (as the CLI applies it), else the schema's default (CONFIG_KEYS).
 *
 * Values may be written typed (`2`, `false`, a YAML list) or as the CLI stores them (`"2"`, `"false"`, a JSON
 * list); both are accepted.
 */
export interface StackSettings {
    readonly stack: string;
    /** The project's name: the namespace of its keys (`<project>:<key>`). */
    readonly project: string;
    /** A key of the project's namespace, or undefined if neither the files nor the schema give it a value. */
    setting(key: ConfigKey): unknown;
    string(key: ConfigKey): string;
    integer(key: ConfigKey): number;
    boolean(key: ConfigKey): boolean;
    strings(key: ConfigKey): string[];
    /** A provider key such as `aws:region`, from the stack file only; fails if it is not set. */
    provider(key: string): string;
}

function readYaml(file: string): unknown {
    return parse(fs.readFileSync(file, "utf8"));
}

export function readStackSettings(stack: string, projectDir = PROJECT_DIR): StackSettings {
    const projectFile = readYaml(path.join(projectDir, "Pulumi.yaml"));
    if (!isRecord(projectFile) || typeof projectFile.name !== "string") {
        throw new Error(`${projectDir}/Pulumi.yaml has no project name`);
    }
    const project = projectFile.name;
    const projectConfig = isRecord(projectFile.config) ? projectFile.config : {};
    const stackFileName = `Pulumi.${stack}.yaml`;
    const stackDoc = readYaml(path.join(projectDir, stackFileName));
    const config = isRecord(stackDoc) && isRecord(stackDoc.config) ? stackDoc.config : {};

    const setting = (key: ConfigKey): unknown => {
        const declared = projectConfig[key];
        const spec: KeySpec = CONFIG_KEYS[key];
        return (
            config[`${project}:${key}`] ??
            (isRecord(declared) ? declared.default : undefined) ??
            ("default" in spec ? spec.default : undefined)
        );
    };
    const fail = (key: string, what: string, value: unknown): never => {
        throw new Error(`${stackFileName}: ${key} is not ${what}: ${JSON.stringify(value)}`);
    };

    return {
        stack,
        project,
        setting,
        string: (key) => {
            const value = setting(key);
            return typeof value === "string" ? value : fail(key, "a string", value);
        },
        integer: (key) => {
            const value = setting(key);
            if (typeof value === "number" && Number.isInteger(value)) {
                return value;
            }
            return typeof value === "string" && /^-?\d+$/.test(value) ? Number(value) : fail(key, "an integer", value);
        },
        boolean: (key) => {
            const value = setting(key);
            if (typeof value === "boolean") {
                return value;
            }
            return value === "true" ? true : value === "false" ? false : fail(key, "a boolean", value);
        },
        strings: (key) => {
            const raw = setting(key);
            const value: unknown = typeof raw === "string" ? JSON.parse(raw) : raw;
            if (!Array.isArray(value) || !value.every((v): v is string => typeof v === "string")) {
                return fail(key, "a list of strings", raw);
            }
            return [...value];
        },
        provider: (key) => {
            const value = config[key];
            return typeof value === "string" ? value : fail(key, "a string", value);
        },
    };
}
