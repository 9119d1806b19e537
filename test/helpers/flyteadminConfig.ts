import * as fs from "fs";
import * as path from "path";
import { isRecord } from "./json";

/**
 * flyteadmin's configuration as Flyte v1.16.8 reads it, parsed from verbatim excerpts of its source kept in
 * test/fixtures/flyteadmin-v1.16.8-config.go.txt (each block headed by its file and lines): the keys of its
 * `notifications` and `externalEvents` sections with their Go types (the `json` struct tags flytestdlib decodes
 * by), the values it recognises (cloud types, email services, event types), and where its secret manager looks for
 * a named secret. Nothing here comes from this program's code, so a key the program writes that flyteadmin does
 * not read shows up as a failure.
 */

export const FLYTEADMIN_CONFIG_FIXTURE = path.resolve(__dirname, "..", "fixtures", "flyteadmin-v1.16.8-config.go.txt");

/** One excerpt: the file and lines it was copied from, and the lines. */
export interface SourceBlock {
    /** The file in flyteorg/flyte, e.g. `flyteadmin/pkg/runtime/interfaces/application_configuration.go`. */
    readonly file: string;
    /** The first line copied. */
    readonly start: number;
    /** The last line copied. */
    readonly end: number;
    readonly lines: readonly string[];
}

const HEADER = /^\/\/ ==== (\S+):(\d+)-(\d+)$/;

/** The excerpts of the fixture; fails on a block whose line count does not match its header. */
export function sourceBlocks(text = fs.readFileSync(FLYTEADMIN_CONFIG_FIXTURE, "utf8")): SourceBlock[] {
    const blocks: { file: string; start: number; end: number; lines: string[] }[] = [];
    for (const line of text.split("\n")) {
        const header = HEADER.exec(line);
        if (header) {
            blocks.push({ file: header[1], start: Number(header[2]), end: Number(header[3]), lines: [] });
        } else if (blocks.length > 0) {
            blocks[blocks.length - 1].lines.push(line);
        }
    }
    return blocks.map((block) => {
        // Blocks are separated by one empty line, which belongs to none.
        const lines = block.lines.length > 0 && block.lines[block.lines.length - 1] === "" ? block.lines.slice(0, -1) : block.lines;
        if (lines.length !== block.end - block.start + 1) {
            throw new Error(`${block.file}:${block.start}-${block.end} has ${lines.length} lines in the fixture`);
        }
        return { ...block, lines };
    });
}

/** A Go type as flyteadmin's config decodes it. */
export type GoType =
    | { readonly kind: "string" | "bool" | "int" }
    | { readonly kind: "list"; readonly of: GoType }
    | { readonly kind: "struct"; readonly name: string; readonly fields: Readonly<Record<string, GoField>> };

/** A struct field: its Go name, type, and where it is declared. */
export interface GoField {
    readonly goName: string;
    readonly type: GoType;
    /** `file:line` at v1.16.8. */
    readonly citation: string;
}

interface RawField {
    readonly goName: string;
    readonly typeName: string;
    readonly list: boolean;
    readonly key: string;
    readonly citation: string;
}

/** The structs declared in the excerpts, their fields by json key, with the type names unresolved. */
function rawStructs(blocks: readonly SourceBlock[]): Map<string, RawField[]> {
    const structs = new Map<string, RawField[]>();
    for (const block of blocks) {
        let current: RawField[] | undefined;
        block.lines.forEach((line, index) => {
            const opening = /^type (\w+) struct \{$/.exec(line);
            if (opening) {
                current = [];
                structs.set(opening[1], current);
                return;
            }
            if (line === "}") {
                current = undefined;
                return;
            }
            const field = /^\t(\w+)\s+(\[\])?\*?(\w+)\s+`json:"([^",]*)/.exec(line);
            if (current && field) {
                current.push({ goName: field[1], list: field[2] !== undefined, typeName: field[3], key: field[4], citation: `${block.file}:${block.start + index}` });
            }
        });
    }
    return structs;
}

function resolveType(name: string, list: boolean, structs: Map<string, RawField[]>): GoType {
    if (list) {
        return { kind: "list", of: resolveType(name, false, structs) };
    }
    if (name === "string" || name === "bool") {
        return { kind: name };
    }
    if (/^u?int(8|16|32|64)?$/.test(name)) {
        return { kind: "int" };
    }
    const fields = structs.get(name);
    if (fields === undefined) {
        throw new Error(`type ${name} is neither a Go basic type nor a struct in the fixture`);
    }
    return {
        kind: "struct",
        name,
        fields: Object.fromEntries(fields.map((f) => [f.key, { goName: f.goName, type: resolveType(f.typeName, f.list, structs), citation: f.citation }])),
    };
}

/**
 * The config sections the excerpts register (`config.MustRegisterSection(<const>, &interfaces.<Struct>{`), by
 * section key, each the struct flyteadmin decodes it into.
 */
export function flyteadminSections(blocks = sourceBlocks()): Record<string, GoType> {
    const constants = new Map<string, string>();
    const registrations: { constant: string; struct: string }[] = [];
    for (const line of blocks.flatMap((b) => b.lines)) {
        const constant = /^const (\w+) = "([^"]+)"$/.exec(line);
        if (constant) {
            constants.set(constant[1], constant[2]);
        }
        const registration = /config\.MustRegisterSection\((\w+), &interfaces\.(\w+)\{/.exec(line);
        if (registration) {
            registrations.push({ constant: registration[1], struct: registration[2] });
        }
    }
    const structs = rawStructs(blocks);
    return Object.fromEntries(
        registrations.map((r) => {
            const key = constants.get(r.constant);
            if (key === undefined) {
                throw new Error(`section constant ${r.constant} is not in the fixture`);
            }
            return [key, resolveType(r.struct, false, structs)];
        }),
    );
}

/** The string constants of one excerpted file (`Name [Type] = "value"`), by Go name. */
export function fileConstants(file: string, blocks = sourceBlocks()): Record<string, string> {
    const found: Record<string, string> = {};
    for (const block of blocks.filter((b) => b.file === file)) {
        for (const line of block.lines) {
            const constant = /^\t(\w+)\s+(?:\w+\s+)?=\s+"([^"]*)"$/.exec(line);
            if (constant) {
                found[constant[1]] = constant[2];
            }
        }
    }
    if (Object.keys(found).length === 0) {
        throw new Error(`no constants of ${file} in the fixture`);
    }
    return found;
}

/**
 * What in `value` flyteadmin would not read as `type` declares it: keys no field has (by their exact json tag),
 * and values of another kind than the field's, each as `path: what`. Empty when every key, at every depth, is one
 * flyteadmin reads.
 */
export function unreadKeys(type: GoType, value: unknown, where = ""): string[] {
    const here = where || "(root)";
    switch (type.kind) {
        case "string":
            return typeof value === "string" ? [] : [`${here}: ${JSON.stringify(value)} is not a string`];
        case "bool":
            return typeof value === "boolean" ? [] : [`${here}: ${JSON.stringify(value)} is not a bool`];
        case "int":
            return Number.isInteger(value) ? [] : [`${here}: ${JSON.stringify(value)} is not an int`];
        case "list":
            return Array.isArray(value) ? value.flatMap((item, i) => unreadKeys(type.of, item, `${where}[${i}]`)) : [`${here}: ${JSON.stringify(value)} is not a list`];
        case "struct":
            if (!isRecord(value)) {
                return [`${here}: ${JSON.stringify(value)} is not a mapping (${type.name})`];
            }
            return Object.entries(value).flatMap(([key, item]) => {
                const field = type.fields[key];
                const child = where ? `${where}.${key}` : key;
                return field === undefined ? [`${child}: ${type.name} has no field with json key ${key}`] : unreadKeys(field.type, item, child);
            });
    }
}

/** Every key path a struct has, e.g. `emailer.emailServerConfig.smtpPort`, with where its field is declared. */
export function keyPaths(type: GoType, where = ""): Record<string, string> {
    if (type.kind !== "struct") {
        return {};
    }
    return Object.fromEntries(
        Object.entries(type.fields).flatMap(([key, field]) => {
            const child = where ? `${where}.${key}` : key;
            return [[child, field.citation], ...Object.entries(keyPaths(field.type, child))];
        }),
    );
}

/**
 * Where flyteadmin's secret manager (FileEnvSecretManager.Get, secrets.go:24-46) looks for the secret `name`, with
 * its default config (config.go:10-13; neither chart sets the `secrets` section): first the environment variable
 * `<env-prefix><name>`, then the file `filepath.Join(<secrets-prefix>, name)`, which Go cleans (`..` included).
 */
export function secretManagerLookup(name: string, blocks = sourceBlocks()): { readonly envVar: string; readonly file: string } {
    const lines = blocks.filter((b) => b.file.endsWith("secretmanager/config.go")).flatMap((b) => b.lines);
    const setting = (field: string): string => {
        const found = lines.map((l) => new RegExp(`^\\s+${field}:\\s+"([^"]*)",$`).exec(l)).find((m) => m !== null);
        if (!found) {
            throw new Error(`the fixture has no default ${field} of the secret manager`);
        }
        return found[1];
    };
    return { envVar: `${setting("EnvironmentPrefix")}${name}`, file: path.posix.join(setting("SecretFilePrefix"), name) };
}
