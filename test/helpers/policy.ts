/**
 * Running the CrossGuard policy pack (policy/policies.ts) without the Pulumi engine: builders for the argument
 * objects the engine hands a policy, runners that collect what a policy reports, and an adapter that turns a
 * planned stack (lib/plan) into the PolicyResource graph a stack policy sees, so the whole pack can be run
 * against the real program's plan.
 *
 * Never import policy/index.ts here: constructing the PolicyPack starts a gRPC server.
 */
import type {
    Policies,
    PolicyProviderResource,
    PolicyResource,
    PolicyResourceOptions,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationArgs,
    StackValidationPolicy,
} from "@pulumi/policy";
import type { RecordedResource } from "../../lib/plan/monitor";
import type { Plan } from "../../lib/plan/runPlan";
import type { Json } from "../../lib/plan/wire";
import { isRecord } from "./json";

export const PROJECT = "flyte";
/** The stack builders put resources in unless told otherwise: not a production stack. */
export const DEFAULT_STACK = "dev";

function notUsed(what: string): never {
    throw new Error(`${what} is not used in these tests`);
}

/** `urn:pulumi:<stack>::flyte::<type>::<name>`, as the engine names a resource whose parent is the stack. */
export function urnOf(type: string, name: string, stack: string = DEFAULT_STACK): string {
    return `urn:pulumi:${stack}::${PROJECT}::${type}::${name}`;
}

export interface ResourceOptions {
    /** Defaults to "example". */
    readonly name?: string;
    /** Stack in the default URN; defaults to DEFAULT_STACK. */
    readonly stack?: string;
    /** Overrides the URN built from type, name and stack. */
    readonly urn?: string;
    /** Pulumi's protect option. */
    readonly protect?: boolean;
    readonly parent?: PolicyResource;
    readonly dependencies?: readonly PolicyResource[];
    readonly propertyDependencies?: Readonly<Record<string, readonly PolicyResource[]>>;
    readonly provider?: PolicyProviderResource;
    /** What getConfig() returns (resource validation); defaults to {}. */
    readonly config?: object;
}

/** Complete resource options as the engine fills them in. */
export function resourceOptions(protect: boolean, parent?: string): PolicyResourceOptions {
    return {
        protect,
        ignoreChanges: [],
        aliases: [],
        customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
        additionalSecretOutputs: [],
        ...(parent !== undefined ? { parent } : {}),
    };
}

function getConfigReturning(config: object): <T extends object>() => T {
    // getConfig is generic in the engine's interface: the test decides what the policy receives.
    return <T extends object>() => config as T;
}

/** A complete PolicyResource (what a stack policy sees for each resource). */
export function policyResource(type: string, props: Record<string, unknown>, options: ResourceOptions = {}): PolicyResource {
    const name = options.name ?? "example";
    const resource: PolicyResource = {
        type,
        props,
        urn: options.urn ?? urnOf(type, name, options.stack),
        name,
        opts: resourceOptions(options.protect === true, options.parent?.urn),
        dependencies: [...(options.dependencies ?? [])],
        propertyDependencies: Object.fromEntries(
            Object.entries(options.propertyDependencies ?? {}).map(([property, deps]) => [property, [...deps]]),
        ),
        isType: () => notUsed("isType"),
        asType: () => notUsed("asType"),
    };
    if (options.parent !== undefined) {
        resource.parent = options.parent;
    }
    if (options.provider !== undefined) {
        resource.provider = options.provider;
    }
    return resource;
}

/** Options that attach a resource to a bucket the way the program does: `bucket: bucket.id`. */
export function attachedBy(property: string, target: PolicyResource, name?: string): ResourceOptions {
    return { name: name ?? target.name, propertyDependencies: { [property]: [target] }, dependencies: [target] };
}

/** Complete ResourceValidationArgs for a resource. */
export function resourceArgs(type: string, props: Record<string, unknown>, options: ResourceOptions = {}): ResourceValidationArgs {
    return fromPolicyResource(policyResource(type, props, options), options.config ?? {});
}

/** The ResourceValidationArgs the engine passes for a resource it also lists to stack policies. */
export function fromPolicyResource(resource: PolicyResource, config: object): ResourceValidationArgs {
    const args: ResourceValidationArgs = {
        type: resource.type,
        props: resource.props,
        urn: resource.urn,
        name: resource.name,
        opts: resource.opts,
        stackTags: new Map<string, string>(),
        isType: () => notUsed("isType"),
        asType: () => notUsed("asType"),
        getConfig: getConfigReturning(config),
        notApplicable: () => notUsed("notApplicable"),
    };
    if (resource.provider !== undefined) {
        args.provider = resource.provider;
    }
    return args;
}

export function stackArgs(resources: readonly PolicyResource[], config: object = {}): StackValidationArgs {
    return {
        resources: [...resources],
        stackTags: new Map<string, string>(),
        getConfig: getConfigReturning(config),
        notApplicable: () => notUsed("notApplicable"),
    };
}

export interface Report {
    readonly message: string;
    /** The URN a stack policy named, if any. */
    readonly urn?: string;
}

async function runResourcePolicy(policy: ResourceValidationPolicy, args: ResourceValidationArgs): Promise<string[]> {
    const messages: string[] = [];
    const validations = policy.validateResource === undefined ? [] : [policy.validateResource].flat();
    if (validations.length === 0) {
        throw new Error(`policy ${policy.name} has no validateResource`);
    }
    for (const validate of validations) {
        // The URN argument is ignored for resource validations: the engine uses the resource's own.
        await validate(args, (message: string) => {
            messages.push(message);
        });
    }
    return messages;
}

/** What a resource policy reports for one resource. */
export function resourceViolations(
    policy: ResourceValidationPolicy,
    type: string,
    props: Record<string, unknown>,
    options: ResourceOptions = {},
): Promise<string[]> {
    return runResourcePolicy(policy, resourceArgs(type, props, options));
}

/** What a stack policy reports, with the URNs it names. */
export async function stackReports(
    policy: StackValidationPolicy,
    resources: readonly PolicyResource[],
    config: object = {},
): Promise<Report[]> {
    const reports: Report[] = [];
    await policy.validateStack(stackArgs(resources, config), (message: string, urn?: string) => {
        reports.push(urn === undefined ? { message } : { message, urn });
    });
    return reports;
}

/** What a stack policy reports (messages only). */
export async function stackViolations(
    policy: StackValidationPolicy,
    resources: readonly PolicyResource[],
    config: object = {},
): Promise<string[]> {
    return (await stackReports(policy, resources, config)).map((r) => r.message);
}

// ---- The whole pack ----

export type PackPolicy = Policies[number];

export function isStackPolicy(policy: PackPolicy): policy is StackValidationPolicy {
    return "validateStack" in policy && typeof policy.validateStack === "function";
}

/** The config the engine would hand a policy: its schema's defaults, overridden by what is given. */
export function engineConfig(policy: PackPolicy, given: object = {}): object {
    const defaults = Object.entries(policy.configSchema?.properties ?? {})
        .filter(([, schema]) => schema.default !== undefined)
        .map(([key, schema]) => [key, schema.default] as const);
    return { ...Object.fromEntries(defaults), ...given };
}

export interface Violation {
    readonly policy: string;
    readonly message: string;
    /** The resource the violation is about: the validated resource, or what a stack policy named. */
    readonly urn?: string;
}

/**
 * Runs every policy as the engine does: resource policies on each resource, stack policies once on all of them.
 * `config` is per policy name, on top of each policy's schema defaults.
 */
export async function packViolations(
    pack: readonly PackPolicy[],
    resources: readonly PolicyResource[],
    config: Readonly<Record<string, object>> = {},
): Promise<Violation[]> {
    const violations: Violation[] = [];
    for (const policy of pack) {
        const policyConfig = engineConfig(policy, config[policy.name]);
        if (isStackPolicy(policy)) {
            for (const report of await stackReports(policy, resources, policyConfig)) {
                violations.push({ policy: policy.name, ...report });
            }
        } else {
            for (const resource of resources) {
                for (const message of await runResourcePolicy(policy, fromPolicyResource(resource, policyConfig))) {
                    violations.push({ policy: policy.name, message, urn: resource.urn });
                }
            }
        }
    }
    return violations;
}

// ---- Planned stacks ----

/** The provider reference `urn::id` of a recorded resource, split into the provider's URN. */
function providerUrn(reference: string): string {
    const cut = reference.lastIndexOf("::");
    return cut < 0 ? reference : reference.slice(0, cut);
}

/**
 * The PolicyResource graph of a plan: inputs as props, protect as opts.protect, and parent, dependencies,
 * property dependencies and provider linked to the PolicyResource objects of the resources they name. A URN
 * that is not in the plan fails: the adapter must not silently drop an edge.
 */
export function planResources(plan: Plan): PolicyResource[] {
    const byUrn = new Map<string, PolicyResource>();
    for (const r of plan.resources) {
        byUrn.set(
            r.urn,
            policyResource(r.type, structuredClone(r.inputs), { name: r.name, urn: r.urn, protect: r.protect }),
        );
    }
    const find = (urn: string, what: string, of: RecordedResource): PolicyResource => {
        const found = byUrn.get(urn);
        if (found === undefined) {
            throw new Error(`${of.urn}: its ${what} ${urn} is not in the plan of ${plan.stack}`);
        }
        return found;
    };
    for (const r of plan.resources) {
        const resource = find(r.urn, "own URN", r);
        resource.opts = {
            ...resourceOptions(r.protect, r.parent === "" ? undefined : r.parent),
            ignoreChanges: [...r.ignoreChanges],
            deleteBeforeReplace: r.deleteBeforeReplace,
        };
        if (r.parent !== "") {
            resource.parent = find(r.parent, "parent", r);
        }
        resource.dependencies = r.dependencies.map((urn) => find(urn, "dependency", r));
        resource.propertyDependencies = Object.fromEntries(
            Object.entries(r.propertyDependencies).map(([property, urns]) => [
                property,
                urns.map((urn) => find(urn, `dependency (${property})`, r)),
            ]),
        );
        if (r.provider !== "") {
            const provider = find(providerUrn(r.provider), "provider", r);
            resource.provider = { type: provider.type, props: provider.props, urn: provider.urn, name: provider.name };
        }
    }
    return plan.resources.map((r) => find(r.urn, "own URN", r));
}

/** Runs the pack on a planned stack. */
export function planViolations(
    pack: readonly PackPolicy[],
    plan: Plan,
    config: Readonly<Record<string, object>> = {},
): Promise<Violation[]> {
    return packViolations(pack, planResources(plan), config);
}

// ---- Editing a copy of a plan ----

function findRecorded(plan: Plan, type: string, name: string): RecordedResource {
    const found = plan.resources.filter((r) => r.type === type && r.name === name);
    if (found.length !== 1) {
        throw new Error(`expected one ${type} named ${name} in the plan of ${plan.stack}, found ${found.length}`);
    }
    return found[0];
}

/** A deep copy of the plan with one resource replaced by what `edit` makes of (a copy of) it. */
export function editResource(plan: Plan, type: string, name: string, edit: (resource: RecordedResource) => RecordedResource): Plan {
    const copy = structuredClone(plan);
    const target = findRecorded(copy, type, name);
    const edited = edit(target);
    if (edited.urn !== target.urn) {
        throw new Error("editResource keeps the URN; remove and add resources instead");
    }
    return { ...copy, resources: copy.resources.map((r) => (r.urn === target.urn ? edited : r)) };
}

/** A deep copy of the plan as if the program had never declared the resource (and nothing referred to it). */
export function removeResource(plan: Plan, type: string, name: string): Plan {
    const copy = structuredClone(plan);
    const urn = findRecorded(copy, type, name).urn;
    const children = copy.resources.filter((r) => r.parent === urn);
    if (children.length > 0) {
        throw new Error(`${urn} has children: ${children.map((r) => r.urn).join(", ")}`);
    }
    return {
        ...copy,
        resources: copy.resources
            .filter((r) => r.urn !== urn)
            .map((r) => ({
                ...r,
                dependencies: r.dependencies.filter((d) => d !== urn),
                propertyDependencies: Object.fromEntries(
                    Object.entries(r.propertyDependencies).map(([property, urns]) => [property, urns.filter((d) => d !== urn)]),
                ),
            })),
    };
}

/** Whether a plan value is a JSON object (not null, not a list). */
export function isJsonObject(value: Json | undefined): value is { [key: string]: Json } {
    return isRecord(value);
}

/**
 * A copy of `inputs` with the value at `path` set (or deleted when `value` is undefined). Every step but the
 * last must exist: an edit that misses is a broken test, not a no-op.
 */
export function withInput(
    inputs: { readonly [key: string]: Json },
    path: readonly string[],
    value: Json | undefined,
): { [key: string]: Json } {
    if (path.length === 0) {
        throw new Error("withInput needs a path");
    }
    const copy = structuredClone(inputs) as { [key: string]: Json };
    let current: { [key: string]: Json } = copy;
    for (const [i, key] of path.slice(0, -1).entries()) {
        const next = current[key];
        if (!isJsonObject(next)) {
            throw new Error(`no object at ${path.slice(0, i + 1).join(".")}`);
        }
        current = next;
    }
    const last = path[path.length - 1];
    if (value === undefined) {
        if (!(last in current)) {
            throw new Error(`nothing to delete at ${path.join(".")}`);
        }
        delete current[last];
    } else {
        current[last] = value;
    }
    return copy;
}

/** editResource for the common case: one input changed. */
export function editInput(plan: Plan, type: string, name: string, path: readonly string[], value: Json | undefined): Plan {
    return editResource(plan, type, name, (r) => ({ ...r, inputs: withInput(r.inputs, path, value) }));
}
