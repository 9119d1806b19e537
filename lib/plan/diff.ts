import type { PlanDocument } from "./render";
import type { Json } from "./wire";

/**
 * The difference between two offline plans of one stack (`npm run plan:diff`): resources added, removed, changed
 * and — where a changed input is one the provider can only apply by recreating the resource — replaced. Pure.
 *
 * Replacement is judged from a table of inputs known to force it (names, locations, identities of the thing;
 * everything of a Kubernetes Job or a random value). A change the table does not list is shown as an update;
 * `pulumi preview` with the providers has the last word. Secret values are "[secret]" in both plans, so a change
 * of a secret alone does not show.
 */

type PlanResource = PlanDocument["resources"][number];

export interface PropertyChange {
    /** Dotted path into the inputs, e.g. `settings.tier` or `spec.ports[0].port`. */
    readonly path: string;
    /** Absent when the property did not exist on that side. */
    readonly before?: Json;
    readonly after?: Json;
}

export interface ResourceChange {
    readonly urn: string;
    readonly type: string;
    readonly name: string;
    readonly kind: "add" | "remove" | "update" | "replace";
    /** For update and replace: what changed. */
    readonly changes: readonly PropertyChange[];
    /** For replace: the changed paths that force it. */
    readonly replaceReasons: readonly string[];
}

export interface OutputChange {
    readonly name: string;
    readonly kind: "add" | "remove" | "update";
    readonly before?: Json;
    readonly after?: Json;
}

export interface PlanDiff {
    readonly stack: string;
    readonly resources: readonly ResourceChange[];
    readonly outputs: readonly OutputChange[];
    readonly summary: { readonly add: number; readonly remove: number; readonly update: number; readonly replace: number; readonly same: number };
}

/**
 * Input paths (prefixes) whose change forces replacement, by resource type. `*` stands for every input.
 * Kubernetes objects are also replaced when their name or namespace changes (see replaceReasonsFor).
 */
export const REPLACE_TRIGGERS: Readonly<Record<string, readonly string[]>> = {
    "random:index/randomPassword:RandomPassword": ["*"],
    "random:index/randomString:RandomString": ["*"],
    "random:index/randomId:RandomId": ["*"],
    "kubernetes:batch/v1:Job": ["spec"],
    "kubernetes:apps/v1:Deployment": ["spec.selector"],
    "kubernetes:apps/v1:StatefulSet": ["spec.selector", "spec.serviceName", "spec.volumeClaimTemplates"],
    "kubernetes:core/v1:PersistentVolumeClaim": ["spec.accessModes", "spec.storageClassName", "spec.volumeName", "spec.selector"],
    "kubernetes:core/v1:Service": ["spec.clusterIP"],
    "kubernetes:helm.sh/v3:Release": ["name", "namespace"],
    "gcp:projects/service:Service": ["project", "service"],
    "gcp:compute/network:Network": ["name", "project", "autoCreateSubnetworks", "routingMode"],
    "gcp:compute/subnetwork:Subnetwork": ["name", "project", "region", "network"],
    "gcp:compute/router:Router": ["name", "project", "region", "network"],
    "gcp:compute/routerNat:RouterNat": ["name", "project", "region", "router"],
    "gcp:compute/address:Address": ["name", "project", "region", "address", "addressType", "subnetwork", "purpose"],
    "gcp:compute/globalAddress:GlobalAddress": ["name", "project", "address", "prefixLength", "purpose", "addressType", "network"],
    "gcp:servicenetworking/connection:Connection": ["network", "service"],
    "gcp:container/cluster:Cluster": ["name", "project", "location", "network", "subnetwork", "ipAllocationPolicy"],
    "gcp:container/nodePool:NodePool": ["name", "project", "location", "cluster"],
    "gcp:sql/databaseInstance:DatabaseInstance": ["name", "project", "region"],
    "gcp:sql/database:Database": ["name", "project", "instance"],
    "gcp:sql/user:User": ["name", "project", "instance"],
    "gcp:storage/bucket:Bucket": ["name", "project", "location"],
    "gcp:storage/bucketIAMMember:BucketIAMMember": ["bucket", "role", "member", "condition"],
    "gcp:serviceaccount/account:Account": ["accountId", "project"],
    "gcp:serviceaccount/iAMMember:IAMMember": ["serviceAccountId", "role", "member", "condition"],
    "gcp:projects/iAMMember:IAMMember": ["project", "role", "member", "condition"],
    "aws:ec2/vpc:Vpc": ["cidrBlock", "instanceTenancy"],
    "aws:ec2/subnet:Subnet": ["vpcId", "cidrBlock", "availabilityZone"],
    "aws:ec2/securityGroup:SecurityGroup": ["name", "vpcId", "description"],
    "aws:ec2/natGateway:NatGateway": ["subnetId", "allocationId", "connectivityType"],
    "aws:eks/cluster:Cluster": ["name", "roleArn", "encryptionConfig"],
    "aws:eks/nodeGroup:NodeGroup": ["nodeGroupName", "clusterName", "subnetIds", "instanceTypes", "capacityType", "nodeRoleArn"],
    "aws:iam/role:Role": ["name", "path"],
    "aws:iam/rolePolicy:RolePolicy": ["name", "role"],
    "aws:rds/instance:Instance": ["engine", "availabilityZone", "storageEncrypted", "kmsKeyId", "username", "dbName"],
    "aws:rds/subnetGroup:SubnetGroup": ["name"],
    "aws:rds/parameterGroup:ParameterGroup": ["name", "family"],
    "aws:s3/bucket:Bucket": ["bucket", "bucketPrefix"],
};

function isObject(value: Json | undefined): value is { [key: string]: Json } {
    return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Every leaf that differs between two JSON values, with its path. Lists compare element by element. */
export function jsonChanges(before: Json | undefined, after: Json | undefined, path = ""): PropertyChange[] {
    if (JSON.stringify(before) === JSON.stringify(after)) {
        return [];
    }
    if (isObject(before) && isObject(after)) {
        const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
        return keys.flatMap((key) => jsonChanges(before[key], after[key], path ? `${path}.${key}` : key));
    }
    if (Array.isArray(before) && Array.isArray(after) && before.length === after.length) {
        return before.flatMap((item, i) => jsonChanges(item, after[i], `${path}[${i}]`));
    }
    return [{ path, ...(before === undefined ? {} : { before }), ...(after === undefined ? {} : { after }) }];
}

function covers(trigger: string, path: string): boolean {
    return trigger === "*" || path === trigger || path.startsWith(`${trigger}.`) || path.startsWith(`${trigger}[`);
}

/** The changed paths of a resource that force its replacement. */
export function replaceReasonsFor(type: string, changes: readonly PropertyChange[]): string[] {
    const triggers = [...(REPLACE_TRIGGERS[type] ?? []), ...(type.startsWith("kubernetes:") ? ["metadata.name", "metadata.namespace"] : [])];
    return changes.map((c) => c.path).filter((path) => triggers.some((t) => covers(t, path)));
}

function resourceChange(before: PlanResource | undefined, after: PlanResource | undefined): ResourceChange | undefined {
    const r = (after ?? before) as PlanResource;
    if (!before) {
        return { urn: r.urn, type: r.type, name: r.name, kind: "add", changes: [], replaceReasons: [] };
    }
    if (!after) {
        return { urn: r.urn, type: r.type, name: r.name, kind: "remove", changes: [], replaceReasons: [] };
    }
    // Inputs the program tells Pulumi to ignore are not changes `pulumi up` would make.
    const ignored = after.ignoreChanges ?? [];
    const inputChanges = jsonChanges(before.inputs, after.inputs).filter((c) => !ignored.some((path) => covers(path, c.path)));
    const changes = [
        ...inputChanges,
        ...(before.protect !== after.protect ? [{ path: "(protect)", before: before.protect, after: after.protect }] : []),
    ];
    if (changes.length === 0) {
        return undefined;
    }
    const replaceReasons = replaceReasonsFor(r.type, inputChanges);
    return { urn: r.urn, type: r.type, name: r.name, kind: replaceReasons.length > 0 ? "replace" : "update", changes, replaceReasons };
}

export function diffPlans(base: PlanDocument, head: PlanDocument): PlanDiff {
    const baseByUrn = new Map(base.resources.map((r) => [r.urn, r]));
    const headByUrn = new Map(head.resources.map((r) => [r.urn, r]));
    const urns = [...new Set([...baseByUrn.keys(), ...headByUrn.keys()])].sort();
    const resources = urns
        .map((urn) => resourceChange(baseByUrn.get(urn), headByUrn.get(urn)))
        .filter((c): c is ResourceChange => c !== undefined);
    const outputNames = [...new Set([...Object.keys(base.outputs), ...Object.keys(head.outputs)])].sort();
    const outputs = outputNames.flatMap((name): OutputChange[] => {
        const before = base.outputs[name];
        const after = head.outputs[name];
        if (before === undefined) {
            return [{ name, kind: "add", after }];
        }
        if (after === undefined) {
            return [{ name, kind: "remove", before }];
        }
        return jsonChanges(before, after).length === 0 ? [] : [{ name, kind: "update", before, after }];
    });
    const count = (kind: ResourceChange["kind"]) => resources.filter((r) => r.kind === kind).length;
    return {
        stack: head.stack,
        resources,
        outputs,
        summary: {
            add: count("add"),
            remove: count("remove"),
            update: count("update"),
            replace: count("replace"),
            same: urns.length - resources.length,
        },
    };
}

const MARKS: Record<ResourceChange["kind"], string> = { add: "+", remove: "-", update: "~", replace: "+-" };
const MAX_VALUE = 160;

function show(value: Json | undefined): string {
    if (value === undefined) {
        return "(none)";
    }
    const text = JSON.stringify(value);
    return text.length > MAX_VALUE ? `${text.slice(0, MAX_VALUE - 1)}…` : text;
}

/** The readable form: one line per resource, its changed inputs below it, then outputs and a summary. */
export function renderDiff(diff: PlanDiff, label: { base: string; head: string }): string {
    const lines = [`Plan diff for stack ${diff.stack}: ${label.base} → ${label.head}`, ""];
    if (diff.resources.length === 0 && diff.outputs.length === 0) {
        lines.push("No changes.");
    }
    for (const r of diff.resources) {
        const reason = r.kind === "replace" ? `  (replace: ${r.replaceReasons.join(", ")})` : "";
        lines.push(`${MARKS[r.kind].padEnd(2)} ${r.type}  ${r.name}${reason}`);
        for (const c of r.changes) {
            lines.push(`       ${c.path}: ${show(c.before)} → ${show(c.after)}`);
        }
    }
    if (diff.outputs.length > 0) {
        lines.push(...(diff.resources.length > 0 ? [""] : []), "Outputs:");
        for (const o of diff.outputs) {
            const mark = o.kind === "add" ? "+" : o.kind === "remove" ? "-" : "~";
            lines.push(`${mark.padEnd(2)} ${o.name}: ${show(o.before)} → ${show(o.after)}`);
        }
    }
    const s = diff.summary;
    lines.push("", `${s.add} to add, ${s.remove} to remove, ${s.update} to update, ${s.replace} to replace, ${s.same} unchanged.`, "");
    return lines.join("\n");
}
