import * as fs from "fs";
import * as path from "path";
import * as ts from "typescript";

/**
 * The project's import graph, read with TypeScript's own parser, and the layering rule of ARCHITECTURE.md: each
 * folder may import only the folders below it. Type-only imports count: they couple the layers as much.
 */

export interface ImportEdge {
    /** Importing file, relative to the project root. */
    readonly from: string;
    /** Imported file, relative to the project root. */
    readonly to: string;
}

/** The module a file belongs to for the layering rule: its folder under components/, or its top-level part. */
export function layerOf(file: string): string {
    const parts = file.split("/");
    if (parts[0] === "components") {
        return `components/${parts[1]}`;
    }
    if (parts[0] === "lib") {
        return parts.length > 2 ? `lib/${parts[1]}` : "lib";
    }
    return parts.length > 1 ? parts[0] : file;
}

function resolveRelative(root: string, from: string, specifier: string): string | undefined {
    const base = path.normalize(path.join(path.dirname(from), specifier));
    for (const candidate of [`${base}.ts`, path.join(base, "index.ts"), base]) {
        const absolute = path.join(root, candidate);
        if (fs.existsSync(absolute) && fs.statSync(absolute).isFile()) {
            return candidate.split(path.sep).join("/");
        }
    }
    return undefined;
}

/** Every relative import (import, export … from, require, import()) between the given files. */
export function importEdges(root: string, files: readonly string[]): ImportEdge[] {
    const edges: ImportEdge[] = [];
    for (const from of files) {
        const info = ts.preProcessFile(fs.readFileSync(path.join(root, from), "utf8"), true, true);
        for (const imported of info.importedFiles) {
            if (!imported.fileName.startsWith(".")) {
                continue;
            }
            const to = resolveRelative(root, from, imported.fileName);
            if (to === undefined) {
                throw new Error(`${from}: cannot resolve ${imported.fileName}`);
            }
            edges.push({ from, to });
        }
    }
    return edges;
}

/** Which layers each layer may import (besides itself). */
export type LayerRules = Readonly<Record<string, readonly string[]>>;

/** Imports the rules do not allow, as `from → to` lines; a layer the rules do not name is a violation too. */
export function layerViolations(edges: readonly ImportEdge[], rules: LayerRules): string[] {
    const violations: string[] = [];
    for (const edge of edges) {
        const from = layerOf(edge.from);
        const to = layerOf(edge.to);
        if (from === to) {
            continue;
        }
        const allowed = rules[from];
        if (allowed === undefined) {
            violations.push(`${edge.from} → ${edge.to}: layer ${from} is not in the layering`);
        } else if (!allowed.includes(to)) {
            violations.push(`${edge.from} → ${edge.to}: ${from} may not import ${to}`);
        }
    }
    return violations;
}

/** Cycles between layers (strongly connected groups of more than one layer), each as its sorted layer names. */
export function layerCycles(edges: readonly ImportEdge[]): string[][] {
    const graph = new Map<string, Set<string>>();
    for (const edge of edges) {
        const from = layerOf(edge.from);
        const to = layerOf(edge.to);
        if (from !== to) {
            graph.set(from, (graph.get(from) ?? new Set()).add(to));
            graph.set(to, graph.get(to) ?? new Set());
        }
    }
    // Tarjan's algorithm.
    let index = 0;
    const indices = new Map<string, number>();
    const low = new Map<string, number>();
    const stack: string[] = [];
    const onStack = new Set<string>();
    const cycles: string[][] = [];
    const visit = (node: string): void => {
        indices.set(node, index);
        low.set(node, index);
        index++;
        stack.push(node);
        onStack.add(node);
        for (const next of graph.get(node) ?? []) {
            if (!indices.has(next)) {
                visit(next);
                low.set(node, Math.min(low.get(node) as number, low.get(next) as number));
            } else if (onStack.has(next)) {
                low.set(node, Math.min(low.get(node) as number, indices.get(next) as number));
            }
        }
        if (low.get(node) === indices.get(node)) {
            const group: string[] = [];
            let member: string;
            do {
                member = stack.pop() as string;
                onStack.delete(member);
                group.push(member);
            } while (member !== node);
            if (group.length > 1) {
                cycles.push(group.sort());
            }
        }
    };
    for (const node of [...graph.keys()].sort()) {
        if (!indices.has(node)) {
            visit(node);
        }
    }
    return cycles;
}
