import type { PlanDocument } from "../../lib/plan/render";
import type { Json } from "../../lib/plan/wire";

/** Hand-built plan documents for the plan diff's unit tests: the shape `npm run plan -- --json` prints. */

export type DocResource = PlanDocument["resources"][number];

const STACK = "dev";
const STACK_URN = `urn:pulumi:${STACK}::flyte::pulumi:pulumi:Stack::flyte-${STACK}`;

/** A resource of `type` named `name` directly under the stack, with these inputs (and any other fields overridden). */
export function res(type: string, name: string, inputs: { [key: string]: Json } = {}, extra: Partial<DocResource> = {}): DocResource {
    return {
        urn: `urn:pulumi:${STACK}::flyte::${type}::${name}`,
        type,
        name,
        parent: STACK_URN,
        dependencies: [],
        inputs,
        protect: false,
        ...extra,
    };
}

/** The same resource (same URN) with other inputs. */
export function withInputs(r: DocResource, inputs: { [key: string]: Json }): DocResource {
    return { ...r, inputs };
}

export function doc(resources: DocResource[], outputs: { [key: string]: Json } = {}, stack = STACK): PlanDocument {
    return { stack, resources, outputs };
}

/** A copy of `items` in another order, fixed by `seed` (a small deterministic shuffle, so a failure reproduces). */
export function shuffled<T>(items: readonly T[], seed: number): T[] {
    const out = [...items];
    let state = seed;
    for (let i = out.length - 1; i > 0; i--) {
        state = (state * 1103515245 + 12345) % 2147483648;
        const j = state % (i + 1);
        [out[i], out[j]] = [out[j], out[i]];
    }
    return out;
}

/** The object with its keys in reverse order (same JSON value, other serialization). */
export function reversedKeys(value: { [key: string]: Json }): { [key: string]: Json } {
    return Object.fromEntries(Object.entries(value).reverse());
}
