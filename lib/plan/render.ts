import type { RecordedResource } from "./monitor";
import type { Plan } from "./runPlan";
import type { Json } from "./wire";

/** The JSON document `npm run plan -- --json` prints. */
export interface PlanDocument {
    readonly stack: string;
    readonly resources: {
        readonly urn: string;
        readonly type: string;
        readonly name: string;
        readonly parent: string;
        readonly dependencies: string[];
        readonly inputs: { [key: string]: Json };
        readonly protect: boolean;
        readonly provider?: string;
        readonly ignoreChanges?: string[];
        /** Present (true) on a read (a StackReference), which creates nothing; its inputs name the stack read. */
        readonly read?: true;
    }[];
    /** The stack's outputs, secrets as "[secret]". What the plan's StackReferences read is not in the document. */
    readonly outputs: { [key: string]: Json };
}

/** The document of a plan: every resource and read, the outputs masked; never a plan's referenceOutputs. */
export function planDocument(plan: Plan): PlanDocument {
    return {
        stack: plan.stack,
        resources: plan.resources.map((r) => ({
            urn: r.urn,
            type: r.type,
            name: r.name,
            parent: r.parent,
            dependencies: r.dependencies,
            inputs: r.inputs,
            protect: r.protect,
            ...(r.provider ? { provider: r.provider.split("::").slice(0, 4).join("::") } : {}),
            ...(r.ignoreChanges.length > 0 ? { ignoreChanges: r.ignoreChanges } : {}),
            ...(r.read ? { read: true as const } : {}),
        })),
        outputs: plan.outputs,
    };
}

function flags(r: RecordedResource): string {
    const marks = [r.read ? "read" : "", r.protect ? "protect" : "", r.ignoreChanges.length > 0 ? `ignoreChanges: ${r.ignoreChanges.join(", ")}` : ""];
    const shown = marks.filter(Boolean);
    return shown.length > 0 ? `  [${shown.join("; ")}]` : "";
}

/** A tree like `pulumi preview` prints: type, name and options (a read is marked), children under their parent. */
export function renderTree(plan: Plan): string {
    const byParent = new Map<string, RecordedResource[]>();
    const urns = new Set(plan.resources.map((r) => r.urn));
    for (const r of plan.resources) {
        const key = urns.has(r.parent) ? r.parent : "";
        byParent.set(key, [...(byParent.get(key) ?? []), r]);
    }
    const lines: string[] = [];
    const walk = (parent: string, prefix: string) => {
        const children = byParent.get(parent) ?? [];
        children.forEach((r, i) => {
            const last = i === children.length - 1;
            const branch = parent === "" ? "" : last ? "└─ " : "├─ ";
            lines.push(`${prefix}${branch}${r.type}  ${r.name}${flags(r)}`);
            walk(r.urn, parent === "" ? "" : prefix + (last ? "   " : "│  "));
        });
    };
    walk("", "");
    const custom = plan.resources.filter((r) => r.custom && !r.read).length;
    const reads = plan.resources.filter((r) => r.read).length;
    const outputLines = Object.entries(plan.outputs).map(([k, v]) => {
        const text = typeof v === "string" ? v : JSON.stringify(v);
        const shown = text.includes("\n") ? `|\n${text.replace(/^/gm, "      ").trimEnd()}` : text;
        return `    ${k}: ${shown}`;
    });
    return [
        `Plan for stack ${plan.stack} (project ${plan.project}): ${custom} resources in ${plan.resources.length - custom - reads} components` +
            (reads > 0 ? `, ${reads} stack${reads > 1 ? "s" : ""} read` : ""),
        "",
        ...lines,
        "",
        "Outputs:",
        ...outputLines,
        "",
    ].join("\n");
}
