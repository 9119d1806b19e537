import * as pulumi from "@pulumi/pulumi";
import * as provproto from "@pulumi/pulumi/proto/provider_pb";
import * as resproto from "@pulumi/pulumi/proto/resource_pb";
import { Struct } from "google-protobuf/google/protobuf/struct_pb";
import { mockInvoke, type MockResult, mockResource } from "./mocks";
import { Json, redactWire, revealWire } from "./wire";

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
    private readonly qualifiedTypes = new Map<string, string>();

    /**
     * @param stackReferences outputs of the stacks a program reads through StackReference, by stack name (a
     * consumer of this project's outputs contract, say); a reference to any other stack fails the run.
     */
    constructor(
        private readonly project: string,
        private readonly stack: string,
        private readonly stackReferences: Readonly<Record<string, { [key: string]: Json }>> = {},
    ) {}

    private mocked(type: string, name: string, inputs: { [key: string]: Json }): MockResult {
        if (type !== "pulumi:pulumi:StackReference") {
            return mockResource(type, name, inputs);
        }
        const stackName = typeof inputs.name === "string" ? inputs.name : name;
        const outputs = this.stackReferences[stackName];
        if (outputs === undefined) {
            throw new Error(`no outputs given for the referenced stack ${stackName}`);
        }
        return { id: stackName, state: { name: stackName, outputs, secretOutputNames: [] } };
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
            if (this.resources.has(urn)) {
                this.duplicateUrns.push(urn);
            }
            this.qualifiedTypes.set(urn, qualifiedType);
            this.resources.set(urn, {
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
            });

            const response = new resproto.RegisterResourceResponse();
            response.setUrn(urn);
            if (req.getCustom()) {
                const result = this.mocked(type, name, revealWire(rawInputs) as { [key: string]: Json });
                response.setId(result.id);
                response.setObject(Struct.fromJavaScript(await pulumi.runtime.serializeProperties(urn, result.state)));
            } else {
                response.setObject(Struct.fromJavaScript({}));
            }
            callback(null, response);
        } catch (err) {
            callback(err as Error);
        }
    }

    registerResourceOutputs(req: resproto.RegisterResourceOutputsRequest, callback: Callback<object>) {
        this.outputs.set(req.getUrn(), redactWire(toJson(req.getOutputs())) as { [key: string]: Json });
        callback(null, {});
    }

    /** Reads of existing resources: only stack references (to the stacks given to the constructor). */
    async readResource(req: resproto.ReadResourceRequest, callback: Callback<resproto.ReadResourceResponse>) {
        try {
            const type = req.getType();
            if (type !== "pulumi:pulumi:StackReference") {
                throw new Error(`the plan does not read existing resources (${type} ${req.getName()})`);
            }
            const { urn } = this.urnFor(req.getParent(), type, req.getName());
            const result = this.mocked(type, req.getName(), revealWire(toJson(req.getProperties())) as { [key: string]: Json });
            const response = new resproto.ReadResourceResponse();
            response.setUrn(urn);
            response.setProperties(Struct.fromJavaScript(await pulumi.runtime.serializeProperties(urn, result.state)));
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
