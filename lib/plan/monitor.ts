import * as pulumi from "@pulumi/pulumi";
import * as provproto from "@pulumi/pulumi/proto/provider_pb";
import * as resproto from "@pulumi/pulumi/proto/resource_pb";
import { Struct } from "google-protobuf/google/protobuf/struct_pb";
import { mockInvoke, type MockResult, mockResource } from "./mocks";
import { NO_OUTPUTS, type ReferencedStack } from "./references";
import { containsSecret, Json, redactWire, revealWire, wireSecret } from "./wire";

/** One resource as the program asked the engine to register it. */
export interface RecordedResource {
    readonly urn: string;
    readonly type: string;
    readonly name: string;
    /** URN of the parent, or "" for the root stack. */
    readonly parent: string;
    readonly custom: boolean;
    /** URNs its inputs and `dependsOn` wait on, sorted. */
    readonly dependencies: string[];
    /** For each input property, the URNs its value came from, sorted. */
    readonly propertyDependencies: { [property: string]: string[] };
    /** Inputs with every secret replaced by "[secret]". */
    readonly inputs: { [key: string]: Json };
    readonly protect: boolean;
    /** Provider reference (`urn::id`) for custom resources with an explicit provider. */
    readonly provider: string;
    readonly ignoreChanges: string[];
    readonly deleteBeforeReplace: boolean;
    readonly retainOnDelete: boolean;
    /**
     * Present (true) on a read of an existing resource rather than a registration: a StackReference, which creates
     * nothing. Its inputs are what the program passed (`name`); what it read is not recorded.
     */
    readonly read?: true;
}

/** The type of Pulumi's StackReference, a read of another stack's outputs. */
export const STACK_REFERENCE_TYPE = "pulumi:pulumi:StackReference";

/**
 * What a StackReference reads, by the name the program gives it: a function (every name answered), or outputs by
 * name (plain values, none secret), where a name not listed fails the run.
 */
export type StackReferenceAnswers = Readonly<Record<string, { [key: string]: Json }>> | ((name: string) => ReferencedStack);

/** The builtin provider's state of a StackReference: `name`, `outputs` (secrets as secrets) and `secretOutputNames`. */
function stackReferenceResult(name: string, referenced: ReferencedStack): MockResult {
    const secret = new Set(referenced.secretOutputNames);
    const outputs = Object.fromEntries(
        Object.keys(referenced.outputs)
            .sort()
            .map((key) => [key, secret.has(key) ? wireSecret(referenced.outputs[key]) : referenced.outputs[key]]),
    );
    return { id: name, state: { name, outputs, secretOutputNames: [...secret].sort() } };
}

/** A program's outputs as a StackReference to its stack reads them (wire values: secrets still marked). */
export function referencedStackOfWire(outputs: { [key: string]: Json }): ReferencedStack {
    const keys = Object.keys(outputs).sort();
    return {
        outputs: Object.fromEntries(keys.map((key) => [key, revealWire(outputs[key])])),
        // The builtin provider lists the outputs whose value has a secret anywhere (HasSecrets), sorted:
        // readStackReference in pulumi/pulumi, pkg/resource/deploy/builtins.go.
        secretOutputNames: keys.filter((key) => containsSecret(outputs[key])),
    };
}

/** State with the properties the mock names as secret outputs marked secret, as the engine marks them. */
function withSecretOutputs(result: MockResult): { [key: string]: Json } {
    const secret = new Set(result.secretOutputs ?? []);
    return Object.fromEntries(
        Object.entries(result.state).map(([key, value]) => [key, secret.has(key) ? wireSecret(value) : value]),
    );
}

type Callback<T> = (err: Error | null, response?: T) => void;

function propertyDependencies(req: resproto.RegisterResourceRequest): { [property: string]: string[] } {
    const result: { [property: string]: string[] } = {};
    req.getPropertydependenciesMap().forEach((deps, property) => {
        result[property] = [...new Set(deps.getUrnsList())].sort();
    });
    return result;
}

const SUPPORTED_FEATURES = new Set([
    "secrets",
    "resourceReferences",
    "deletedWith",
    "replaceWith",
    "aliasSpecs",
    "parameterization",
]);

function toJson(struct: Struct | undefined): { [key: string]: Json } {
    return (struct?.toJavaScript() ?? {}) as { [key: string]: Json };
}

/**
 * A resource monitor that stands in for the Pulumi engine: it records every registration (inputs, parent,
 * dependencies, options), answers with mocked cloud outputs, and reports duplicate URNs as the engine would.
 * URNs follow the engine's format: `urn:pulumi:<stack>::<project>::<parent types>$<type>::<name>`.
 */
export class RecordingMonitor {
    readonly resources = new Map<string, RecordedResource>();
    readonly duplicateUrns: string[] = [];
    readonly outputs = new Map<string, { [key: string]: Json }>();
    /** Outputs as registered, secrets marked but not hidden: for referencedStack only, never printed. */
    private readonly wireOutputs = new Map<string, { [key: string]: Json }>();
    private readonly qualifiedTypes = new Map<string, string>();

    /**
     * @param stackReferences what the program's StackReferences read, by stack name: a function (the plan's
     * references, see PlanOptions.references), or the plain outputs of the stacks a program may read (a consumer
     * of this project's outputs contract, say), where a reference to any other stack fails the run.
     */
    constructor(
        private readonly project: string,
        private readonly stack: string,
        private readonly stackReferences: StackReferenceAnswers = {},
    ) {}

    private referenced(stackName: string): ReferencedStack {
        if (typeof this.stackReferences === "function") {
            return this.stackReferences(stackName);
        }
        const outputs = this.stackReferences[stackName];
        if (outputs === undefined) {
            throw new Error(`no outputs given for the referenced stack ${stackName}`);
        }
        return { ...NO_OUTPUTS, outputs };
    }

    private mocked(type: string, name: string, inputs: { [key: string]: Json }): MockResult {
        if (type !== STACK_REFERENCE_TYPE) {
            return mockResource(type, name, inputs);
        }
        const stackName = typeof inputs.name === "string" ? inputs.name : name;
        return stackReferenceResult(stackName, this.referenced(stackName));
    }

    /** What a StackReference to this stack would read once the program has run: its root stack's outputs. */
    referencedStack(rootUrn: string): ReferencedStack {
        return referencedStackOfWire(this.wireOutputs.get(rootUrn) ?? {});
    }

    /** Records a registration or a read under its URN, noting a URN seen before. */
    private record(resource: RecordedResource, qualifiedType: string): void {
        if (this.resources.has(resource.urn)) {
            this.duplicateUrns.push(resource.urn);
        }
        this.qualifiedTypes.set(resource.urn, qualifiedType);
        this.resources.set(resource.urn, resource);
    }

    private urnFor(parent: string, type: string, name: string): { urn: string; qualifiedType: string } {
        const parentType = parent ? this.qualifiedTypes.get(parent) : undefined;
        const qualifiedType =
            parentType && parentType !== pulumi.runtime.rootPulumiStackTypeName ? `${parentType}$${type}` : type;
        return { urn: `urn:pulumi:${this.stack}::${this.project}::${qualifiedType}::${name}`, qualifiedType };
    }

    async registerResource(req: resproto.RegisterResourceRequest, callback: Callback<resproto.RegisterResourceResponse>) {
        try {
            const type = req.getType();
            const name = req.getName();
            const parent = req.getParent();
            const { urn, qualifiedType } = this.urnFor(parent, type, name);
            const rawInputs = toJson(req.getObject());
            this.record(
                {
                    urn,
                    type,
                    name,
                    parent,
                    custom: req.getCustom(),
                    dependencies: [...new Set(req.getDependenciesList())].sort(),
                    propertyDependencies: propertyDependencies(req),
                    inputs: redactWire(rawInputs) as { [key: string]: Json },
                    protect: req.getProtect() === true,
                    provider: req.getProvider(),
                    ignoreChanges: req.getIgnorechangesList(),
                    deleteBeforeReplace: req.getDeletebeforereplace(),
                    retainOnDelete: req.getRetainondelete() === true,
                },
                qualifiedType,
            );

            const response = new resproto.RegisterResourceResponse();
            response.setUrn(urn);
            if (req.getCustom()) {
                const result = this.mocked(type, name, revealWire(rawInputs) as { [key: string]: Json });
                response.setId(result.id);
                response.setObject(Struct.fromJavaScript(await pulumi.runtime.serializeProperties(urn, withSecretOutputs(result))));
            } else {
                response.setObject(Struct.fromJavaScript({}));
            }
            callback(null, response);
        } catch (err) {
            callback(err as Error);
        }
    }

    registerResourceOutputs(req: resproto.RegisterResourceOutputsRequest, callback: Callback<object>) {
        const outputs = toJson(req.getOutputs());
        this.outputs.set(req.getUrn(), redactWire(outputs) as { [key: string]: Json });
        this.wireOutputs.set(req.getUrn(), outputs);
        callback(null, {});
    }

    /**
     * Reads of existing resources: only stack references, answered from the constructor's stackReferences and
     * recorded as reads (the engine's read step: `pulumi preview` shows them, `pulumi up` creates nothing).
     */
    async readResource(req: resproto.ReadResourceRequest, callback: Callback<resproto.ReadResourceResponse>) {
        try {
            const type = req.getType();
            if (type !== STACK_REFERENCE_TYPE) {
                throw new Error(`the plan does not read existing resources (${type} ${req.getName()})`);
            }
            const parent = req.getParent();
            const { urn, qualifiedType } = this.urnFor(parent, type, req.getName());
            const rawInputs = toJson(req.getProperties());
            this.record(
                {
                    urn,
                    type,
                    name: req.getName(),
                    parent,
                    custom: true,
                    dependencies: [...new Set(req.getDependenciesList())].sort(),
                    propertyDependencies: {},
                    inputs: redactWire(rawInputs) as { [key: string]: Json },
                    protect: false,
                    provider: req.getProvider(),
                    ignoreChanges: [],
                    deleteBeforeReplace: false,
                    retainOnDelete: false,
                    read: true,
                },
                qualifiedType,
            );
            const result = this.mocked(type, req.getName(), revealWire(rawInputs) as { [key: string]: Json });
            const response = new resproto.ReadResourceResponse();
            response.setUrn(urn);
            response.setProperties(Struct.fromJavaScript(await pulumi.runtime.serializeProperties(urn, withSecretOutputs(result))));
            callback(null, response);
        } catch (err) {
            callback(err as Error);
        }
    }

    async invoke(req: resproto.ResourceInvokeRequest, callback: Callback<provproto.InvokeResponse>) {
        try {
            const args = revealWire(toJson(req.getArgs())) as { [key: string]: Json };
            const result = mockInvoke(req.getTok(), args);
            const response = new provproto.InvokeResponse();
            response.setReturn(Struct.fromJavaScript(await pulumi.runtime.serializeProperties(req.getTok(), result)));
            callback(null, response);
        } catch (err) {
            callback(err as Error);
        }
    }

    supportsFeature(req: resproto.SupportsFeatureRequest, callback: Callback<resproto.SupportsFeatureResponse>) {
        const response = new resproto.SupportsFeatureResponse();
        response.setHassupport(SUPPORTED_FEATURES.has(req.getId()));
        callback(null, response);
    }

    registerPackage(_req: resproto.RegisterPackageRequest, callback: Callback<resproto.RegisterPackageResponse>) {
        const response = new resproto.RegisterPackageResponse();
        response.setRef("plan-package");
        callback(null, response);
    }

    close(): void {
        // Nothing to release: no connection was opened.
    }
}
