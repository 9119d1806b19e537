import { diffPlans, jsonChanges, type PlanDiff, type PropertyChange, REPLACE_TRIGGERS, renderDiff, replaceReasonsFor } from "../lib/plan/diff";
import type { Json } from "../lib/plan/wire";
import { doc, type DocResource, res, reversedKeys, shuffled, withInputs } from "./helpers/planDocFixtures";

const SQL = "gcp:sql/databaseInstance:DatabaseInstance";
const BUCKET = "gcp:storage/bucket:Bucket";
const JOB = "kubernetes:batch/v1:Job";
const CONFIG_MAP = "kubernetes:core/v1:ConfigMap";
const DEPLOYMENT = "kubernetes:apps/v1:Deployment";
const LABEL = { base: "main (0123456789ab)", head: "working tree" };

/** The diff of one resource changed from `before` to `after` inputs (plus an unchanged neighbour). */
function diffOne(type: string, before: { [key: string]: Json }, after: { [key: string]: Json }, extra: Partial<DocResource> = {}) {
    const r = res(type, "thing", before, extra);
    const neighbour = res("gcp:projects/service:Service", "api", { service: "sqladmin.googleapis.com" });
    const diff = diffPlans(doc([neighbour, r]), doc([neighbour, withInputs(r, after)]));
    expect(diff.summary.same).toBe(1);
    expect(diff.resources).toHaveLength(1);
    return diff.resources[0];
}

describe("jsonChanges", () => {
    test("equal values have no changes, whatever the key order", () => {
        expect(jsonChanges({ a: 1, b: [1, { c: "x" }] }, { a: 1, b: [1, { c: "x" }] })).toEqual([]);
        expect(jsonChanges({ a: 1, b: { c: 2, d: 3 } }, reversedKeys({ b: reversedKeys({ c: 2, d: 3 }), a: 1 }))).toEqual([]);
        expect(jsonChanges(null, null)).toEqual([]);
        expect(jsonChanges(undefined, undefined)).toEqual([]);
    });

    test("a nested leaf is named by its dotted path", () => {
        expect(jsonChanges({ settings: { tier: "db-f1-micro", ipConfiguration: { ipv4Enabled: false } } }, {
            settings: { tier: "db-custom-2-7680", ipConfiguration: { ipv4Enabled: true } },
        })).toEqual([
            { path: "settings.ipConfiguration.ipv4Enabled", before: false, after: true },
            { path: "settings.tier", before: "db-f1-micro", after: "db-custom-2-7680" },
        ]);
    });

    test("paths come in key order, not in the order the objects list their keys", () => {
        const changes = jsonChanges({ z: 1, a: 1, m: { y: 1, b: 1 } }, { z: 2, a: 2, m: { y: 2, b: 2 } });
        expect(changes.map((c) => c.path)).toEqual(["a", "m.b", "m.y", "z"]);
    });

    test("an added or removed key has only the side it exists on", () => {
        const changes = jsonChanges({ keep: 1, gone: "x" }, { keep: 1, fresh: { deep: true } });
        expect(changes).toEqual([
            { path: "fresh", after: { deep: true } },
            { path: "gone", before: "x" },
        ]);
        expect("before" in changes[0]).toBe(false);
        expect("after" in changes[1]).toBe(false);
    });

    test("null is a value, not an absence", () => {
        const [change] = jsonChanges({ a: null }, {});
        expect(change).toEqual({ path: "a", before: null });
        expect("after" in change).toBe(false);
        expect(jsonChanges({ a: null }, { a: 0 })).toEqual([{ path: "a", before: null, after: 0 }]);
    });

    test("lists of the same length compare element by element, indices in the path", () => {
        const before = { spec: { ports: [{ name: "http", port: 80 }, { name: "grpc", port: 81 }], matrix: [[1, 2], [3, 4]] } };
        const after = { spec: { ports: [{ name: "http", port: 80 }, { name: "grpc", port: 8089 }], matrix: [[1, 2], [3, 5]] } };
        expect(jsonChanges(before, after)).toEqual([
            { path: "spec.matrix[1][1]", before: 4, after: 5 },
            { path: "spec.ports[1].port", before: 81, after: 8089 },
        ]);
    });

    test("lists of different lengths change as a whole", () => {
        expect(jsonChanges({ projects: ["a", "b"] }, { projects: ["a", "b", "c"] })).toEqual([
            { path: "projects", before: ["a", "b"], after: ["a", "b", "c"] },
        ]);
        expect(jsonChanges({ projects: ["a"] }, { projects: [] })).toEqual([{ path: "projects", before: ["a"], after: [] }]);
    });

    test("a change of kind (object, list, scalar) is one change at that path", () => {
        expect(jsonChanges({ a: { b: 1 } }, { a: [1] })).toEqual([{ path: "a", before: { b: 1 }, after: [1] }]);
        expect(jsonChanges({ a: [1] }, { a: "1" })).toEqual([{ path: "a", before: [1], after: "1" }]);
        expect(jsonChanges({ a: 1 }, { a: "1" })).toEqual([{ path: "a", before: 1, after: "1" }]);
    });

    test("scalars at the top have the empty path; a prefix is prepended", () => {
        expect(jsonChanges(1, 2)).toEqual([{ path: "", before: 1, after: 2 }]);
        expect(jsonChanges({ b: 1 }, { b: 2 }, "a")).toEqual([{ path: "a.b", before: 1, after: 2 }]);
        expect(jsonChanges([1], [2], "a")).toEqual([{ path: "a[0]", before: 1, after: 2 }]);
    });
});

describe("replaceReasonsFor", () => {
    const change = (path: string): PropertyChange => ({ path, before: "x", after: "y" });

    test("a trigger covers its own path and everything below it, not paths that merely start alike", () => {
        expect(replaceReasonsFor(BUCKET, [change("name")])).toEqual(["name"]);
        expect(replaceReasonsFor(BUCKET, [change("nameSuffix"), change("location2")])).toEqual([]);
        expect(replaceReasonsFor(DEPLOYMENT, [change("spec.selector.matchLabels.app")])).toEqual(["spec.selector.matchLabels.app"]);
        expect(replaceReasonsFor(DEPLOYMENT, [change("spec.selectorX")])).toEqual([]);
        expect(replaceReasonsFor("kubernetes:apps/v1:StatefulSet", [change("spec.volumeClaimTemplates[0].spec.resources")])).toEqual([
            "spec.volumeClaimTemplates[0].spec.resources",
        ]);
    });

    test("only the forcing paths are reasons, in the order of the changes", () => {
        expect(replaceReasonsFor(SQL, [change("region"), change("settings.tier"), change("name")])).toEqual(["region", "name"]);
    });

    test("every Kubernetes object is replaced when its name or namespace changes, other types are not", () => {
        expect(replaceReasonsFor(CONFIG_MAP, [change("metadata.name"), change("metadata.namespace"), change("metadata.labels.app")])).toEqual([
            "metadata.name",
            "metadata.namespace",
        ]);
        expect(replaceReasonsFor("flyte:gcp:Thing", [change("metadata.name")])).toEqual([]);
        expect(replaceReasonsFor("aws:s3/bucket:Bucket", [change("metadata.namespace")])).toEqual([]);
    });

    test("a type the table does not know is never replaced", () => {
        expect(replaceReasonsFor("gcp:unknown/thing:Thing", [change("name"), change("project")])).toEqual([]);
    });

    const triggers = Object.entries(REPLACE_TRIGGERS).flatMap(([type, paths]) => paths.map((p): [string, string] => [type, p]));

    test("the table is well formed", () => {
        expect(triggers.length).toBeGreaterThan(40);
        for (const [type, trigger] of triggers) {
            expect(type).toMatch(/^[a-z]+:[A-Za-z0-9./]+:[A-Z][A-Za-z0-9]*$/);
            expect(trigger).toMatch(/^(\*|[A-Za-z][A-Za-z0-9]*(\.[A-Za-z][A-Za-z0-9]*)*)$/);
        }
    });

    test.each(triggers)("%s: a change at %s (or below) forces replacement", (type, trigger) => {
        const path = trigger === "*" ? "length" : trigger;
        expect(replaceReasonsFor(type, [change("somethingElse.entirely"), change(path)])).toEqual(
            trigger === "*" ? ["somethingElse.entirely", "length"] : [path],
        );
        expect(replaceReasonsFor(type, [change(`${path}.inner`)])).toEqual([`${path}.inner`]);
    });
});

describe("diffPlans classifies each resource", () => {
    test("only in the head: add; only in the base: remove; equal: counted as unchanged", () => {
        const kept = res(SQL, "db", { settings: { tier: "db-f1-micro" } });
        const gone = res(BUCKET, "old", { name: "old" });
        const fresh = res(BUCKET, "new", { name: "new" });
        const diff = diffPlans(doc([kept, gone]), doc([kept, fresh]));
        expect(diff.resources).toEqual([
            { urn: fresh.urn, type: BUCKET, name: "new", kind: "add", changes: [], replaceReasons: [] },
            { urn: gone.urn, type: BUCKET, name: "old", kind: "remove", changes: [], replaceReasons: [] },
        ]);
        expect(diff.summary).toEqual({ add: 1, remove: 1, update: 0, replace: 0, same: 1 });
    });

    test("a resource is matched by URN: a rename is a remove and an add", () => {
        const before = res(BUCKET, "a", { name: "x" });
        const after = res(BUCKET, "b", { name: "x" });
        const diff = diffPlans(doc([before]), doc([after]));
        expect(diff.resources.map((r) => [r.kind, r.name])).toEqual([
            ["remove", "a"],
            ["add", "b"],
        ]);
    });

    test.each([
        ["random:index/randomPassword:RandomPassword", { length: 24, special: false }, { length: 32, special: false }, ["length"]],
        ["random:index/randomString:RandomString", { length: 8, upper: false }, { length: 8, upper: true }, ["upper"]],
        ["random:index/randomId:RandomId", { byteLength: 4, keepers: { a: "1" } }, { byteLength: 4, keepers: { a: "2" } }, ["keepers.a"]],
        [CONFIG_MAP, { metadata: { name: "a", namespace: "flyte" }, data: {} }, { metadata: { name: "b", namespace: "flyte" }, data: {} }, ["metadata.name"]],
        ["kubernetes:core/v1:Namespace", { metadata: { name: "flytesnacks-development" } }, { metadata: { name: "research-development" } }, ["metadata.name"]],
        ["kubernetes:rbac.authorization.k8s.io/v1:RoleBinding", { metadata: { name: "rb", namespace: "a" } }, { metadata: { name: "rb", namespace: "b" } }, ["metadata.namespace"]],
        [JOB, { metadata: { name: "migrate" }, spec: { template: { spec: { containers: [{ image: "flyte:1" }] } } } },
            { metadata: { name: "migrate" }, spec: { template: { spec: { containers: [{ image: "flyte:2" }] } } } },
            ["spec.template.spec.containers[0].image"]],
        [BUCKET, { name: "acme-flyte-dev-data", location: "EU" }, { name: "acme-flyte-dev-data2", location: "EU" }, ["name"]],
        [SQL, { region: "europe-west1", settings: { tier: "db-f1-micro" } }, { region: "europe-west4", settings: { tier: "db-custom-1-3840" } }, ["region"]],
    ])("%s: %j → %j is a replace because of %j", (type, before, after, reasons) => {
        const change = diffOne(type, before, after);
        expect(change.kind).toBe("replace");
        expect(change.replaceReasons).toEqual(reasons);
        expect(change.changes).toEqual(jsonChanges(before, after));
    });

    test.each([
        [SQL, { settings: { tier: "db-custom-1-3840", availabilityType: "ZONAL" } }, { settings: { tier: "db-custom-2-7680", availabilityType: "ZONAL" } },
            [{ path: "settings.tier", before: "db-custom-1-3840", after: "db-custom-2-7680" }]],
        [BUCKET, { name: "b", labels: { env: "dev" } }, { name: "b", labels: { env: "prod" } }, [{ path: "labels.env", before: "dev", after: "prod" }]],
        [CONFIG_MAP, { metadata: { name: "a", labels: { x: "1" } }, data: { k: "v" } }, { metadata: { name: "a", labels: { x: "2" } }, data: { k: "w" } },
            [{ path: "data.k", before: "v", after: "w" }, { path: "metadata.labels.x", before: "1", after: "2" }]],
        [DEPLOYMENT, { spec: { replicas: 1, selector: { matchLabels: { app: "a" } } } }, { spec: { replicas: 2, selector: { matchLabels: { app: "a" } } } },
            [{ path: "spec.replicas", before: 1, after: 2 }]],
        ["gcp:unknown/thing:Thing", { name: "a" }, { name: "b" }, [{ path: "name", before: "a", after: "b" }]],
    ])("%s: %j → %j is an update", (type, before, after, changes) => {
        const change = diffOne(type, before, after);
        expect(change).toEqual({ urn: res(type, "thing").urn, type, name: "thing", kind: "update", changes, replaceReasons: [] });
    });

    test("a change of protect alone is an update, shown as (protect)", () => {
        const r = res(SQL, "db", { name: "db" });
        const diff = diffPlans(doc([r]), doc([{ ...r, protect: true }]));
        expect(diff.resources).toEqual([
            { urn: r.urn, type: SQL, name: "db", kind: "update", changes: [{ path: "(protect)", before: false, after: true }], replaceReasons: [] },
        ]);
        expect(diff.summary).toEqual({ add: 0, remove: 0, update: 1, replace: 0, same: 0 });
    });

    test("fields other than inputs and protect (dependencies, parent, ignoreChanges) are not diffed", () => {
        const r = res(BUCKET, "b", { name: "b" });
        const moved = { ...r, dependencies: ["urn:pulumi:dev::flyte::x::y"], ignoreChanges: ["labels"] };
        expect(diffPlans(doc([r]), doc([moved])).resources).toEqual([]);
    });

    test("a change of protect alone on a type replaced by any input change is still an update", () => {
        const r = res("random:index/randomPassword:RandomPassword", "pw", { length: 32 });
        const diff = diffPlans(doc([r]), doc([{ ...r, protect: true }]));
        expect(diff.resources).toEqual([
            {
                urn: r.urn,
                type: "random:index/randomPassword:RandomPassword",
                name: "pw",
                kind: "update",
                changes: [{ path: "(protect)", before: false, after: true }],
                replaceReasons: [],
            },
        ]);
    });

    test("inputs under the head's ignoreChanges are not changes pulumi up would make", () => {
        const r = res(SQL, "db", { name: "db", settings: { tier: "t", diskSize: 10 } }, { ignoreChanges: ["settings.diskSize"] });
        const grown = withInputs(r, { name: "db", settings: { tier: "t", diskSize: 50 } });
        expect(diffPlans(doc([r]), doc([grown])).resources).toEqual([]);
        const retiered = withInputs(r, { name: "db", settings: { tier: "t2", diskSize: 50 } });
        expect(diffPlans(doc([r]), doc([retiered])).resources[0].changes).toEqual([{ path: "settings.tier", before: "t", after: "t2" }]);
    });

    test("outputs that differ only in key order are unchanged", () => {
        const before = doc([], { identities: { backend: "b", worker: "w" } });
        const after = doc([], { identities: reversedKeys({ backend: "b", worker: "w" }) });
        expect(diffPlans(before, after).outputs).toEqual([]);
    });

    test("inputs that differ only in key order are unchanged", () => {
        const r = res(SQL, "db", { name: "db", settings: { tier: "t", diskSize: 10 } });
        const reordered = withInputs(r, reversedKeys({ name: "db", settings: reversedKeys({ tier: "t", diskSize: 10 }) }));
        expect(diffPlans(doc([r]), doc([reordered])).summary).toEqual({ add: 0, remove: 0, update: 0, replace: 0, same: 1 });
    });
});

describe("diffPlans outputs and summary", () => {
    test("outputs added, removed and updated; equal ones are left out", () => {
        const diff = diffPlans(
            doc([], { same: "x", gone: "y", changed: { a: [1, 2] }, kubeconfig: "[secret]" }),
            doc([], { same: "x", fresh: 3, changed: { a: [1, 3] }, kubeconfig: "[secret]" }),
        );
        expect(diff.outputs).toEqual([
            { name: "changed", kind: "update", before: { a: [1, 2] }, after: { a: [1, 3] } },
            { name: "fresh", kind: "add", after: 3 },
            { name: "gone", kind: "remove", before: "y" },
        ]);
        expect(diff.resources).toEqual([]);
    });

    test("an output that is null on one side is a value, not an absence", () => {
        expect(diffPlans(doc([], { a: null }), doc([], { a: "x" })).outputs).toEqual([{ name: "a", kind: "update", before: null, after: "x" }]);
    });

    test("the summary counts every kind and the unchanged resources", () => {
        const same = [res(BUCKET, "s1", { name: "s1" }), res(BUCKET, "s2", { name: "s2" })];
        const updated = res(SQL, "db", { settings: { tier: "a" } });
        const replaced = res("random:index/randomPassword:RandomPassword", "pw", { length: 16 });
        const removed = [res(BUCKET, "r1"), res(BUCKET, "r2"), res(BUCKET, "r3")];
        const added = [res(CONFIG_MAP, "a1"), res(CONFIG_MAP, "a2")];
        const diff = diffPlans(
            doc([...same, updated, replaced, ...removed], {}, "base-stack"),
            doc([...same, withInputs(updated, { settings: { tier: "b" } }), withInputs(replaced, { length: 32 }), ...added], {}, "dev"),
        );
        expect(diff.stack).toBe("dev");
        expect(diff.summary).toEqual({ add: 2, remove: 3, update: 1, replace: 1, same: 2 });
        const { add, remove, update, replace, same: unchanged } = diff.summary;
        expect(add + remove + update + replace).toBe(diff.resources.length);
        expect(unchanged + remove + update + replace).toBe(same.length + 2 + removed.length);
        expect(unchanged + add + update + replace).toBe(same.length + 2 + added.length);
    });

    test("two empty plans (a stack absent on both sides) have no changes", () => {
        expect(diffPlans(doc([]), doc([]))).toEqual({
            stack: "dev",
            resources: [],
            outputs: [],
            summary: { add: 0, remove: 0, update: 0, replace: 0, same: 0 },
        });
    });

    test("against an empty base everything is added", () => {
        const resources = [res(BUCKET, "a"), res(SQL, "b"), res(CONFIG_MAP, "c")];
        const diff = diffPlans(doc([]), doc(resources, { x: 1, y: "[secret]" }));
        expect(diff.resources.map((r) => r.kind)).toEqual(["add", "add", "add"]);
        expect(diff.outputs.map((o) => [o.kind, o.name])).toEqual([
            ["add", "x"],
            ["add", "y"],
        ]);
        expect(diff.summary).toEqual({ add: 3, remove: 0, update: 0, replace: 0, same: 0 });
    });
});

describe("diffPlans is deterministic", () => {
    const base = doc(
        [
            res(BUCKET, "data", { name: "d", labels: { a: "1", b: "2" } }),
            res(SQL, "db", { region: "r", settings: { tier: "a", flags: [{ name: "x", value: "1" }] } }),
            res(CONFIG_MAP, "cm", { metadata: { name: "cm" }, data: { k: "v" } }),
            res(BUCKET, "gone", { name: "g" }),
            res("random:index/randomString:RandomString", "suffix", { length: 4 }),
            res(JOB, "migrate", { spec: { backoffLimit: 1 } }),
        ],
        { a: 1, b: 2, c: 3 },
    );
    const head = doc(
        [
            res(BUCKET, "data", { name: "d", labels: { a: "1", b: "3" } }),
            res(SQL, "db", { region: "r", settings: { tier: "b", flags: [{ name: "x", value: "2" }] } }),
            res(CONFIG_MAP, "cm", { metadata: { name: "cm2" }, data: { k: "v" } }),
            res(BUCKET, "new", { name: "n" }),
            res("random:index/randomString:RandomString", "suffix", { length: 4 }),
            res(JOB, "migrate", { spec: { backoffLimit: 2 } }),
        ],
        { a: 1, b: 20, d: 4 },
    );

    function reordered(d: typeof base, seed: number): typeof base {
        return {
            stack: d.stack,
            resources: shuffled(d.resources, seed).map((r) => withInputs(r, reversedKeys(r.inputs))),
            outputs: Object.fromEntries(shuffled(Object.entries(d.outputs), seed + 1)),
        };
    }

    const expected: PlanDiff = diffPlans(base, head);

    test("the example has every kind of change", () => {
        expect(expected.summary).toEqual({ add: 1, remove: 1, update: 2, replace: 2, same: 1 });
    });

    test("the same input gives the same diff and the same text", () => {
        expect(diffPlans(base, head)).toEqual(expected);
        expect(renderDiff(diffPlans(base, head), LABEL)).toBe(renderDiff(expected, LABEL));
    });

    test("resources come sorted by URN, outputs by name", () => {
        const urns = expected.resources.map((r) => r.urn);
        expect(urns).toEqual([...urns].sort());
        expect(expected.outputs.map((o) => o.name)).toEqual(["b", "c", "d"]);
    });

    test.each([1, 2, 3, 42, 1000])("the order of resources, outputs and input keys does not matter (seed %d)", (seed) => {
        const diff = diffPlans(reordered(base, seed), reordered(head, seed * 7));
        expect(JSON.stringify(diff)).toBe(JSON.stringify(expected));
        expect(renderDiff(diff, LABEL)).toBe(renderDiff(expected, LABEL));
    });
});

describe("renderDiff", () => {
    test("no changes: a header, No changes. and the summary", () => {
        const r = res(BUCKET, "b", { name: "b" });
        expect(renderDiff(diffPlans(doc([r]), doc([r])), LABEL)).toBe(
            [
                "Plan diff for stack dev: main (0123456789ab) → working tree",
                "",
                "No changes.",
                "",
                "0 to add, 0 to remove, 0 to update, 0 to replace, 1 unchanged.",
                "",
            ].join("\n"),
        );
    });

    test("each resource with its mark, type, name and replace reasons; changed inputs below; then outputs", () => {
        const db = res(SQL, "db", { name: "db", region: "eu", settings: { tier: "a" } });
        const pw = res("random:index/randomPassword:RandomPassword", "pw", { length: 16 });
        const text = renderDiff(
            diffPlans(
                doc([db, pw, res(BUCKET, "old")], { gone: "x", kept: 1, changed: "a" }),
                doc([withInputs(db, { name: "db", region: "us", settings: { tier: "b", edition: "ENTERPRISE" } }), withInputs(pw, { length: 16, special: true }), res(CONFIG_MAP, "new")], { kept: 1, changed: "b", fresh: [1] }),
            ),
            LABEL,
        );
        expect(text.split("\n")).toEqual([
            "Plan diff for stack dev: main (0123456789ab) → working tree",
            "",
            // Sorted by URN, that is by type and name.
            `+- ${SQL}  db  (replace: region)`,
            '       region: "eu" → "us"',
            '       settings.edition: (none) → "ENTERPRISE"',
            '       settings.tier: "a" → "b"',
            `-  ${BUCKET}  old`,
            `+  ${CONFIG_MAP}  new`,
            "+- random:index/randomPassword:RandomPassword  pw  (replace: special)",
            "       special: (none) → true",
            "",
            "Outputs:",
            '~  changed: "a" → "b"',
            "+  fresh: (none) → [1]",
            '-  gone: "x" → (none)',
            "",
            "1 to add, 1 to remove, 0 to update, 2 to replace, 0 unchanged.",
            "",
        ]);
    });

    test("an update shows ~ and no reasons; protect shows as (protect)", () => {
        const r = res(SQL, "db", { settings: { tier: "a" } });
        const text = renderDiff(diffPlans(doc([r]), doc([{ ...withInputs(r, { settings: { tier: "b" } }), protect: true }])), LABEL);
        expect(text).toContain(`\n~  ${SQL}  db\n       settings.tier: "a" → "b"\n       (protect): false → true\n`);
        expect(text).not.toContain("replace:");
    });

    test("only outputs changed: no blank line before Outputs:, no No changes.", () => {
        const text = renderDiff(diffPlans(doc([], { a: 1 }), doc([], { a: 2 })), LABEL);
        expect(text).toBe(
            ["Plan diff for stack dev: main (0123456789ab) → working tree", "", "Outputs:", "~  a: 1 → 2", "", "0 to add, 0 to remove, 0 to update, 0 to replace, 0 unchanged.", ""].join("\n"),
        );
    });

    test("long values are cut to 160 characters ending in …; shorter ones are whole", () => {
        const long = "x".repeat(500);
        const exact = "y".repeat(158); // 160 characters with its quotes
        const r = res(CONFIG_MAP, "cm", { data: { long: "short", exact: "e" } });
        const text = renderDiff(diffPlans(doc([r]), doc([withInputs(r, { data: { long, exact } })])), LABEL);
        const longLine = text.split("\n").find((l) => l.startsWith("       data.long:"));
        expect(longLine).toBe(`       data.long: "short" → "${"x".repeat(158)}…`);
        expect(`"${"x".repeat(158)}…`).toHaveLength(160);
        expect(text).toContain(`       data.exact: "e" → "${exact}"\n`);
        expect(text).not.toContain("x".repeat(159));
    });

    test("the labels name both sides", () => {
        expect(renderDiff(diffPlans(doc([]), doc([], {}, "prod")), { base: "HEAD~1 (abc)", head: "the head" })).toMatch(
            /^Plan diff for stack prod: HEAD~1 \(abc\) → the head\n/,
        );
    });
});
