import { taskNamespaceKeys } from "../../../components/flyte/taskNamespaces";

/**
 * Which key the task pods of each project-domain namespace get on a store with static keys (MinIO): with project
 * isolation only the project's own key, never Flyte's; without it Flyte's everywhere; each namespace once.
 */

const pairs = [
    { project: "alpha", namespace: "alpha-development" },
    { project: "alpha", namespace: "alpha-production" },
    { project: "beta", namespace: "beta-development" },
    { project: "beta", namespace: "beta-production" },
];

test("shared: every namespace gets the one key, in config order", () => {
    expect(taskNamespaceKeys(pairs, { kind: "shared", key: "flyte" })).toEqual([
        { namespace: "alpha-development", key: "flyte" },
        { namespace: "alpha-production", key: "flyte" },
        { namespace: "beta-development", key: "flyte" },
        { namespace: "beta-production", key: "flyte" },
    ]);
});

test("per project: each project's namespaces get its own key", () => {
    expect(taskNamespaceKeys(pairs, { kind: "perProject", keys: { alpha: "key-alpha", beta: "key-beta" } })).toEqual([
        { namespace: "alpha-development", key: "key-alpha" },
        { namespace: "alpha-production", key: "key-alpha" },
        { namespace: "beta-development", key: "key-beta" },
        { namespace: "beta-production", key: "key-beta" },
    ]);
});

test("per project: a project without a key of its own gets no namespace and no key, never another's", () => {
    const keys = taskNamespaceKeys(pairs, { kind: "perProject", keys: { alpha: "key-alpha" } });
    expect(keys.map((k) => k.namespace)).toEqual(["alpha-development", "alpha-production"]);
    expect(keys.map((k) => k.key)).toEqual(["key-alpha", "key-alpha"]);
});

test("domains that share a namespace give it one Secret, not one per domain", () => {
    const shared = [
        { project: "solo", namespace: "flyte-work" },
        { project: "solo", namespace: "flyte-work" },
        { project: "solo", namespace: "flyte-work" },
    ];
    expect(taskNamespaceKeys(shared, { kind: "shared", key: "flyte" })).toEqual([{ namespace: "flyte-work", key: "flyte" }]);
    expect(taskNamespaceKeys(shared, { kind: "perProject", keys: { solo: "key-solo" } })).toEqual([{ namespace: "flyte-work", key: "key-solo" }]);
});

test("no projects, no namespaces", () => {
    expect(taskNamespaceKeys([], { kind: "shared", key: "flyte" })).toEqual([]);
});
