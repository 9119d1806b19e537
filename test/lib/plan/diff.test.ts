import {
    diffPlans,
    firstDifferenceOf,
    jsonChanges,
    NO_NEWLINE,
    type PlanDiff,
    type PropertyChange,
    REPLACE_TRIGGERS,
    renderDiff,
    replaceReasonsFor,
    type ResourceChange,
} from "../../../lib/plan/diff";
import type { Json } from "../../../lib/plan/wire";
import { doc, type DocResource, res, reversedKeys, shuffled, withInputs } from "../../helpers/planDocFixtures";

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

    test("values up to 160 characters (as JSON) are shown whole; a value on one side only is cut after 160", () => {
        const long = "x".repeat(500);
        const exact = "y".repeat(158); // 160 characters with its quotes
        const r = res(CONFIG_MAP, "cm", { data: { exact: "e" } });
        const diff = diffPlans(doc([r]), doc([withInputs(r, { data: { long, exact } })]));
        const text = renderDiff(diff, LABEL);
        expect(text).toContain(`       data.exact: "e" → "${exact}"\n`);
        expect(text).toContain(`       data.long: (none) → "${"x".repeat(158)}…\n`);
        expect(text).not.toContain("x".repeat(159));
        // Whole in the JSON form, with no offset: the text shows them whole or from their first character.
        expect(diff.resources[0].changes).toEqual([
            { path: "data.exact", before: "e", after: exact },
            { path: "data.long", after: long },
        ]);
    });

    test("the labels name both sides", () => {
        expect(renderDiff(diffPlans(doc([]), doc([], {}, "prod")), { base: "HEAD~1 (abc)", head: "the head" })).toMatch(
            /^Plan diff for stack prod: HEAD~1 \(abc\) → the head\n/,
        );
    });
});

describe("replacements carried to providers and the resources they manage", () => {
    const CLUSTER = "gcp:container/cluster:Cluster";
    const K8S = "pulumi:providers:kubernetes";
    const NAMESPACE = "kubernetes:core/v1:Namespace";
    const SECRET = "kubernetes:core/v1:Secret";
    const RELEASE = "kubernetes:helm.sh/v3:Release";
    const WI_MEMBER = "gcp:serviceaccount/iAMMember:IAMMember";

    // A GKE cluster, the Kubernetes provider built from it, what that provider manages, and bystanders.
    const cluster = res(CLUSTER, "gke", { name: "flyte-dev", location: "europe-west1-b", labels: { env: "dev" } });
    const provider = res(K8S, "gke-k8s", { enableServerSideApply: "true", kubeconfig: "[secret]" }, { dependencies: [cluster.urn] });
    const managed = { provider: provider.urn };
    const namespace = res(NAMESPACE, "flyte-ns", { metadata: { name: "flyte" } }, managed);
    const secret = res(SECRET, "db-password", { metadata: { name: "db", namespace: "flyte" }, stringData: "[secret]" }, { ...managed, dependencies: [namespace.urn] });
    const release = res(RELEASE, "flyte", { name: "flyte", namespace: "flyte", values: { replicas: 1 } }, { ...managed, dependencies: [namespace.urn, secret.urn] });
    const localProvider = res(K8S, "local-k8s", { context: "kind-flyte" });
    const elsewhere = res(NAMESPACE, "elsewhere", { metadata: { name: "flyte" } }, { provider: localProvider.urn });
    // Depends on the cluster (its workload pool), but not through a provider.
    const wiMember = res(WI_MEMBER, "wi", { member: "serviceAccount:acme.svc.id.goog[flyte/default]", role: "roles/iam.workloadIdentityUser" }, { dependencies: [cluster.urn] });
    const bucket = res(BUCKET, "data", { name: "data" });
    const BASE = [cluster, provider, namespace, secret, release, localProvider, elsewhere, wiMember, bucket];

    const REPLACED_PROVIDER = `provider (replaced ${K8S} gke-k8s)`;
    /** By name: kind and replace reasons; the names not listed are unchanged. */
    type Expected = Record<string, [ResourceChange["kind"], string[]]>;
    const ON_GKE: Expected = { "flyte-ns": ["replace", [REPLACED_PROVIDER]], "db-password": ["replace", [REPLACED_PROVIDER]], flyte: ["replace", [REPLACED_PROVIDER]] };
    const moved = withInputs(cluster, { ...cluster.inputs, location: "europe-west1-c" });
    const withProvider = (inputs: { [key: string]: Json }, extra: Partial<DocResource> = {}) => ({ ...provider, ...extra, inputs });
    const swap = (resources: DocResource[], ...replacements: DocResource[]) =>
        resources.map((r) => replacements.find((x) => x.urn === r.urn) ?? r);
    const pinned = withProvider({ ...provider.inputs, clusterIdentifier: "gke-flyte-dev" });

    // A database instance replaced, a PostgreSQL provider configured from it, and a role it manages.
    const db = res(SQL, "db", { name: "flyte", region: "europe-west1" });
    const pgProvider = res("pulumi:providers:postgresql", "pg", { host: "10.0.0.3", password: "[secret]" }, { dependencies: [db.urn] });
    const pgRole = res("postgresql:index/role:Role", "flyteadmin", { name: "flyteadmin" }, { provider: pgProvider.urn });

    // A second cluster's provider whose kubeconfig is read from a Secret that the first provider manages.
    const remote = res(K8S, "remote-k8s", { kubeconfig: "[secret]" }, { dependencies: [secret.urn] });
    const remoteNs = res(NAMESPACE, "remote-ns", { metadata: { name: "flyte" } }, { provider: remote.urn });

    test.each<[string, DocResource[], DocResource[], Expected]>([
        [
            "the cluster moves to another zone: its provider is replaced, and everything on it",
            BASE,
            swap(BASE, moved),
            { gke: ["replace", ["location"]], "gke-k8s": ["replace", [`kubeconfig (from replaced ${CLUSTER} gke)`]], ...ON_GKE },
        ],
        [
            "the cluster is renamed in the program (a new URN): the provider is configured from the new one",
            BASE,
            [
                ...BASE.filter((r) => r !== cluster && r !== provider),
                res(CLUSTER, "gke2", cluster.inputs),
                { ...provider, dependencies: [res(CLUSTER, "gke2").urn] },
            ],
            { gke: ["remove", []], gke2: ["add", []], "gke-k8s": ["replace", [`kubeconfig (from new ${CLUSTER} gke2)`]], ...ON_GKE },
        ],
        ["the cluster is updated in place: nothing else changes", BASE, swap(BASE, withInputs(cluster, { ...cluster.inputs, labels: { env: "test" } })), { gke: ["update", []] }],
        [
            "an unchanged clusterIdentifier pins the provider: DiffConfig drops the replacement",
            swap(BASE, pinned),
            swap(BASE, pinned, moved),
            { gke: ["replace", ["location"]] },
        ],
        [
            "a provider on the ambient kubeconfig (no kubeconfig, context or cluster input) does not follow the cluster",
            swap(BASE, withProvider({ enableServerSideApply: "true" })),
            swap(BASE, withProvider({ enableServerSideApply: "true" }), moved),
            { gke: ["replace", ["location"]] },
        ],
        [
            "the provider's own context changes: it is replaced with everything on it",
            swap(BASE, withProvider({ context: "gke_a" })),
            swap(BASE, withProvider({ context: "gke_b" })),
            { "gke-k8s": ["replace", ["context"]], ...ON_GKE },
        ],
        [
            "a changed clusterIdentifier replaces the provider, even with the cluster unchanged",
            swap(BASE, pinned),
            swap(BASE, withProvider({ ...provider.inputs, clusterIdentifier: "gke-flyte-dev-2" })),
            { "gke-k8s": ["replace", ["clusterIdentifier"]], ...ON_GKE },
        ],
        [
            "an added clusterIdentifier is an update of the provider only",
            BASE,
            swap(BASE, pinned),
            { "gke-k8s": ["update", []] },
        ],
        [
            "a resource replaced for its own inputs keeps them first among its reasons",
            BASE,
            swap(BASE, moved, withInputs(namespace, { metadata: { name: "flyte2" } }), withInputs(release, { ...release.inputs, values: { replicas: 2 } })),
            {
                gke: ["replace", ["location"]],
                "gke-k8s": ["replace", [`kubeconfig (from replaced ${CLUSTER} gke)`]],
                ...ON_GKE,
                "flyte-ns": ["replace", ["metadata.name", REPLACED_PROVIDER]],
            },
        ],
        [
            "any provider configured from a replaced resource is counted as replaced, with what it manages",
            [...BASE, db, pgProvider, pgRole],
            [...BASE, withInputs(db, { ...db.inputs, region: "europe-west4" }), pgProvider, pgRole],
            {
                db: ["replace", ["region"]],
                pg: ["replace", [`config (from replaced ${SQL} db)`]],
                flyteadmin: ["replace", ["provider (replaced pulumi:providers:postgresql pg)"]],
            },
        ],
        [
            "replacements carry on: a provider configured from a resource of a replaced provider follows",
            [...BASE, remote, remoteNs],
            [...swap(BASE, moved), remote, remoteNs],
            {
                gke: ["replace", ["location"]],
                "gke-k8s": ["replace", [`kubeconfig (from replaced ${CLUSTER} gke)`]],
                ...ON_GKE,
                "remote-k8s": ["replace", [`kubeconfig (from replaced ${SECRET} db-password)`]],
                "remote-ns": ["replace", [`provider (replaced ${K8S} remote-k8s)`]],
            },
        ],
    ])("%s", (_label, base, head, expected) => {
        const diff = diffPlans(doc(base), doc(head));
        expect(Object.fromEntries(diff.resources.map((r) => [r.name, [r.kind, r.replaceReasons]]))).toEqual(expected);
        // Every resource not listed is unchanged, and the summary counts agree.
        const urns = new Set([...base, ...head].map((r) => r.urn));
        const counted = (kind: ResourceChange["kind"]) => Object.values(expected).filter(([k]) => k === kind).length;
        expect(diff.summary).toEqual({
            add: counted("add"),
            remove: counted("remove"),
            update: counted("update"),
            replace: counted("replace"),
            same: urns.size - Object.keys(expected).length,
        });
        // The order of the resources does not matter.
        for (const seed of [1, 7, 42]) {
            expect(diffPlans(doc(shuffled(base, seed)), doc(shuffled(head, seed + 1)))).toEqual(diff);
        }
    });

    test("a resource replaced with its provider keeps its input changes; one replaced only through it has none", () => {
        const grown = withInputs(release, { ...release.inputs, values: { replicas: 2 } });
        const diff = diffPlans(doc(BASE), doc(swap(BASE, moved, grown)));
        const byName = new Map(diff.resources.map((r) => [r.name, r]));
        expect(byName.get("flyte")).toEqual({
            urn: release.urn,
            type: RELEASE,
            name: "flyte",
            kind: "replace",
            changes: [{ path: "values.replicas", before: 1, after: 2 }],
            replaceReasons: [REPLACED_PROVIDER],
        });
        expect(byName.get("gke-k8s")).toEqual({
            urn: provider.urn,
            type: K8S,
            name: "gke-k8s",
            kind: "replace",
            changes: [],
            replaceReasons: [`kubeconfig (from replaced ${CLUSTER} gke)`],
        });
        const text = renderDiff(diff, LABEL);
        expect(text).toContain(`\n+- ${RELEASE}  flyte  (replace: ${REPLACED_PROVIDER})\n       values.replicas: 1 → 2\n`);
        expect(text).toContain(`\n+- ${K8S}  gke-k8s  (replace: kubeconfig (from replaced ${CLUSTER} gke))\n\n`);
    });
});

describe("renderDiff shows a long or multi-line value around its first difference", () => {
    /** 300 characters, no two neighbours alike, so that any window of it is recognisable. */
    const ALPHABET = Array.from({ length: 300 }, (_, i) => String.fromCharCode(97 + (i % 26))).join("");
    const at = (text: string, offset: number, piece: string) => `${text.slice(0, offset)}${piece}${text.slice(offset + 1)}`;
    /** The same as a list of 30 strings of 10 characters: 391 characters of JSON. */
    const TENS = Array.from({ length: 30 }, (_, i) => ALPHABET.slice(i * 10, i * 10 + 10));

    function rendered(before: Json, after: Json): { lines: string[]; change: PropertyChange } {
        const r = res(CONFIG_MAP, "cm", { data: { value: before } });
        const diff = diffPlans(doc([r]), doc([withInputs(r, { data: { value: after } })]));
        const lines = renderDiff(diff, LABEL).split("\n");
        const start = lines.findIndex((l) => l.startsWith("       data.value: "));
        const end = lines.indexOf("", start);
        return { lines: lines.slice(start, end), change: diff.resources[0].changes[0] };
    }

    test("a 300-character value changed at character 184: both sides from 40 before it to 100 after it, aligned on it", () => {
        const after = at(ALPHABET, 184, "#");
        const { lines, change } = rendered(ALPHABET, after);
        expect(lines).toEqual([
            "       data.value: (300 → 300 characters, first difference at offset 184)",
            `         - "…${ALPHABET.slice(144, 284)}…"`,
            `         + "…${after.slice(144, 284)}…"`,
        ]);
        expect(lines[1].indexOf(ALPHABET[184], 13 + 40)).toBe(lines[2].indexOf("#"));
        // The JSON form keeps both values whole, and the offset.
        expect(change).toEqual({ path: "data.value", before: ALPHABET, after, firstDifference: 184 });
    });

    test.each<[string, Json, Json, number, string[]]>([
        ["at the first character: nothing cut before", ALPHABET, `#${ALPHABET.slice(1)}`, 0, [`- "${ALPHABET.slice(0, 100)}…"`, `+ "#${ALPHABET.slice(1, 100)}…"`]],
        ["at the last character: nothing cut after", ALPHABET, at(ALPHABET, 299, "#"), 299, [`- "…${ALPHABET.slice(259)}"`, `+ "…${ALPHABET.slice(259, 299)}#"`]],
        ["text added at the end", ALPHABET, `${ALPHABET}+more`, 300, [`- "…${ALPHABET.slice(260)}"`, `+ "…${ALPHABET.slice(260)}+more"`]],
        ["a short value grown long", "short", ALPHABET, 0, ['- "short"', `+ "${ALPHABET.slice(0, 100)}…"`]],
        ["quotes and backslashes escaped as in JSON", `${"x".repeat(200)}"a\\b"`, `${"x".repeat(200)}"a\\c"`, 203, [`- "…${"x".repeat(37)}\\"a\\\\b\\""`, `+ "…${"x".repeat(37)}\\"a\\\\c\\""`]],
        [
            "not a string: its JSON, the offset into it",
            TENS,
            [...TENS.slice(0, 29), "changed", "added"],
            1 + 29 * 13 + 1, // past `[`, 29 times `"abcdefghij",` and the opening quote
            [`- …${JSON.stringify(TENS).slice(339)}`, `+ …${JSON.stringify([...TENS.slice(0, 29), "changed", "added"]).slice(339)}`],
        ],
    ])("%s", (_label, before, after, offset, details) => {
        const { lines, change } = rendered(before, after);
        expect(change.firstDifference).toBe(offset);
        expect(lines.slice(1)).toEqual(details.map((d) => `         ${d}`));
    });

    test.each([0, 39, 40, 41, 159, 160, 161, 184, 250, 299])("the first difference, at %d, is always shown, in the same column on both sides", (offset) => {
        const { lines } = rendered(ALPHABET, at(ALPHABET, offset, "#"));
        const column = lines[2].indexOf("#");
        expect(column).toBeGreaterThan(0);
        expect(lines[1][column]).toBe(ALPHABET[offset]);
        expect(lines[1].slice(0, 11)).toBe("         - ");
        expect(lines[1].slice(11, column)).toBe(lines[2].slice(11, column));
    });

    const YAML_BEFORE = [
        "apiVersion: v1",
        "kind: ServiceAccount",
        "metadata:",
        "  name: default",
        "  namespace: '{{ namespace }}'",
        "  annotations:",
        "    iam.gke.io/gcp-service-account: worker@acme.iam.gserviceaccount.com",
        "",
    ].join("\n");

    test("a multi-line string (YAML embedded in Helm values): the changed line with -/+ and two lines of context", () => {
        const after = YAML_BEFORE.replace("worker@", "backend@");
        const { lines, change } = rendered(YAML_BEFORE, after);
        expect(lines).toEqual([
            `       data.value: (7 → 7 lines, first difference at offset ${YAML_BEFORE.indexOf("worker@")}, line 7)`,
            "         @@ -5,3 +5,3 @@",
            "             namespace: '{{ namespace }}'",
            "             annotations:",
            "         -     iam.gke.io/gcp-service-account: worker@acme.iam.gserviceaccount.com",
            "         +     iam.gke.io/gcp-service-account: backend@acme.iam.gserviceaccount.com",
        ]);
        expect(change).toEqual({ path: "data.value", before: YAML_BEFORE, after, firstDifference: YAML_BEFORE.indexOf("worker@") });
    });

    test("changes far apart are separate hunks; lines added and removed; an empty line keeps its mark", () => {
        const before = ["a", "b", "c", "d", "e", "f", "g", "h", "i", "j"].join("\n");
        const after = ["a", "", "c", "d", "e", "f", "g", "h", "j", "k"].join("\n");
        expect(rendered(before, after).lines).toEqual([
            "       data.value: (10 → 10 lines, first difference at offset 2, line 2)",
            "         @@ -1,4 +1,4 @@",
            "           a",
            "         - b",
            "         +",
            "           c",
            "           d",
            "         @@ -7,4 +7,4 @@",
            "           g",
            "           h",
            "         - i",
            "         - j",
            `         ${NO_NEWLINE}`,
            "         + j",
            "         + k",
            `         ${NO_NEWLINE}`,
        ]);
    });

    test("a long line of a multi-line string is cut around its own first difference; a long diff stops after 40 lines", () => {
        const line = (piece: string) => at(ALPHABET, 200, piece);
        expect(rendered(`head\n${ALPHABET}\n`, `head\n${line("#")}\n`).lines.slice(2)).toEqual([
            "           head",
            `         - …${ALPHABET.slice(160)}`,
            `         + …${line("#").slice(160)}`,
        ]);
        const many = (n: number, tag: string) => Array.from({ length: n }, (_, i) => `${tag}${i}`).join("\n");
        const { lines } = rendered(`${many(30, "a")}\n`, `${many(30, "b")}\n`);
        expect(lines).toHaveLength(1 + 40);
        expect(lines[1]).toBe("         @@ -1,30 +1,30 @@");
        expect(lines[2]).toBe("         - a0");
        // A hunk header, 30 lines removed and 30 added: 39 of them shown, the other 22 counted.
        expect(lines[39]).toBe("         + b7");
        expect(lines[40]).toBe("         … 22 more lines");
    });

    test("outputs too: the output line, then the details", () => {
        const diff = diffPlans(doc([], { logs: ALPHABET }), doc([], { logs: at(ALPHABET, 184, "#") }));
        expect(diff.outputs).toEqual([{ name: "logs", kind: "update", before: ALPHABET, after: at(ALPHABET, 184, "#"), firstDifference: 184 }]);
        expect(renderDiff(diff, LABEL).split("\n").slice(2, 6)).toEqual([
            "Outputs:",
            "~  logs: (300 → 300 characters, first difference at offset 184)",
            `         - "…${ALPHABET.slice(144, 284)}…"`,
            `         + "…${at(ALPHABET, 184, "#").slice(144, 284)}…"`,
        ]);
    });

    test.each<[string, Json | undefined, Json | undefined, number | undefined]>([
        ["short values are shown whole", "a", "b", undefined],
        ["a value on one side only", undefined, ALPHABET, undefined],
        ["a long value", ALPHABET, at(ALPHABET, 7, "#"), 7],
        ["a short multi-line string", "a\nb", "a\nc", 2],
        ["a string made multi-line", "a", "a\n", 1],
        ["a long list", ALPHABET.split(""), ALPHABET.split("").reverse(), 2],
    ])("firstDifferenceOf: %s", (_label, before, after, expected) => {
        expect(firstDifferenceOf(before, after)).toBe(expected);
    });
});
