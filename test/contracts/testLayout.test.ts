/**
 * The test layout of ARCHITECTURE.md: the test of `components/x/y.ts` is `test/components/x/y.test.ts` (or
 * `y.<aspect>.test.ts` beside it), likewise for `lib/`, and a source without one has a row in the table "Sources
 * tested elsewhere" naming the tests that exercise it. Read from the files themselves, with no process.
 */
import * as fs from "fs";
import * as path from "path";
import { PROJECT_DIR } from "../helpers/plan";

/** The line that opens the table in ARCHITECTURE.md. */
const TABLE_TITLE = "Sources tested elsewhere:";

/** A row of the table: a source, the tests that exercise it (paths, or `*` within a file name), and why there. */
interface TestedElsewhere {
    readonly source: string;
    readonly tests: readonly string[];
    readonly why: string;
}

interface Layout {
    /** Every `.ts` under components/ and lib/ (no `.d.ts`), relative to the project. */
    readonly sources: readonly string[];
    /** Every `*.test.ts` under test/, relative to the project. */
    readonly tests: readonly string[];
}

/** The files under `dir` (relative to `root`), with `/` separators, sorted. */
function filesUnder(root: string, dir: string): string[] {
    const found: string[] = [];
    const visit = (relative: string): void => {
        for (const entry of fs.readdirSync(path.join(root, relative), { withFileTypes: true })) {
            const child = `${relative}/${entry.name}`;
            if (entry.isDirectory() && entry.name !== "node_modules") {
                visit(child);
            } else if (entry.isFile()) {
                found.push(child);
            }
        }
    };
    if (fs.existsSync(path.join(root, dir))) {
        visit(dir);
    }
    return found.sort();
}

function readLayout(root: string): Layout {
    return {
        sources: ["components", "lib"].flatMap((dir) => filesUnder(root, dir)).filter((f) => f.endsWith(".ts") && !f.endsWith(".d.ts")),
        tests: filesUnder(root, "test").filter((f) => f.endsWith(".test.ts")),
    };
}

/** The source a test mirrors: `test/components/x/y[.aspect].test.ts` → `components/x/y.ts`; other tests mirror none. */
function mirroredSource(test: string): string | undefined {
    const match = /^test\/((?:components|lib)\/(?:[^/]+\/)*)([^/.]+)(\.[^/]+)?\.test\.ts$/.exec(test);
    return match ? `${match[1]}${match[2]}.ts` : undefined;
}

function mirrorsOf(source: string, tests: readonly string[]): string[] {
    return tests.filter((t) => mirroredSource(t) === source);
}

/** The test files a row's entry names: itself, or what its `*` (within one path segment) matches. */
function testsMatching(entry: string, tests: readonly string[]): string[] {
    const pattern = new RegExp(`^${entry.split("*").map((part) => part.replace(/[.+?^${}()|[\]\\]/g, "\\$&")).join("[^/]*")}$`);
    return tests.filter((t) => pattern.test(t));
}

/** The rows of the table after TABLE_TITLE, and what is wrong with its shape. */
function parseTable(markdown: string): { rows: TestedElsewhere[]; problems: string[] } {
    const lines = markdown.split("\n");
    const title = lines.findIndex((line) => line.trim() === TABLE_TITLE);
    if (title < 0) {
        return { rows: [], problems: [`no line "${TABLE_TITLE}"`] };
    }
    let i = title + 1;
    while (i < lines.length && lines[i].trim() === "") {
        i++;
    }
    const header = lines.slice(i, i + 2).map((line) => line.trim());
    if (header.length < 2 || !header[0].startsWith("|") || !/^\|(\s*-+\s*\|)+$/.test(header[1])) {
        return { rows: [], problems: [`no table after "${TABLE_TITLE}"`] };
    }
    const rows: TestedElsewhere[] = [];
    const problems: string[] = [];
    for (i += 2; i < lines.length && lines[i].trim().startsWith("|"); i++) {
        const line = lines[i].trim();
        const cells = line.split("|").slice(1, -1).map((cell) => cell.trim());
        const source = /^`([^`]+)`$/.exec(cells[0] ?? "")?.[1];
        const tests = [...(cells[1] ?? "").matchAll(/`([^`]+)`/g)].map((m) => m[1]);
        const testsCellIsOnlyPaths = (cells[1] ?? "").replace(/`[^`]+`/g, "").replace(/[,\s]/g, "") === "";
        if (cells.length !== 3 || source === undefined || tests.length === 0 || !testsCellIsOnlyPaths || cells[2] === "") {
            problems.push(`line ${i + 1}: not | \`source\` | \`test\`, … | why |: ${line}`);
            continue;
        }
        rows.push({ source, tests, why: cells[2] });
    }
    return { rows, problems };
}

/** (a) Sources with neither a mirrored test nor a row. */
function unaccountedSources(layout: Layout, rows: readonly TestedElsewhere[]): string[] {
    const listed = new Set(rows.map((r) => r.source));
    return layout.sources.filter((s) => mirrorsOf(s, layout.tests).length === 0 && !listed.has(s));
}

/** (b) Rows that name no source, a source with a mirrored test (the row is stale), a source twice, or no test file. */
function rowProblems(layout: Layout, rows: readonly TestedElsewhere[]): string[] {
    const problems: string[] = [];
    const seen = new Set<string>();
    for (const row of rows) {
        if (seen.has(row.source)) {
            problems.push(`${row.source}: more than one row`);
        }
        seen.add(row.source);
        const mirrors = mirrorsOf(row.source, layout.tests);
        if (!layout.sources.includes(row.source)) {
            problems.push(`${row.source}: no such source under components/ or lib/`);
        } else if (mirrors.length > 0) {
            problems.push(`${row.source}: has a mirrored test (${mirrors.join(", ")}); remove its row`);
        }
        for (const test of row.tests) {
            if (testsMatching(test, layout.tests).length === 0) {
                problems.push(`${row.source}: ${test} is no test file under test/`);
            }
        }
    }
    return problems;
}

/** (c) Tests under test/components and test/lib whose source (the mirror of their path) does not exist. */
function testsWithoutSource(layout: Layout): string[] {
    return layout.tests
        .filter((t) => /^test\/(components|lib)\//.test(t))
        .filter((t) => {
            const source = mirroredSource(t);
            return source === undefined || !layout.sources.includes(source);
        });
}

const layout = readLayout(PROJECT_DIR);
const table = parseTable(fs.readFileSync(path.join(PROJECT_DIR, "ARCHITECTURE.md"), "utf8"));

test("reads the whole tree and the whole table", () => {
    expect(layout.sources).toEqual(expect.arrayContaining(["components/config/parse.ts", "components/contract/platform.ts", "lib/plan/runPlan.ts"]));
    expect(layout.sources.length).toBeGreaterThan(80);
    expect(layout.tests).toEqual(expect.arrayContaining(["test/components/config/parse.test.ts", "test/stacks/dev.test.ts"]));
    expect(table.problems).toEqual([]);
    expect(table.rows.map((r) => r.source)).toEqual(expect.arrayContaining(["components/gcp/index.ts", "lib/plan/mocks.ts"]));
});

test("every source under components/ and lib/ has a mirrored test or a row in ARCHITECTURE.md's table", () => {
    expect(unaccountedSources(layout, table.rows)).toEqual([]);
});

test("every row names a source without a mirrored test, once, and test files that exist", () => {
    expect(rowProblems(layout, table.rows)).toEqual([]);
});

test("every test under test/components and test/lib mirrors a source", () => {
    expect(testsWithoutSource(layout)).toEqual([]);
});

describe("the checks catch what they are for", () => {
    const fake: Layout = {
        sources: ["components/x/a.ts", "components/x/b.ts", "components/x/c.ts", "lib/plan/d.ts"],
        tests: ["test/components/x/a.test.ts", "test/lib/plan/d.stack.test.ts", "test/components/x/gone.test.ts", "test/stacks/s1.test.ts", "test/stacks/s2.test.ts"],
    };
    const row = (source: string, ...tests: string[]): TestedElsewhere => ({ source, tests, why: "because" });

    test("a test mirrors the source of its name, aspect or not; other tests mirror none", () => {
        expect(mirroredSource("test/components/flyte/flyteBinary.test.ts")).toBe("components/flyte/flyteBinary.ts");
        expect(mirroredSource("test/components/flyte/flyteBinary.local.test.ts")).toBe("components/flyte/flyteBinary.ts");
        expect(mirroredSource("test/lib/plan/diff.stack.test.ts")).toBe("lib/plan/diff.ts");
        expect(mirroredSource("test/stacks/dev.test.ts")).toBeUndefined();
        expect(mirroredSource("test/components/config/parse.ts")).toBeUndefined();
    });

    test("a source with neither a mirrored test nor a row", () => {
        expect(unaccountedSources(fake, [row("components/x/b.ts", "test/stacks/s1.test.ts")])).toEqual(["components/x/c.ts"]);
    });

    test("rows naming a missing source, a mirrored one, a source twice, or no test", () => {
        expect(
            rowProblems(fake, [
                row("components/x/b.ts", "test/stacks/*.test.ts"),
                row("components/x/b.ts", "test/stacks/s1.test.ts"),
                row("components/x/gone.ts", "test/stacks/s2.test.ts"),
                row("components/x/a.ts", "test/stacks/s1.test.ts"),
                row("components/x/c.ts", "test/stacks/s3.test.ts", "test/isolation/*.test.ts", "components/x/c.ts"),
            ]),
        ).toEqual([
            "components/x/b.ts: more than one row",
            "components/x/gone.ts: no such source under components/ or lib/",
            "components/x/a.ts: has a mirrored test (test/components/x/a.test.ts); remove its row",
            "components/x/c.ts: test/stacks/s3.test.ts is no test file under test/",
            "components/x/c.ts: test/isolation/*.test.ts is no test file under test/",
            "components/x/c.ts: components/x/c.ts is no test file under test/",
        ]);
    });

    test("a `*` matches within one path segment only", () => {
        expect(testsMatching("test/stacks/*.test.ts", ["test/stacks/a.test.ts", "test/stacks/x/b.test.ts"])).toEqual(["test/stacks/a.test.ts"]);
        expect(testsMatching("test/stacks/a.test.ts", ["test/stacks/aXtest.ts"])).toEqual([]);
    });

    test("a test whose source is gone", () => {
        expect(testsWithoutSource(fake)).toEqual(["test/components/x/gone.test.ts"]);
    });

    test("a table that is missing or has a malformed row", () => {
        expect(parseTable("# Architecture\n").problems).toEqual([`no line "${TABLE_TITLE}"`]);
        expect(parseTable(`${TABLE_TITLE}\n\nsome text\n`).problems).toEqual([`no table after "${TABLE_TITLE}"`]);
        const parsed = parseTable(
            [
                TABLE_TITLE,
                "",
                "| Source | Tested in | Why there |",
                "| --- | --- | --- |",
                "| `components/x/b.ts` | `test/stacks/s1.test.ts`, `test/stacks/s2.test.ts` | exercised through plans |",
                "| `components/x/c.ts` | the stack tests | prose instead of paths |",
                "| `components/x/d.ts` | `test/stacks/s1.test.ts` |",
                "",
                "| `components/x/e.ts` | `test/stacks/s1.test.ts` | after the table ends |",
            ].join("\n"),
        );
        expect(parsed.rows).toEqual([
            { source: "components/x/b.ts", tests: ["test/stacks/s1.test.ts", "test/stacks/s2.test.ts"], why: "exercised through plans" },
        ]);
        expect(parsed.problems).toHaveLength(2);
        expect(parsed.problems[0]).toMatch(/^line 6: /);
        expect(parsed.problems[1]).toMatch(/^line 7: /);
    });
});
