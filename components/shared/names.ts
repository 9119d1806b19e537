import { createHash } from "crypto";

/**
 * Names derived from the Pulumi project and stack. Every builder returns a name that is valid for its cloud
 * for every valid project and stack name (Pulumi allows `[A-Za-z0-9_.-]{1,100}`): too-long names are cut and
 * made unique again with a short hash of what was cut. The clouds' own names are in gcp/names.ts and aws/names.ts.
 */

export function shortHash(text: string, length = 6): string {
    return createHash("sha256").update(text).digest("hex").slice(0, length);
}

/** Lowercase letters, digits and single hyphens, no hyphen at either end. */
export function slug(text: string): string {
    return text
        .toLowerCase()
        .replace(/[^a-z0-9-]+/g, "-")
        .replace(/-+/g, "-")
        .replace(/^-+|-+$/g, "");
}

function trimHyphens(text: string): string {
    return text.replace(/^-+|-+$/g, "");
}

/**
 * `<project>-<stack>` as a name part that starts with a letter. When slugging changed anything (case,
 * underscores, dots), a hash of the original keeps stacks such as `a_b` and `a-b` apart.
 */
export function deploymentName(pulumiProject: string, stack: string): string {
    const raw = `${pulumiProject}-${stack}`;
    let name = slug(raw);
    if (name !== raw) {
        name = trimHyphens(`${name}-${shortHash(raw)}`);
    }
    return /^[a-z]/.test(name) ? name : `f${name}`;
}

/**
 * `<base>-<suffix>` within `max` characters. When it does not fit, the base is cut and a hash of the whole base
 * is inserted, so two bases that share a long prefix still get different names.
 */
export function fitName(base: string, suffix: string, max: number): string {
    const full = suffix ? `${base}-${suffix}` : base;
    if (full.length <= max) {
        return full;
    }
    const hash = shortHash(base);
    const tail = suffix ? `-${hash}-${suffix}` : `-${hash}`;
    const keep = max - tail.length;
    if (keep < 1) {
        throw new Error(`cannot fit suffix "${suffix}" into ${max} characters`);
    }
    return `${trimHyphens(base.slice(0, keep))}${tail}`;
}
