import { parse } from "yaml";
import { dataLocationBucket, ISOLATED_DOMAINS, ISOLATED_PROJECTS, isolatedStackFile, isolatedStorage, planRevealingSecrets, RevealedPlan } from "../helpers/isolationPlan";
import { describeProjectIsolation } from "../helpers/isolationSuite";
import { byName, mapOutput, ofType, only } from "../helpers/plan";
import { MinioScript, minioUserAllows, parseMinioScript, StorageRequest } from "../helpers/storageAccess";
import { at } from "../helpers/json";

/**
 * Local (Pulumi.local.yaml with projectIsolation on for x and y): project x's task pods have no access to project
 * y's data in MinIO. The chain is followed through what the plan registers: the storage Secret in each project
 * namespace holds an access key; the MinIO credentials Secret hands that key to the bucket job as `$VAR`; the job's
 * mc script attaches policies to the user `$VAR`; the policies decide.
 */

const STACK = "local-isolation";
const SECRET = "kubernetes:core/v1:Secret";
const JOB = "kubernetes:batch/v1:Job";
const stackFile = isolatedStackFile("local");
let revealed: RevealedPlan;
beforeAll(async () => {
    revealed = await planRevealingSecrets(STACK, stackFile);
});
const plan = () => revealed.plan;

interface BucketJob {
    readonly script: MinioScript;
    readonly rawScript: string;
    /** Environment variable -> the key of the credentials Secret it is read from. */
    readonly env: Record<string, { secret: string; key: string }>;
}

function bucketJob(): BucketJob {
    const job = byName(plan(), JOB, "local-minio-buckets");
    const container = at(job.inputs, "spec", "template", "spec", "containers", 0);
    const rawScript = String(at(container, "args", 0));
    const env: Record<string, { secret: string; key: string }> = {};
    const entries = at(container, "env");
    for (const entry of Array.isArray(entries) ? entries : []) {
        const ref = at(entry, "valueFrom", "secretKeyRef");
        const name = at(entry, "name");
        if (ref !== undefined && typeof name === "string") {
            env[name] = { secret: String(at(ref, "name")), key: String(at(ref, "key")) };
        }
    }
    return { script: parseMinioScript(rawScript), rawScript, env };
}

/** The revealed stringData of the Secret named `name` in `namespace`. */
function secretData(namespace: string, name: string): Record<string, string> {
    const found = ofType(plan(), SECRET).filter(
        (s) => at(s.inputs, "metadata", "name") === name && at(s.inputs, "metadata", "namespace") === namespace,
    );
    if (found.length !== 1) {
        throw new Error(`expected one Secret ${namespace}/${name}, found ${found.length}`);
    }
    // The plan shows it redacted; the revealed inputs hold the mocks' generated keys.
    expect(found[0].inputs.stringData).toBe("[secret]");
    const data = revealed.revealed(SECRET, found[0].name).stringData;
    if (typeof data !== "object" || data === null || Array.isArray(data)) {
        throw new Error(`Secret ${namespace}/${name} has no stringData`);
    }
    return Object.fromEntries(Object.entries(data).map(([k, v]) => [k, String(v)]));
}

/** The bucket job's variable holding this access key (exactly one), via the credentials Secret. */
function userVariable(accessKey: string): string {
    const job = byName(plan(), JOB, "local-minio-buckets");
    const namespace = String(at(job.inputs, "metadata", "namespace"));
    const { env } = bucketJob();
    const matches = Object.entries(env).filter(([, ref]) => secretData(namespace, ref.secret)[ref.key] === accessKey);
    if (matches.length !== 1) {
        throw new Error(`expected one variable of the bucket job to hold access key ${accessKey}, found ${matches.length}`);
    }
    return matches[0][0];
}

/** The MinIO user the task pods of a namespace authenticate as. */
function taskPodVariable(namespace: string): string {
    return userVariable(secretData(namespace, "flyte-storage-credentials").FLYTE_AWS_ACCESS_KEY_ID);
}

/** The MinIO user flyte-binary authenticates as (its secret config file). */
function backendVariable(): string {
    const file = secretData("flyte", "flyte-binary-secret-config")["200-secret-config.yaml"];
    const config = parse(file) as { storage: { stow: { config: { access_key_id: string } } } };
    return userVariable(config.storage.stow.config.access_key_id);
}

const namespacesOf = (project: string) => ISOLATED_DOMAINS.map((d) => `${project}-${d}`);
const accessOf = (variable: string) => (request: StorageRequest) => minioUserAllows(bucketJob().script, variable, request);

describeProjectIsolation("local MinIO with projectIsolation (Pulumi.local.yaml + x, y)", () => ({
    ...isolatedStorage(plan(), "s3"),
    // Every namespace of the project must agree; taskPodVariable of the first is checked against the others below.
    worker: (project) => accessOf(taskPodVariable(namespacesOf(project)[0])),
    backends: { "flyte-binary": accessOf(backendVariable()) },
}));

describe("the chain from task pods to MinIO policies", () => {
    test("all namespaces of a project hand their pods the same MinIO user; the projects' users and Flyte's differ", () => {
        const users = ISOLATED_PROJECTS.map((p) => {
            const variables = namespacesOf(p).map(taskPodVariable);
            expect(new Set(variables).size).toBe(1);
            return variables[0];
        });
        expect(new Set([...users, backendVariable()]).size).toBe(ISOLATED_PROJECTS.length + 1);
    });

    test("each project's user has exactly its project's policy; Flyte's has the shared one", () => {
        const { script } = bucketJob();
        for (const project of ISOLATED_PROJECTS) {
            expect(script.userPolicies[taskPodVariable(`${project}-d-dev`)]).toEqual([`flyte-project-${project}`]);
        }
        expect(script.userPolicies[backendVariable()]).toEqual(["flyte-buckets"]);
        expect(Object.keys(script.userPolicies)).toHaveLength(ISOLATED_PROJECTS.length + 1);
    });

    test("the job creates every bucket the verdicts name", () => {
        const { rawScript } = bucketJob();
        const buckets = [plan().outputs.metadataBucket, plan().outputs.userDataBucket, ...Object.values(mapOutput(plan(), "projectDataLocations")).map((l) => dataLocationBucket(l, "s3"))];
        for (const bucket of buckets) {
            expect(rawScript).toContain(`mc mb --ignore-existing local/${String(bucket)}\n`);
        }
    });

    test("task pods read their keys from the namespace's Secret, and no shared key is in their environment", () => {
        const values = only(plan(), "kubernetes:helm.sh/v3:Release").inputs.values;
        expect(at(values, "configuration", "inline", "plugins", "k8s", "default-env-from-secrets")).toEqual(["flyte-storage-credentials"]);
        expect(at(values, "configuration", "inline", "plugins", "k8s", "default-env-vars")).toBeUndefined();
        const storageSecrets = ofType(plan(), SECRET).filter((s) => at(s.inputs, "metadata", "name") === "flyte-storage-credentials");
        expect(storageSecrets.map((s) => at(s.inputs, "metadata", "namespace")).sort()).toEqual(ISOLATED_PROJECTS.flatMap(namespacesOf).sort());
    });

    test("no project namespace's Secret holds Flyte's own key or another project's", () => {
        const flyteKey = secretData("flyte-deps", "minio-credentials").FLYTE_ACCESS_KEY;
        const keysByProject = ISOLATED_PROJECTS.map((project) =>
            namespacesOf(project).map((namespace) => {
                const data = secretData(namespace, "flyte-storage-credentials");
                expect(Object.keys(data).sort()).toEqual(["FLYTE_AWS_ACCESS_KEY_ID", "FLYTE_AWS_ENDPOINT", "FLYTE_AWS_SECRET_ACCESS_KEY"]);
                expect(data.FLYTE_AWS_ACCESS_KEY_ID).toMatch(/^MOCKSTR[0-9A-F]{16}$/);
                expect(data.FLYTE_AWS_ACCESS_KEY_ID).not.toBe(flyteKey);
                return `${data.FLYTE_AWS_ACCESS_KEY_ID}:${data.FLYTE_AWS_SECRET_ACCESS_KEY}`;
            }),
        );
        const [xKeys, yKeys] = keysByProject;
        expect(new Set(xKeys).size).toBe(1);
        expect(new Set(yKeys).size).toBe(1);
        expect(xKeys[0]).not.toBe(yKeys[0]);
    });
});
