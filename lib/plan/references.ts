import { createHash } from "crypto";
import * as fs from "fs";
import * as path from "path";
import { OFFLINE_SECRET_PLACEHOLDER } from "../../components/shared/offlinePlan";
import { stackNameError } from "./stackFile";
import type { Json } from "./wire";

/**
 * The stacks a plan reads through `new pulumi.StackReference(name)`, and how `npm run plan`, `npm run plan:diff` and
 * the shared test plans find them offline: by simulating the first deployment of a control plane and its data planes
 * (see resolveReferences). Pure but for reading the project directory in shippedStackSource; planning is passed in.
 */

/** What a StackReference reads of a stack: the builtin provider's `outputs` and `secretOutputNames`. */
export interface ReferencedStack {
    /** The stack's outputs by name, secrets in the clear: never printed nor written by `npm run plan`. */
    readonly outputs: Readonly<Record<string, Json>>;
    /** The outputs whose value holds a secret, sorted. */
    readonly secretOutputNames: readonly string[];
}

/** Referenced stacks by the name exactly as the program passes it to `new pulumi.StackReference(name)`. */
export type References = Readonly<Record<string, ReferencedStack>>;

/**
 * What Pulumi answers for a stack that is initialised but was never deployed (no outputs): also what the plan
 * answers for a name it has no references for.
 */
export const NO_OUTPUTS: ReferencedStack = Object.freeze({ outputs: Object.freeze({}), secretOutputNames: Object.freeze([]) });

/** A plan (lib/plan/runPlan.ts) as far as its referenceOutputs go. */
export interface PlanWithReferenceOutputs {
    readonly stack: string;
    readonly referenceOutputs?: ReferencedStack;
}

/** Sets a plan's referenceOutputs, non-enumerable (see Plan.referenceOutputs); returns the plan. */
export function withReferenceOutputs<P extends PlanWithReferenceOutputs>(plan: P, referenceOutputs: ReferencedStack): P {
    Object.defineProperty(plan, "referenceOutputs", { value: referenceOutputs, enumerable: false, writable: false, configurable: false });
    return plan;
}

/** What a StackReference to the planned stack reads: its outputs with secrets in the clear. Never print it. */
export function referencedStack(plan: PlanWithReferenceOutputs): ReferencedStack {
    if (plan.referenceOutputs === undefined) {
        throw new Error(`the plan of ${plan.stack} has no referenceOutputs (a copy, or read back from its JSON)`);
    }
    return plan.referenceOutputs;
}

/** A stack to plan: its name (`pulumi.getStack()`) and its file in `Pulumi.<stack>.yaml` format. */
export interface StackSource {
    readonly stack: string;
    readonly stackFile: string;
}

/** The part a stack plays (config `flyte:clusterRole`); standalone when it is absent or not one of these. */
export type ClusterRole = "standalone" | "controlPlane" | "dataPlane";

/** What resolving a stack's references needs of its config. */
export interface StackRole {
    readonly role: ClusterRole;
    /** For a control plane: its data planes (config `flyte:dataPlanes`, `<name>=<stack>`), in config order. */
    readonly dataPlanes: readonly { readonly name: string; readonly stack: string }[];
    /** For a data plane: its control plane's stack (config `flyte:controlPlaneStack`). */
    readonly controlPlaneStack?: string;
}

const ROLES: readonly ClusterRole[] = ["standalone", "controlPlane", "dataPlane"];

function jsonList(text: string | undefined): unknown[] {
    if (text === undefined) {
        return [];
    }
    try {
        const value: unknown = JSON.parse(text);
        return Array.isArray(value) ? value : [];
    } catch {
        return [];
    }
}

/**
 * The role keys of a stack's config (full keys to strings, as readStackConfig gives them; `project` is the config
 * namespace). Lenient: a value the program would refuse is left out here, and the program's own validation then
 * reports it in its one line.
 */
export function stackRoleOf(config: Readonly<Record<string, string>>, project: string): StackRole {
    const value = (key: string): string | undefined => {
        const v = config[`${project}:${key}`]?.trim();
        return v === undefined || v === "" || v === OFFLINE_SECRET_PLACEHOLDER ? undefined : v;
    };
    const roleValue = value("clusterRole");
    const role = ROLES.find((r) => r === roleValue) ?? "standalone";
    const dataPlanes = jsonList(value("dataPlanes")).flatMap((entry) => {
        if (typeof entry !== "string") {
            return [];
        }
        const at = entry.indexOf("=");
        const name = entry.slice(0, at).trim();
        const stack = entry.slice(at + 1).trim();
        return at > 0 && name !== "" && stack !== "" ? [{ name, stack }] : [];
    });
    const controlPlaneStack = value("controlPlaneStack");
    return { role, dataPlanes, ...(controlPlaneStack === undefined ? {} : { controlPlaneStack }) };
}

/**
 * The shipped stack a referenced name stands for: `Pulumi.<last '/' segment>.yaml` in the project directory
 * (`acme/flyte/gke-gpu` and `gke-gpu` are both the stack file Pulumi.gke-gpu.yaml), or undefined when there is no
 * such file — the plan then reads that stack as one with no outputs.
 */
export function shippedStackSource(projectDir: string, referencedName: string): StackSource | undefined {
    const stack = referencedName.slice(referencedName.lastIndexOf("/") + 1);
    if (stackNameError(stack) !== undefined) {
        return undefined;
    }
    const stackFile = path.join(projectDir, `Pulumi.${stack}.yaml`);
    return fs.existsSync(stackFile) ? { stack, stackFile } : undefined;
}

/** Plans a stack with these references, and returns what a StackReference to it reads. Plans run one at a time. */
export type ReferencePlanner = (source: StackSource, references: References) => Promise<ReferencedStack>;

/** What resolveReferences needs: the role in a stack file, where a referenced name's stack is, and a planner. */
export interface ReferenceResolver {
    readonly roleOf: (source: StackSource) => StackRole;
    /** The stack a referenced name stands for, or undefined: then it has no outputs. */
    readonly sourceOf: (referencedName: string) => StackSource | undefined;
    readonly plan: ReferencePlanner;
}

/** A referenced stack failed to plan; the message (one line) names it and what referenced it. */
export class ReferencedStackError extends Error {}

function sortedJson(value: unknown): unknown {
    if (Array.isArray(value)) {
        return value.map(sortedJson);
    }
    if (typeof value === "object" && value !== null) {
        return Object.fromEntries(
            Object.keys(value)
                .sort()
                .map((k) => [k, sortedJson((value as Record<string, unknown>)[k])]),
        );
    }
    return value;
}

/** A digest of references, the same for the same stacks and outputs whatever the order of their keys. */
export function referencesDigest(references: References): string {
    return createHash("sha256").update(JSON.stringify(sortedJson(references))).digest("hex");
}

/** A planner that plans each (stack file, stack, references digest) once and answers again from what it planned. */
export function cachingPlanner<T>(
    plan: (source: StackSource, references: References) => Promise<T>,
): (source: StackSource, references: References) => Promise<T> {
    const planned = new Map<string, Promise<T>>();
    return (source, references) => {
        const key = JSON.stringify([path.resolve(source.stackFile), source.stack, referencesDigest(references)]);
        let result = planned.get(key);
        if (result === undefined) {
            result = plan(source, references);
            planned.set(key, result);
        }
        return result;
    };
}

function firstLine(err: unknown): string {
    return (err instanceof Error ? err.message : String(err)).split("\n")[0];
}

/**
 * The references of the stack in `source` as its first deployment in Pulumi's documented order would give them
 * (`pulumi stack init` every stack, `pulumi up` the control plane, then each data plane, then the control plane again):
 *
 * - a data plane: its control plane (config `flyte:controlPlaneStack`) planned with no references — no data plane
 *   deployed yet;
 * - a control plane: each data plane D (config `flyte:dataPlanes`), planned with references {D's controlPlaneStack:
 *   this stack planned with no references};
 * - standalone: none.
 *
 * A referenced name with no stack (sourceOf answers undefined) has no outputs. Sub-plans run one after another
 * (the Pulumi runtime is global), each (stack, references) once.
 */
export async function resolveReferences(source: StackSource, resolver: ReferenceResolver): Promise<References> {
    const cached = cachingPlanner(resolver.plan);
    const plan = async (sub: StackSource, references: References, why: string): Promise<ReferencedStack> => {
        try {
            return await cached(sub, references);
        } catch (err) {
            if (err instanceof ReferencedStackError) {
                throw err;
            }
            throw new ReferencedStackError(
                `the stack ${sub.stack} (${path.basename(sub.stackFile)}), ${why}, failed to plan: ${firstLine(err)}`,
            );
        }
    };
    const role = resolver.roleOf(source);
    if (role.role === "dataPlane") {
        const name = role.controlPlaneStack;
        if (name === undefined) {
            return {};
        }
        const controlPlane = resolver.sourceOf(name);
        return {
            [name]: controlPlane ? await plan(controlPlane, {}, `the control plane of ${source.stack}`) : NO_OUTPUTS,
        };
    }
    if (role.role === "controlPlane") {
        const references: Record<string, ReferencedStack> = {};
        for (const dataPlane of role.dataPlanes) {
            if (dataPlane.stack in references) {
                continue;
            }
            const dataPlaneSource = resolver.sourceOf(dataPlane.stack);
            if (dataPlaneSource === undefined) {
                references[dataPlane.stack] = NO_OUTPUTS;
                continue;
            }
            const itsControlPlane = resolver.roleOf(dataPlaneSource).controlPlaneStack;
            const dataPlaneReferences: References =
                itsControlPlane === undefined
                    ? {}
                    : { [itsControlPlane]: await plan(source, {}, `the control plane of ${dataPlane.stack}, before its data planes`) };
            references[dataPlane.stack] = await plan(dataPlaneSource, dataPlaneReferences, `data plane ${dataPlane.name} of ${source.stack}`);
        }
        return references;
    }
    return {};
}
