import * as k8s from "@pulumi/kubernetes";
import type { FlyteConfig } from "../../../components/contract/config";
import { FlyteCore } from "../../../components/flyte/flyteCore";
import type { Plan } from "../../../lib/plan/runPlan";
import { runComponents } from "../../helpers/components";
import { localStackConfig } from "../../helpers/config";
import { InputCapture } from "../../helpers/flyteCoreFixtures";
import { ofType } from "../../helpers/plan";
import { minioLikePlatform } from "../../helpers/testPlatforms";
import { stringMapAt } from "../../helpers/json";

/**
 * Which access key the task pods of an access-key object store (MinIO) get, through FlyteCore: with project
 * isolation each project's own key, and a project the platform does not isolate (no bucket, hence no key: the
 * storage type gives both or neither) fails the plan instead of falling back to the shared key (which reaches every
 * project's bucket); without isolation the shared key, whatever else the platform offers.
 */

const SHARED = { id: "SHAREDKEYID0000001", secret: "shared-secret-key/0001" };
const ALPHA = { id: "ALPHAKEYID00000001", secret: "alpha-secret-key/0001" };
const BETA = { id: "BETAKEYID000000002", secret: "beta-secret-key/0002" };
const MINIO = "http://minio.flyte-deps.svc.cluster.local:9000";
const SECRET_TYPE = "kubernetes:core/v1:Secret";
const PROJECTS = ["alpha", "beta"];
const DOMAINS = ["development", "staging", "production"];

type Key = { readonly id: string; readonly secret: string };

function flyteConfig(isolation: boolean): FlyteConfig {
    return localStackConfig({
        "flyte:flavor": "core",
        "flyte:projectIsolation": String(isolation),
        "flyte:flyteProjects": JSON.stringify(PROJECTS),
    }).flyte;
}

/** FlyteCore on a MinIO platform that isolates the projects of `projectKeys`, each with its bucket and that key. */
function declareFlyteCore(flyte: FlyteConfig, projectKeys: Readonly<Record<string, Key>>, capture?: InputCapture): Record<string, unknown> {
    const provider = new k8s.Provider("cluster", { kubeconfig: "{}" });
    const platform = minioLikePlatform({
        provider,
        dbPassword: "db-password",
        accessKey: SHARED,
        projects: Object.fromEntries(Object.entries(projectKeys).map(([p, key]) => [p, { bucket: `flyte-data-${p}`, key }])),
        releaseDependencies: [],
    });
    const flyteCore = new FlyteCore("flyte", { flyte, platform, labels: {} }, { transformations: capture ? [capture.transformation] : [] });
    return { httpEndpoint: flyteCore.httpEndpoint };
}

const NAMESPACES = PROJECTS.flatMap((p) => DOMAINS.map((d) => ({ project: p, namespace: `${p}-${d}` })));

/** The keys each project-domain namespace's storage Secret hands task pods, by namespace. */
async function taskKeys(plan: Plan, capture: InputCapture): Promise<Record<string, string>> {
    const secrets = ofType(plan, SECRET_TYPE).filter((s) => /^flyte-tasks-.*-storage$/.test(s.name));
    expect(secrets.map((s) => s.name).sort()).toEqual(NAMESPACES.map((n) => `flyte-tasks-${n.namespace}-storage`).sort());
    const keys: Record<string, string> = {};
    for (const { namespace } of NAMESPACES) {
        const data = stringMapAt(await capture.inputs(SECRET_TYPE, `flyte-tasks-${namespace}-storage`), "stringData");
        expect(data.FLYTE_AWS_ENDPOINT).toBe(MINIO);
        keys[namespace] = `${data.FLYTE_AWS_ACCESS_KEY_ID}:${data.FLYTE_AWS_SECRET_ACCESS_KEY}`;
    }
    return keys;
}

const pair = (key: Key) => `${key.id}:${key.secret}`;
const wanted = (type: string, name: string) => type === SECRET_TYPE && name.startsWith("flyte-tasks-");

// Each test runs its own program, one after the other (the Pulumi runtime is global; jest runs a file's tests in turn).

test("with projectIsolation each project's namespaces get its own key, never the shared one", async () => {
    const capture = new InputCapture(wanted);
    const plan = await runComponents(() => declareFlyteCore(flyteConfig(true), { alpha: ALPHA, beta: BETA }, capture));
    const keys = await taskKeys(plan, capture);
    expect(keys).toEqual(Object.fromEntries(NAMESPACES.map((n) => [n.namespace, pair(n.project === "alpha" ? ALPHA : BETA)])));
    expect(Object.values(keys)).not.toContain(pair(SHARED));
});

test("with projectIsolation a project the store does not isolate (no bucket, no key) fails the plan, naming the project", async () => {
    await expect(runComponents(() => declareFlyteCore(flyteConfig(true), { alpha: ALPHA }))).rejects.toThrow(
        "the platform gave no data bucket for project(s) beta",
    );
});

test("with projectIsolation a platform that isolates no project at all fails, naming every project", async () => {
    await expect(runComponents(() => declareFlyteCore(flyteConfig(true), {}))).rejects.toThrow(
        "the platform gave no data bucket for project(s) alpha, beta",
    );
});

test("without projectIsolation every namespace gets the shared key, even where the platform offers project keys", async () => {
    const capture = new InputCapture(wanted);
    const plan = await runComponents(() => declareFlyteCore(flyteConfig(false), { alpha: ALPHA }, capture));
    expect(await taskKeys(plan, capture)).toEqual(Object.fromEntries(NAMESPACES.map((n) => [n.namespace, pair(SHARED)])));
});
