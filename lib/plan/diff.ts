import type { PlanDocument } from "./render";
import type { Json } from "./wire";

/**
 * The difference between two offline plans of one stack (`npm run plan:diff`): resources added, removed, changed
 * and — where a changed input is one the provider can only apply by recreating the resource — replaced. Pure.
 *
 * Replacement is judged from a table of inputs known to force it (names, locations, identities of the thing;
 * everything of a Kubernetes Job or a random value), and carried from a replaced resource to the providers
 * configured from it and to everything those providers manage (see cascadeReplacements). A change the table does
 * not list is shown as an update; `pulumi preview` with the providers has the last word. Secret values are
 * "[secret]" in both plans, so a change of a secret alone does not show.
 */

type PlanResource = PlanDocument["resources"][number];

export interface PropertyChange {
    /** Dotted path into the inputs, e.g. `settings.tier` or `spec.ports[0].port`. */
    readonly path: string;
    /** Absent when the property did not exist on that side. Always whole: only the text form cuts values. */
    readonly before?: Json;
    readonly after?: Json;
    /** Set where the text form shows a window or a line diff instead of whole values (see firstDifferenceOf). */
    readonly firstDifference?: number;
}

export interface ResourceChange {
    readonly urn: string;
    readonly type: string;
    readonly name: string;
    readonly kind: "add" | "remove" | "update" | "replace";
    /** For update and replace: what changed. */
    readonly changes: readonly PropertyChange[];
    /**
     * For replace: the changed paths that force it, then what it is replaced with: `provider (replaced <type>
     * <name>)` for a resource of a replaced provider, `<input> (from replaced|new <type> <name>)` for a provider.
     */
    readonly replaceReasons: readonly string[];
    /** Present (true) for a read (a StackReference), which creates nothing. */
    readonly read?: true;
}

export interface OutputChange {
    readonly name: string;
    readonly kind: "add" | "remove" | "update";
    readonly before?: Json;
    readonly after?: Json;
    /** As in PropertyChange. */
    readonly firstDifference?: number;
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
    // Another stack read: the engine reads it again (a read-replacement) when its name changes, as the builtin
    // provider's Diff replaces on `name` (pulumi/pulumi, pkg/resource/deploy/builtins.go).
    "pulumi:pulumi:StackReference": ["name"],
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

const PROVIDER_TYPE_PREFIX = "pulumi:providers:";
const KUBERNETES_PROVIDER = "pulumi:providers:kubernetes";
/** The Kubernetes provider's inputs that choose its cluster (DiffConfig's getActiveClusterFromConfig reads these). */
const KUBERNETES_CLUSTER_INPUTS = ["kubeconfig", "context", "cluster"];

function isProviderType(type: string | undefined): boolean {
    return type?.startsWith(PROVIDER_TYPE_PREFIX) === true;
}

function sameJson(a: Json | undefined, b: Json | undefined): boolean {
    return JSON.stringify(a) === JSON.stringify(b);
}

/** An unchanged `clusterIdentifier` makes the Kubernetes provider's DiffConfig drop every replacement. */
function pinnedByClusterIdentifier(before: PlanResource, after: PlanResource): boolean {
    const id = after.inputs.clusterIdentifier;
    return after.type === KUBERNETES_PROVIDER && id !== undefined && sameJson(before.inputs.clusterIdentifier, id);
}

/**
 * The changed inputs that replace a Kubernetes provider, after DiffConfig: a changed clusterIdentifier (not one
 * added or removed), renderYamlToDirectory, or an input choosing the cluster. DiffConfig replaces for the last only
 * when the active cluster changes, which the plan cannot read (the kubeconfig is usually a secret): counted as a
 * replacement.
 */
function kubernetesProviderReplaceReasons(before: PlanResource, after: PlanResource, changes: readonly PropertyChange[]): string[] {
    if (pinnedByClusterIdentifier(before, after)) {
        return [];
    }
    const top = (path: string) => path.split(/[.[]/)[0];
    return changes
        .filter((c) =>
            top(c.path) === "clusterIdentifier"
                ? c.before !== undefined && c.after !== undefined
                : ["renderYamlToDirectory", ...KUBERNETES_CLUSTER_INPUTS].includes(top(c.path)),
        )
        .map((c) => c.path);
}

/** Where a long or multi-line value first differs, for display (see firstDifferenceOf). */
function withFirstDifference<T extends { readonly before?: Json; readonly after?: Json }>(change: T): T {
    const at = firstDifferenceOf(change.before, change.after);
    return at === undefined ? change : { ...change, firstDifference: at };
}

function resourceChange(before: PlanResource | undefined, after: PlanResource | undefined): ResourceChange | undefined {
    const change = inputChange(before, after);
    return change && (after ?? before)?.read ? { ...change, read: true } : change;
}

function inputChange(before: PlanResource | undefined, after: PlanResource | undefined): ResourceChange | undefined {
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
        ...inputChanges.map(withFirstDifference),
        ...(before.protect !== after.protect ? [{ path: "(protect)", before: before.protect, after: after.protect }] : []),
    ];
    if (changes.length === 0) {
        return undefined;
    }
    const replaceReasons =
        r.type === KUBERNETES_PROVIDER ? kubernetesProviderReplaceReasons(before, after, inputChanges) : replaceReasonsFor(r.type, inputChanges);
    return { urn: r.urn, type: r.type, name: r.name, kind: replaceReasons.length > 0 ? "replace" : "update", changes, replaceReasons };
}

/**
 * The replacements the engine derives from others, added to the changes of the inputs (`direct`):
 *
 * - A provider (`pulumi:providers:*`) that depends on a replaced or new resource is replaced. Its config then comes
 *   from a new resource (a replaced cluster has a new endpoint and CA, so a new kubeconfig), which the plan cannot
 *   show: the kubeconfig is a secret, and the mocked endpoint need not change. pulumi-kubernetes' DiffConfig
 *   (https://github.com/pulumi/pulumi-kubernetes/blob/master/provider/pkg/provider/provider.go) reports a
 *   replacement when `kubeconfig`, `context` or `cluster` is unknown — as in `pulumi preview` while the resource it
 *   comes from is replaced: "We can't tell for sure if a computed value has changed, so we make the conservative
 *   choice and force a replacement" — and, with known values (`pulumi up`), when the kubeconfig's active cluster
 *   changes; in both cases not when `clusterIdentifier` is set and unchanged (it then drops every replacement). So a
 *   Kubernetes provider without those inputs (ambient kubeconfig) is not replaced. Other providers are counted as
 *   replaced, an upper bound: the Terraform bridge's DiffConfig replaces only for config marked
 *   ForcesProviderReplace, and the engine never replaces a provider whose plugin lacks DiffConfig.
 * - Every resource managed by a replaced provider (its `provider` reference, given or inherited from a parent) is
 *   replaced: the replacement provider has a new ID (unknown in preview), so the resource's provider reference
 *   changes, and the engine's providerChanged (https://github.com/pulumi/pulumi/blob/master/pkg/resource/deploy/step_generator.go)
 *   asks the new provider's DiffConfig and, as it reports a replacement, diffs the resource as replaced, ReplaceKeys
 *   ["provider"]. The Helm releases of the provider go with it like any of its resources.
 *
 * Repeated until nothing changes, so a provider configured from a resource of another replaced provider follows.
 * Other dependents keep their own input diff: `pulumi up` diffs them with the new resource's real outputs, which
 * the mocks derive from the inputs (a cluster moved to another zone keeps its name, not its id), while `pulumi
 * preview` may show more replaced (unknown outputs feeding inputs that force replacement).
 */
function cascadeReplacements(
    baseByUrn: ReadonlyMap<string, PlanResource>,
    headByUrn: ReadonlyMap<string, PlanResource>,
    direct: ReadonlyMap<string, ResourceChange>,
): Map<string, ResourceChange> {
    const cascaded = new Map<string, string[]>();
    const kindOf = (urn: string) => (cascaded.has(urn) ? "replace" : direct.get(urn)?.kind);
    const label = (urn: string) => `${headByUrn.get(urn)?.type} ${headByUrn.get(urn)?.name}`;
    const configInputs = (provider: PlanResource, before: PlanResource): string[] => {
        if (provider.type !== KUBERNETES_PROVIDER) {
            return ["config"];
        }
        return pinnedByClusterIdentifier(before, provider) ? [] : KUBERNETES_CLUSTER_INPUTS.filter((key) => key in provider.inputs);
    };
    const reasonsFor = (r: PlanResource, before: PlanResource): string[] => {
        const reasons: string[] = [];
        if (r.provider !== undefined && isProviderType(headByUrn.get(r.provider)?.type) && kindOf(r.provider) === "replace") {
            reasons.push(`provider (replaced ${label(r.provider)})`);
        }
        const inputs = isProviderType(r.type) ? configInputs(r, before) : [];
        if (inputs.length > 0) {
            for (const dep of [...new Set(r.dependencies)].sort()) {
                const kind = kindOf(dep);
                if (headByUrn.has(dep) && (kind === "replace" || kind === "add")) {
                    reasons.push(`${inputs.join("/")} (from ${kind === "add" ? "new" : "replaced"} ${label(dep)})`);
                }
            }
        }
        return reasons;
    };
    // Reasons only grow as more resources are replaced, so this ends, with the same result in any order.
    let grew = true;
    while (grew) {
        grew = false;
        for (const r of headByUrn.values()) {
            const before = baseByUrn.get(r.urn);
            const reasons = before ? reasonsFor(r, before) : [];
            if (reasons.length > (cascaded.get(r.urn)?.length ?? 0)) {
                cascaded.set(r.urn, reasons);
                grew = true;
            }
        }
    }
    const result = new Map(direct);
    for (const [urn, reasons] of cascaded) {
        const r = headByUrn.get(urn) as PlanResource;
        const own = direct.get(urn);
        result.set(urn, {
            urn,
            type: r.type,
            name: r.name,
            kind: "replace",
            changes: own?.changes ?? [],
            replaceReasons: [...(own?.replaceReasons ?? []), ...reasons],
            ...(r.read ? { read: true as const } : {}),
        });
    }
    return result;
}

export function diffPlans(base: PlanDocument, head: PlanDocument): PlanDiff {
    const baseByUrn = new Map(base.resources.map((r) => [r.urn, r]));
    const headByUrn = new Map(head.resources.map((r) => [r.urn, r]));
    const urns = [...new Set([...baseByUrn.keys(), ...headByUrn.keys()])].sort();
    const direct = new Map(
        urns.flatMap((urn): [string, ResourceChange][] => {
            const change = resourceChange(baseByUrn.get(urn), headByUrn.get(urn));
            return change ? [[urn, change]] : [];
        }),
    );
    const all = cascadeReplacements(baseByUrn, headByUrn, direct);
    const resources = urns.flatMap((urn) => all.get(urn) ?? []);
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
        return jsonChanges(before, after).length === 0 ? [] : [withFirstDifference({ name, kind: "update", before, after })];
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
/** Values longer than this (as JSON) are shown around their first difference. */
const MAX_VALUE = 160;
/** Characters shown before and from the first difference of a long value. */
const WINDOW_BEFORE = 40;
const WINDOW_AFTER = 100;
/** Unchanged lines shown around the changed ones of a multi-line string, and the most lines shown for one change. */
const CONTEXT_LINES = 2;
const MAX_DETAIL_LINES = 40;
/** Beyond this many line pairs, a multi-line change is shown as all its middle lines removed and added. */
const MAX_LCS_CELLS = 4_000_000;
/** Detail lines (a window, a line diff) sit under their change line, two columns deeper than the change's path. */
export const DETAIL_INDENT = " ".repeat(9);

function isMultiLine(before: Json | undefined, after: Json | undefined): before is string {
    return typeof before === "string" && typeof after === "string" && (before.includes("\n") || after.includes("\n"));
}

function commonPrefixLength(a: string, b: string): number {
    let i = 0;
    while (i < a.length && i < b.length && a[i] === b[i]) {
        i++;
    }
    return i;
}

/** The texts compared: strings as they are, other values as JSON. */
function texts(before: Json, after: Json): [string, string] {
    return typeof before === "string" && typeof after === "string" ? [before, after] : [JSON.stringify(before), JSON.stringify(after)];
}

/**
 * The offset of the first character that differs (0-based; into the strings when both values are strings, else into
 * their JSON), for a change the text form does not show whole: a multi-line string, or a value longer than
 * MAX_VALUE as JSON. Undefined for a value only on one side, or short enough to show whole.
 */
export function firstDifferenceOf(before: Json | undefined, after: Json | undefined): number | undefined {
    if (before === undefined || after === undefined) {
        return undefined;
    }
    if (!isMultiLine(before, after) && JSON.stringify(before).length <= MAX_VALUE && JSON.stringify(after).length <= MAX_VALUE) {
        return undefined;
    }
    return commonPrefixLength(...texts(before, after));
}

function show(value: Json | undefined): string {
    if (value === undefined) {
        return "(none)";
    }
    const text = JSON.stringify(value);
    return text.length > MAX_VALUE ? `${text.slice(0, MAX_VALUE - 1)}…` : text;
}

/** Control characters escaped as in JSON, so a line of a value stays one line of the diff. */
function escapeControls(text: string): string {
    return [...text].map((ch) => (ch < " " ? JSON.stringify(ch).slice(1, -1) : ch)).join("");
}

/** `text` from `at - WINDOW_BEFORE` to `at + WINDOW_AFTER`, … marking what is cut; escaped by `escape`. */
function window(text: string, at: number, escape: (s: string) => string): string {
    const start = Math.max(0, at - WINDOW_BEFORE);
    const end = Math.min(text.length, at + WINDOW_AFTER);
    return `${start > 0 ? "…" : ""}${escape(text.slice(start, end))}${end < text.length ? "…" : ""}`;
}

/** A long single-line value: both sides cut to a window around the first difference, aligned on it. */
function windowLines(before: Json, after: Json, at: number): { summary: string; details: string[] } {
    const [a, b] = texts(before, after);
    const strings = typeof before === "string" && typeof after === "string";
    const shown = (text: string) =>
        strings ? `"${window(text, at, (s) => JSON.stringify(s).slice(1, -1))}"` : window(text, at, (s) => s);
    return {
        summary: `(${a.length} → ${b.length} characters, first difference at offset ${at})`,
        details: [`- ${shown(a)}`, `+ ${shown(b)}`],
    };
}

interface Edit {
    readonly op: " " | "-" | "+";
    readonly text: string;
}

/** Lines with their newline, so that a missing final newline is a difference too. */
function splitLines(text: string): string[] {
    return text.match(/[^\n]*\n|[^\n]+/g) ?? [];
}

/** A shortest edit script between two lists of lines (longest common subsequence after the common ends). */
function lineEdits(a: readonly string[], b: readonly string[]): Edit[] {
    let start = 0;
    while (start < a.length && start < b.length && a[start] === b[start]) {
        start++;
    }
    let endA = a.length;
    let endB = b.length;
    while (endA > start && endB > start && a[endA - 1] === b[endB - 1]) {
        endA--;
        endB--;
    }
    const same = (text: string): Edit => ({ op: " ", text });
    const midA = a.slice(start, endA);
    const midB = b.slice(start, endB);
    const n = midA.length;
    const m = midB.length;
    const middle: Edit[] = [];
    if (n * m > MAX_LCS_CELLS) {
        middle.push(...midA.map((text): Edit => ({ op: "-", text })), ...midB.map((text): Edit => ({ op: "+", text })));
    } else {
        // lcs[i * (m + 1) + j]: the longest common subsequence of midA[i..] and midB[j..].
        const lcs = new Uint32Array((n + 1) * (m + 1));
        const at = (i: number, j: number) => lcs[i * (m + 1) + j];
        for (let i = n - 1; i >= 0; i--) {
            for (let j = m - 1; j >= 0; j--) {
                lcs[i * (m + 1) + j] = midA[i] === midB[j] ? at(i + 1, j + 1) + 1 : Math.max(at(i + 1, j), at(i, j + 1));
            }
        }
        let i = 0;
        let j = 0;
        while (i < n || j < m) {
            if (i < n && j < m && midA[i] === midB[j]) {
                middle.push(same(midA[i++]));
                j++;
            } else if (j >= m || (i < n && at(i + 1, j) >= at(i, j + 1))) {
                middle.push({ op: "-", text: midA[i++] });
            } else {
                middle.push({ op: "+", text: midB[j++] });
            }
        }
    }
    return [...a.slice(0, start).map(same), ...middle, ...a.slice(endA).map(same)];
}

/** The last line of a string that does not end in a newline, when that is part of the change (as git marks it). */
export const NO_NEWLINE = "\\ No newline at end";

/** One line of a line diff: its mark and its text without the newline, cut to a window when long. */
function diffLine(op: Edit["op"], text: string, at?: number): string[] {
    const line = text.endsWith("\n") ? text.slice(0, -1) : text;
    const shown =
        line.length <= MAX_VALUE
            ? escapeControls(line)
            : at === undefined
              ? `${escapeControls(line.slice(0, MAX_VALUE - 1))}…`
              : window(line, at, escapeControls);
    return [shown === "" ? op : `${op} ${shown}`, ...(op !== " " && line === text ? [NO_NEWLINE] : [])];
}

/** The hunks of a line diff in unified form, CONTEXT_LINES of context; a long removed line paired with its added one is cut around their first difference. */
function hunkLines(edits: readonly Edit[]): string[] {
    const lineA: number[] = [];
    const lineB: number[] = [];
    let a = 1;
    let b = 1;
    for (const e of edits) {
        lineA.push(a);
        lineB.push(b);
        a += e.op === "+" ? 0 : 1;
        b += e.op === "-" ? 0 : 1;
    }
    const groups: [number, number][] = [];
    edits.forEach((e, i) => {
        if (e.op === " ") {
            return;
        }
        const start = Math.max(0, i - CONTEXT_LINES);
        const end = Math.min(edits.length, i + CONTEXT_LINES + 1);
        const last = groups[groups.length - 1];
        if (last && start <= last[1]) {
            last[1] = end;
        } else {
            groups.push([start, end]);
        }
    });
    const lines: string[] = [];
    for (const [start, end] of groups) {
        const part = edits.slice(start, end);
        const countA = part.filter((e) => e.op !== "+").length;
        const countB = part.filter((e) => e.op !== "-").length;
        const from = (line: number, count: number) => `${count === 0 ? line - 1 : line},${count}`;
        lines.push(`@@ -${from(lineA[start], countA)} +${from(lineB[start], countB)} @@`);
        for (let i = 0; i < part.length; ) {
            if (part[i].op !== "-") {
                lines.push(...diffLine(part[i].op, part[i].text));
                i++;
                continue;
            }
            const removed: string[] = [];
            while (i < part.length && part[i].op === "-") {
                removed.push(part[i++].text);
            }
            const added: string[] = [];
            while (i < part.length && part[i].op === "+") {
                added.push(part[i++].text);
            }
            const at = (k: number) => (k < added.length && k < removed.length ? commonPrefixLength(removed[k], added[k]) : undefined);
            lines.push(...removed.flatMap((text, k) => diffLine("-", text, at(k))), ...added.flatMap((text, k) => diffLine("+", text, at(k))));
        }
    }
    return lines;
}

/** A multi-line string: a line diff, up to MAX_DETAIL_LINES lines. */
function lineDiffLines(before: string, after: string, at: number): { summary: string; details: string[] } {
    const a = splitLines(before);
    const b = splitLines(after);
    const line = before.slice(0, at).split("\n").length;
    const all = hunkLines(lineEdits(a, b));
    const cut = all.length - (MAX_DETAIL_LINES - 1);
    const details = cut > 1 ? [...all.slice(0, MAX_DETAIL_LINES - 1), `… ${cut} more lines`] : all;
    return { summary: `(${a.length} → ${b.length} lines, first difference at offset ${at}, line ${line})`, details };
}

/** What follows `<path>: ` for a change, and the detail lines that go under it (without their indentation). */
function changeText(before: Json | undefined, after: Json | undefined, at: number | undefined): { summary: string; details: string[] } {
    if (at === undefined || before === undefined || after === undefined) {
        return { summary: `${show(before)} → ${show(after)}`, details: [] };
    }
    return isMultiLine(before, after) ? lineDiffLines(before, after as string, at) : windowLines(before, after, at);
}

/**
 * The readable form: one line per resource, its changed inputs below it, then outputs and a summary. A value
 * shown whole reads `path: before → after`; a long or multi-line one reads `path: (…first difference at offset N…)`
 * with detail lines under it, DETAIL_INDENT deep: `- ` and `+ ` windows of both sides around the first difference,
 * or a line diff (`@@ -l,n +l,n @@` hunks of ` `, `-`, `+` lines).
 */
export function renderDiff(diff: PlanDiff, label: { base: string; head: string }): string {
    const lines = [`Plan diff for stack ${diff.stack}: ${label.base} → ${label.head}`, ""];
    const push = (head: string, text: { summary: string; details: string[] }) =>
        lines.push(`${head}${text.summary}`, ...text.details.map((d) => `${DETAIL_INDENT}${d}`));
    if (diff.resources.length === 0 && diff.outputs.length === 0) {
        lines.push("No changes.");
    }
    for (const r of diff.resources) {
        const reason = r.kind === "replace" ? `  (replace: ${r.replaceReasons.join(", ")})` : "";
        lines.push(`${MARKS[r.kind].padEnd(2)} ${r.type}  ${r.name}${r.read ? "  (read)" : ""}${reason}`);
        for (const c of r.changes) {
            push(`       ${c.path}: `, changeText(c.before, c.after, c.firstDifference));
        }
    }
    if (diff.outputs.length > 0) {
        lines.push(...(diff.resources.length > 0 ? [""] : []), "Outputs:");
        for (const o of diff.outputs) {
            const mark = o.kind === "add" ? "+" : o.kind === "remove" ? "-" : "~";
            push(`${mark.padEnd(2)} ${o.name}: `, changeText(o.before, o.after, o.firstDifference));
        }
    }
    const s = diff.summary;
    lines.push("", `${s.add} to add, ${s.remove} to remove, ${s.update} to update, ${s.replace} to replace, ${s.same} unchanged.`, "");
    return lines.join("\n");
}
