/**
 * Reading parsed JSON and YAML (plan inputs, rendered manifests, IAM documents, kubeconfigs): values are `unknown`
 * until checked, so every test reads them through these guards and path readers. The one place they are defined.
 */

export type JsonRecord = Record<string, unknown>;

/** A mapping: an object that is neither null nor a list. */
export function isRecord(value: unknown): value is JsonRecord {
    return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Reads a nested value by keys and indexes, e.g. at(doc, "spec", "template", "spec", "containers", 0); undefined if absent. */
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

/** The mapping at a path; fails naming the path and what is there. */
export function recordAt(value: unknown, ...keys: (string | number)[]): JsonRecord {
    const found = at(value, ...keys);
    if (!isRecord(found)) {
        throw new Error(`expected a mapping at ${pathText(keys)}, found ${JSON.stringify(found)}`);
    }
    return found;
}

/** The list at a path; fails naming the path and what is there. */
export function arrayAt(value: unknown, ...keys: (string | number)[]): unknown[] {
    const found = at(value, ...keys);
    if (!Array.isArray(found)) {
        throw new Error(`expected a list at ${pathText(keys)}, found ${JSON.stringify(found)}`);
    }
    return found;
}

/** The string at a path; fails naming the path and what is there. */
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

/** Every string in a value tree, with its path (`a.b[0].c`). */
export function stringsIn(value: unknown, where = ""): { path: string; value: string }[] {
    if (typeof value === "string") {
        return [{ path: where || "(root)", value }];
    }
    if (Array.isArray(value)) {
        return value.flatMap((v, i) => stringsIn(v, `${where}[${i}]`));
    }
    if (isRecord(value)) {
        return Object.entries(value).flatMap(([k, v]) => stringsIn(v, where ? `${where}.${k}` : k));
    }
    return [];
}

/** Where in a value tree a string occurs, e.g. ["configuration.database.password"]. */
export function pathsContaining(value: unknown, needle: string): string[] {
    return stringsIn(value)
        .filter((s) => s.value.includes(needle))
        .map((s) => s.path);
}

/** Every key of every mapping anywhere in a value tree. */
export function allKeys(value: unknown): string[] {
    if (Array.isArray(value)) {
        return value.flatMap(allKeys);
    }
    if (isRecord(value)) {
        return Object.entries(value).flatMap(([k, v]) => [k, ...allKeys(v)]);
    }
    return [];
}
