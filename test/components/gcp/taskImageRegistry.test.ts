import { celEnv, isCelError, parse, plan as celPlan } from "@bufbuild/cel";
import * as gcp from "@pulumi/gcp";
import type { GithubPushConfig } from "../../../components/contract/config";
import { WORKLOAD_IDENTITY_USER_ROLE } from "../../../components/gcp/iam";
import { gcpNames } from "../../../components/gcp/names";
import {
    cleanupPolicies,
    GITHUB_ACTIONS_ISSUER,
    githubAttributeCondition,
    githubAttributeMapping,
    githubPrincipalSet,
    REGISTRY_READER_ROLE,
    REGISTRY_WRITER_ROLE,
    registryGrants,
    registryUrl,
    TaskImageRegistry,
} from "../../../components/gcp/taskImageRegistry";
import { mockProjectNumber } from "../../../lib/plan/mocks";
import type { Plan } from "../../../lib/plan/runPlan";
import { runComponents } from "../../helpers/components";
import { ofType, only } from "../../helpers/plan";

/**
 * The task image registry (components/gcp/taskImageRegistry.ts): the cleanup policies, the GitHub provider's attribute
 * mapping and condition (evaluated by a CEL engine, as Google evaluates them, against GitHub Actions tokens), the
 * principal set, and what TaskImageRegistry declares under the plan's mocks: the repository, the pool and provider, the
 * CI service account, and exactly which members get which role on what.
 */

const PROJECT = "acme-test";
const REGION = "europe-west1";
const names = gcpNames({ pulumiProject: "flyte", stack: "test", gcpProject: PROJECT });
const NODES = `flyte-test-nodes@${PROJECT}.iam.gserviceaccount.com`;
const REPO = "acme/flyte-tasks";
const NUMBER = mockProjectNumber(PROJECT);

const anyRef: GithubPushConfig = { repository: REPO, ref: "", environment: "" };
const mainOnly: GithubPushConfig = { repository: REPO, ref: "refs/heads/main", environment: "" };
const production: GithubPushConfig = { repository: REPO, ref: "", environment: "production" };
const both: GithubPushConfig = { repository: REPO, ref: "refs/heads/main", environment: "production" };

// ---- Workload Identity Federation, modelled with a CEL engine ----

/** The claims GitHub puts in a workflow job's OIDC token (docs.github.com, "OpenID Connect reference"). */
interface GithubJob {
    readonly repository: string;
    readonly ref: string;
    /** Only a job that names an environment has the claim. */
    readonly environment?: string;
}

function githubToken(job: GithubJob): Map<string, string> {
    const sub = job.environment !== undefined ? `repo:${job.repository}:environment:${job.environment}` : `repo:${job.repository}:ref:${job.ref}`;
    return new Map([
        ["iss", GITHUB_ACTIONS_ISSUER],
        ["sub", sub],
        ["repository", job.repository],
        ["repository_owner", job.repository.split("/")[0]],
        ["ref", job.ref],
        ...(job.environment !== undefined ? [["environment", job.environment] as [string, string]] : []),
    ]);
}

const env = celEnv();

function evaluate(expression: string, bindings: Record<string, Map<string, string>>): unknown {
    return celPlan(env, parse(expression))(bindings);
}

/**
 * What STS does with a token (https://cloud.google.com/iam/docs/workload-identity-federation#mapping): each mapping
 * expression is evaluated on `assertion` (a missing claim leaves its attribute unset), then the condition on the
 * attributes; anything but `true` (false or an error) rejects the token. Returns the attributes when accepted.
 */
function exchange(push: GithubPushConfig, token: Map<string, string>): Map<string, string> | undefined {
    const attributes = new Map<string, string>();
    for (const [target, expression] of Object.entries(githubAttributeMapping(push))) {
        const value = evaluate(expression, { assertion: token });
        if (!isCelError(value) && typeof value === "string") {
            attributes.set(target.replace(/^attribute\./, ""), value);
        }
    }
    const accepted = evaluate(githubAttributeCondition(push), { attribute: attributes, assertion: token });
    return accepted === true ? attributes : undefined;
}

/** Whether the token's principal is in the principal set granted: its `attribute.repository` is the one named. */
function inPrincipalSet(principalSet: string, attributes: Map<string, string>): boolean {
    const match = /\/attribute\.repository\/(.+)$/.exec(principalSet);
    return match !== null && attributes.get("repository") === match[1];
}

type CelExpr = ReturnType<typeof parse>["expr"];

/** The condition's terms, each `attribute.<name> == "<literal>"` joined by `&&`; throws on any other form. */
function conditionTerms(expression: string): [string, string][] {
    const terms: [string, string][] = [];
    const visit = (expr: CelExpr): void => {
        if (expr.exprKind.case !== "callExpr") {
            throw new Error(`not a call: ${expression}`);
        }
        const { function: fn, args } = expr.exprKind.value;
        if (fn === "_&&_") {
            args.forEach(visit);
            return;
        }
        const [left, right] = args;
        if (
            fn === "_==_" &&
            left.exprKind.case === "selectExpr" &&
            left.exprKind.value.operand?.exprKind.case === "identExpr" &&
            left.exprKind.value.operand.exprKind.value.name === "attribute" &&
            right.exprKind.case === "constExpr" &&
            right.exprKind.value.constantKind.case === "stringValue"
        ) {
            terms.push([left.exprKind.value.field, right.exprKind.value.constantKind.value]);
            return;
        }
        throw new Error(`term ${fn} is not attribute.<name> == "<literal>": ${expression}`);
    };
    visit(parse(expression).expr);
    return terms;
}

// ---- Pure parts ----

describe("registryUrl and cleanupPolicies", () => {
    test("the Docker address of the repository", () => {
        expect(registryUrl(REGION, PROJECT, "flyte-test-tasks")).toBe("europe-west1-docker.pkg.dev/acme-test/flyte-test-tasks");
    });

    test("keep the most recent versions, delete untagged ones after the days given, in seconds", () => {
        expect(cleanupPolicies({ keepVersions: 20, untaggedDays: 7 })).toEqual([
            { id: "keep-most-recent", action: "KEEP", mostRecentVersions: { keepCount: 20 } },
            { id: "delete-untagged", action: "DELETE", condition: { tagState: "UNTAGGED", olderThan: "604800s" } },
        ]);
        expect(cleanupPolicies({ keepVersions: 1, untaggedDays: 365 })[1].condition?.olderThan).toBe(`${365 * 24 * 3600}s`);
        // No policy deletes tagged versions.
        for (const policy of cleanupPolicies({ keepVersions: 5, untaggedDays: 1 })) {
            expect([policy.id, policy.action === "KEEP" || policy.condition?.tagState === "UNTAGGED"]).toEqual([policy.id, true]);
        }
    });

    test("refuses counts that are not positive integers", () => {
        expect(() => cleanupPolicies({ keepVersions: 0, untaggedDays: 7 })).toThrow(/keepVersions/);
        expect(() => cleanupPolicies({ keepVersions: 2, untaggedDays: 0.5 })).toThrow(/untaggedDays/);
    });
});

describe("registryGrants", () => {
    test("the nodes read; with push from GitHub the CI account writes; nothing else", () => {
        expect(registryGrants(false)).toEqual([{ principal: "nodes", role: "roles/artifactregistry.reader" }]);
        expect(registryGrants(true)).toEqual([
            { principal: "nodes", role: REGISTRY_READER_ROLE },
            { principal: "ciPush", role: REGISTRY_WRITER_ROLE },
        ]);
    });
});

describe("the GitHub provider's mapping and condition", () => {
    test("maps the subject and the repository, and the ref and environment only when restricted to one", () => {
        expect(githubAttributeMapping(anyRef)).toEqual({ "google.subject": "assertion.sub", "attribute.repository": "assertion.repository" });
        expect(githubAttributeMapping(both)).toEqual({
            "google.subject": "assertion.sub",
            "attribute.repository": "assertion.repository",
            "attribute.ref": "assertion.ref",
            "attribute.environment": "assertion.environment",
        });
        expect(Object.keys(githubAttributeMapping(mainOnly))).not.toContain("attribute.environment");
        expect(Object.keys(githubAttributeMapping(production))).not.toContain("attribute.ref");
    });

    test("the condition names exactly the repository, and the ref and environment when set", () => {
        expect(githubAttributeCondition(anyRef)).toBe('attribute.repository == "acme/flyte-tasks"');
        expect(githubAttributeCondition(both)).toBe(
            'attribute.repository == "acme/flyte-tasks" && attribute.ref == "refs/heads/main" && attribute.environment == "production"',
        );
        for (const push of [anyRef, mainOnly, production, both]) {
            const terms = conditionTerms(githubAttributeCondition(push));
            expect(terms[0]).toEqual(["repository", REPO]);
            // Every attribute the condition reads is mapped.
            const mapped = Object.keys(githubAttributeMapping(push));
            expect(terms.filter(([attribute]) => !mapped.includes(`attribute.${attribute}`))).toEqual([]);
        }
        expect(() => githubAttributeCondition({ ...anyRef, repository: "acme" })).toThrow(/owner\/repo/);
    });

    test("any ref: the repository's workflows are accepted, other repositories' and look-alikes' are not", () => {
        expect(exchange(anyRef, githubToken({ repository: REPO, ref: "refs/heads/main" }))?.get("repository")).toBe(REPO);
        expect(exchange(anyRef, githubToken({ repository: REPO, ref: "refs/pull/7/merge" }))).toBeDefined();
        expect(exchange(anyRef, githubToken({ repository: REPO, ref: "refs/heads/x", environment: "staging" }))).toBeDefined();
        for (const other of ["acme/other", "acme/flyte-tasks-fork", "acme/flyte-task", "acme/flyte-tasksx", "evil/flyte-tasks", "acme-evil/flyte-tasks", "xacme/flyte-tasks"]) {
            expect([other, exchange(anyRef, githubToken({ repository: other, ref: "refs/heads/main" }))]).toEqual([other, undefined]);
        }
    });

    test("one ref: only workflows on it", () => {
        expect(exchange(mainOnly, githubToken({ repository: REPO, ref: "refs/heads/main" }))).toBeDefined();
        for (const ref of ["refs/heads/main2", "refs/heads/mainx", "refs/heads/feature", "refs/tags/main", "refs/pull/1/merge", "refs/heads/Main"]) {
            expect([ref, exchange(mainOnly, githubToken({ repository: REPO, ref }))]).toEqual([ref, undefined]);
        }
        expect(exchange(mainOnly, githubToken({ repository: "acme/other", ref: "refs/heads/main" }))).toBeUndefined();
    });

    test("one environment: only its jobs; a job without an environment is rejected", () => {
        expect(exchange(production, githubToken({ repository: REPO, ref: "refs/heads/x", environment: "production" }))).toBeDefined();
        expect(exchange(production, githubToken({ repository: REPO, ref: "refs/heads/main", environment: "staging" }))).toBeUndefined();
        expect(exchange(production, githubToken({ repository: REPO, ref: "refs/heads/main" }))).toBeUndefined();
        expect(exchange(production, githubToken({ repository: "acme/other", ref: "refs/heads/main", environment: "production" }))).toBeUndefined();
    });

    test("ref and environment: both must hold", () => {
        expect(exchange(both, githubToken({ repository: REPO, ref: "refs/heads/main", environment: "production" }))).toBeDefined();
        expect(exchange(both, githubToken({ repository: REPO, ref: "refs/heads/dev", environment: "production" }))).toBeUndefined();
        expect(exchange(both, githubToken({ repository: REPO, ref: "refs/heads/main", environment: "staging" }))).toBeUndefined();
        expect(exchange(both, githubToken({ repository: REPO, ref: "refs/heads/main" }))).toBeUndefined();
    });
});

describe("githubPrincipalSet", () => {
    const pool = `projects/${NUMBER}/locations/global/workloadIdentityPools/${names.githubPool}`;

    test("the repository's principals in the pool, named through the project's number", () => {
        expect(githubPrincipalSet(pool, REPO)).toBe(
            `principalSet://iam.googleapis.com/projects/${NUMBER}/locations/global/workloadIdentityPools/flyte-test-github/attribute.repository/acme/flyte-tasks`,
        );
    });

    test("takes only a pool's full name with a project number", () => {
        expect(() => githubPrincipalSet(`projects/${PROJECT}/locations/global/workloadIdentityPools/${names.githubPool}`, REPO)).toThrow(/full name/);
        expect(() => githubPrincipalSet(`${pool}/providers/github`, REPO)).toThrow(/full name/);
    });

    test("a token the provider accepts is in the set only for the configured repository", () => {
        const set = githubPrincipalSet(pool, REPO);
        const accepted = exchange(anyRef, githubToken({ repository: REPO, ref: "refs/heads/main" }));
        expect(accepted !== undefined && inPrincipalSet(set, accepted)).toBe(true);
        expect(inPrincipalSet(set, new Map([["repository", "acme/flyte-tasks-fork"]]))).toBe(false);
    });
});

// ---- The component under the plan's mocks ----

const TYPES = {
    repository: "gcp:artifactregistry/repository:Repository",
    repositoryMember: "gcp:artifactregistry/repositoryIamMember:RepositoryIamMember",
    pool: "gcp:iam/workloadIdentityPool:WorkloadIdentityPool",
    provider: "gcp:iam/workloadIdentityPoolProvider:WorkloadIdentityPoolProvider",
    account: "gcp:serviceaccount/account:Account",
    accountMember: "gcp:serviceaccount/iAMMember:IAMMember",
} as const;

function planRegistry(githubPush: GithubPushConfig | undefined, apis: { sts: boolean } = { sts: true }): Promise<Plan> {
    return runComponents(() => {
        const service = (key: string) => new gcp.projects.Service(key, { project: PROJECT, service: `${key}.googleapis.com` });
        const registry = new TaskImageRegistry("reg", {
            project: PROJECT,
            region: REGION,
            names,
            retention: { keepVersions: 20, untaggedDays: 7 },
            githubPush,
            nodeServiceAccount: NODES,
            labels: { app: "flyte" },
            apis: {
                artifactregistry: service("artifactregistry"),
                iam: service("iam"),
                sts: apis.sts ? service("sts") : undefined,
                iamcredentials: service("iamcredentials"),
            },
        });
        return {
            registryUrl: registry.registryUrl,
            ciPushIdentity: registry.ciPushIdentity ?? "none",
            ciWorkloadIdentityProvider: registry.ciWorkloadIdentityProvider ?? "none",
        };
    });
}

/** Every IAM grant of a plan as `<type> <on> <role> <member>`. */
function grants(plan: Plan): string[] {
    return plan.resources
        .filter((r) => /iam(member|binding|policy)$/i.test(r.type))
        .map((r) => `${r.type.split(":").pop()} ${String(r.inputs.repository ?? r.inputs.serviceAccountId ?? r.inputs.project)} ${String(r.inputs.role)} ${String(r.inputs.member)}`)
        .sort();
}

const apiUrn = (plan: Plan, key: string) => plan.resources.find((r) => r.type === "gcp:projects/service:Service" && r.name === key)?.urn;

describe("TaskImageRegistry without push from GitHub", () => {
    let plan: Plan;
    beforeAll(async () => {
        plan = await planRegistry(undefined);
    });

    test("a Docker repository in the region, named by gcpNames, labelled, with its cleanup policies on, after its API", () => {
        const repository = only(plan, TYPES.repository);
        expect(repository.inputs).toEqual({
            project: PROJECT,
            location: REGION,
            repositoryId: names.taskImageRepository,
            format: "DOCKER",
            description: "Flyte task images",
            cleanupPolicies: [
                { id: "keep-most-recent", action: "KEEP", mostRecentVersions: { keepCount: 20 } },
                { id: "delete-untagged", action: "DELETE", condition: { tagState: "UNTAGGED", olderThan: "604800s" } },
            ],
            cleanupPolicyDryRun: false,
            labels: { app: "flyte" },
        });
        expect(repository.dependencies).toEqual([apiUrn(plan, "artifactregistry")]);
        expect(plan.outputs.registryUrl).toBe(`${REGION}-docker.pkg.dev/${PROJECT}/${names.taskImageRepository}`);
    });

    test("the nodes' read on this repository is the only grant; no pool, provider or CI account", () => {
        expect(grants(plan)).toEqual([`RepositoryIamMember ${names.taskImageRepository} roles/artifactregistry.reader serviceAccount:${NODES}`]);
        expect(only(plan, TYPES.repositoryMember).inputs).toMatchObject({ project: PROJECT, location: REGION });
        for (const type of [TYPES.pool, TYPES.provider, TYPES.account, TYPES.accountMember]) {
            expect(ofType(plan, type)).toEqual([]);
        }
        expect(plan.outputs.ciPushIdentity).toBe("none");
        expect(plan.outputs.ciWorkloadIdentityProvider).toBe("none");
    });
});

describe("TaskImageRegistry with push from GitHub, one ref and one environment", () => {
    let plan: Plan;
    const ciEmail = `${names.ciPushServiceAccount}@${PROJECT}.iam.gserviceaccount.com`;
    const poolName = `projects/${NUMBER}/locations/global/workloadIdentityPools/${names.githubPool}`;
    beforeAll(async () => {
        plan = await planRegistry(both);
    });

    test("a pool and a GitHub provider admitting only the repository's main branch in production", () => {
        expect(only(plan, TYPES.pool).inputs).toMatchObject({ project: PROJECT, workloadIdentityPoolId: names.githubPool });
        expect(only(plan, TYPES.provider).inputs).toEqual({
            project: PROJECT,
            workloadIdentityPoolId: names.githubPool,
            workloadIdentityPoolProviderId: names.githubProvider,
            displayName: "GitHub Actions",
            attributeMapping: githubAttributeMapping(both),
            attributeCondition: githubAttributeCondition(both),
            oidc: { issuerUri: "https://token.actions.githubusercontent.com" },
        });
        // Google refuses a GitHub provider without a condition; this one is never empty.
        expect(String(only(plan, TYPES.provider).inputs.attributeCondition)).toContain(`attribute.repository == "${REPO}"`);
        const provider = only(plan, TYPES.provider);
        expect(new Set(provider.dependencies)).toEqual(new Set([apiUrn(plan, "iam"), apiUrn(plan, "sts"), only(plan, TYPES.pool).urn]));
    });

    test("exactly: the nodes read and the CI account writes this repository; the repository's workflows impersonate the CI account", () => {
        expect(grants(plan)).toEqual(
            [
                `RepositoryIamMember ${names.taskImageRepository} roles/artifactregistry.reader serviceAccount:${NODES}`,
                `RepositoryIamMember ${names.taskImageRepository} roles/artifactregistry.writer serviceAccount:${ciEmail}`,
                `IAMMember projects/${PROJECT}/serviceAccounts/${ciEmail} ${WORKLOAD_IDENTITY_USER_ROLE} principalSet://iam.googleapis.com/${poolName}/attribute.repository/${REPO}`,
            ].sort(),
        );
        expect(only(plan, TYPES.account).inputs).toMatchObject({ project: PROJECT, accountId: names.ciPushServiceAccount });
    });

    test("nothing at project level, no conditions, no keys, member bindings only", () => {
        expect(plan.resources.filter((r) => r.type.startsWith("gcp:projects/") && r.type !== "gcp:projects/service:Service")).toEqual([]);
        expect(plan.resources.filter((r) => /iam(binding|policy)$|serviceaccount\/key/i.test(r.type))).toEqual([]);
        for (const grant of [...ofType(plan, TYPES.repositoryMember), ...ofType(plan, TYPES.accountMember)]) {
            expect(grant.inputs.condition).toBeUndefined();
        }
    });

    test("the outputs: the registry's address, the CI account's email and the provider's full name", () => {
        expect(plan.outputs).toEqual({
            registryUrl: `${REGION}-docker.pkg.dev/${PROJECT}/${names.taskImageRepository}`,
            ciPushIdentity: ciEmail,
            ciWorkloadIdentityProvider: `${poolName}/providers/${names.githubProvider}`,
        });
    });
});

test("any ref: the provider maps and checks the repository only", async () => {
    const plan = await planRegistry(anyRef);
    expect(only(plan, TYPES.provider).inputs).toMatchObject({
        attributeMapping: { "google.subject": "assertion.sub", "attribute.repository": "assertion.repository" },
        attributeCondition: `attribute.repository == "${REPO}"`,
    });
});

test("push from GitHub refuses to be declared without the STS API", async () => {
    await expect(planRegistry(anyRef, { sts: false })).rejects.toThrow(/sts and iamcredentials/);
});
