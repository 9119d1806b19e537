/**
 * Reading resource properties as the policy engine hands them over (untyped JSON, and during a preview possibly
 * missing where a value is not known yet). Every reader narrows; nothing is assumed.
 */

export type Props = Record<string, unknown>;

export function isRecord(value: unknown): value is Props {
    return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** A nested value by keys and list indexes, or undefined. */
export function at(value: unknown, ...path: (string | number)[]): unknown {
    let current = value;
    for (const key of path) {
        if (typeof key === "number") {
            if (!Array.isArray(current)) {
                return undefined;
            }
            current = current[key];
        } else {
            if (!isRecord(current)) {
                return undefined;
            }
            current = current[key];
        }
    }
    return current;
}

export function stringAt(value: unknown, ...path: (string | number)[]): string | undefined {
    const found = at(value, ...path);
    return typeof found === "string" ? found : undefined;
}

export function listAt(value: unknown, ...path: (string | number)[]): unknown[] {
    const found = at(value, ...path);
    return Array.isArray(found) ? found : [];
}

export function recordAt(value: unknown, ...path: (string | number)[]): Props {
    const found = at(value, ...path);
    return isRecord(found) ? found : {};
}

/** A string-valued map (labels, annotations), ignoring non-string entries. */
export function stringMapAt(value: unknown, ...path: (string | number)[]): Record<string, string> {
    return Object.fromEntries(
        Object.entries(recordAt(value, ...path)).filter((entry): entry is [string, string] => typeof entry[1] === "string"),
    );
}

/** A JSON document given as a string (IAM policies) or already parsed; undefined when it is neither. */
export function jsonDocument(value: unknown): unknown {
    if (typeof value !== "string") {
        return isRecord(value) ? value : undefined;
    }
    try {
        return JSON.parse(value) as unknown;
    } catch {
        return undefined;
    }
}

/** The stack a resource belongs to, from its URN (`urn:pulumi:<stack>::<project>::<type>::<name>`). */
export function stackOfUrn(urn: string): string {
    const head = urn.split("::")[0] ?? "";
    return head.startsWith("urn:pulumi:") ? head.slice("urn:pulumi:".length) : "";
}

/**
 * The value at `path` as the engine handed it over, read past the preview's check for values not known yet (the
 * engine's proxy throws when such a value is read, and a stack policy that throws is skipped for the whole preview).
 * For asking whether something is set at all, whatever it will be: an unknown value comes back as the engine's
 * placeholder string, never as a value to compare with.
 */
export function rawAt(value: unknown, ...path: (string | number)[]): unknown {
    let current = value;
    for (const key of path) {
        if (typeof current !== "object" || current === null) {
            return undefined;
        }
        // Reading the property's descriptor goes around the proxy's `get`, the only trap it has.
        current = Object.getOwnPropertyDescriptor(current, key)?.value;
    }
    return current;
}

/** Whether something is set at `path` (known or not yet known): not absent, null, "", an empty list or map. */
export function isSet(value: unknown, ...path: (string | number)[]): boolean {
    const found = rawAt(value, ...path);
    if (Array.isArray(found)) {
        return found.length > 0;
    }
    if (isRecord(found)) {
        return Object.keys(found).length > 0;
    }
    return found !== undefined && found !== null && found !== "";
}
