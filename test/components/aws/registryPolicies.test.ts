import {
    ecrRepositoryArn,
    githubPushTrustPolicy,
    githubSubject,
    PUSH_ACTIONS,
    registryKeyPolicy,
    registryLifecyclePolicy,
    registryPushPolicy,
} from "../../../components/aws/registryPolicies";
import type { GithubPushConfig } from "../../../components/contract/config";
import { SIMULATED_ACCOUNT, simulateRequest } from "../../helpers/iamSimulator";

/**
 * The task image registry's documents (components/aws/registryPolicies.ts): the lifecycle rules as ECR's rules allow
 * them, the push role's permissions simulated (this repository only), and its trust evaluated for GitHub's tokens.
 */

const REPO = ecrRepositoryArn({ partition: "aws", region: "eu-central-1", accountId: SIMULATED_ACCOUNT, repositoryName: "flyte-test-task-images" });
const OTHER_REPO = ecrRepositoryArn({ partition: "aws", region: "eu-central-1", accountId: SIMULATED_ACCOUNT, repositoryName: "someone-else" });
const ROLE = `arn:aws:iam::${SIMULATED_ACCOUNT}:role/flyte-test-ci-push`;
const PROVIDER = `arn:aws:iam::${SIMULATED_ACCOUNT}:oidc-provider/token.actions.githubusercontent.com`;

describe("registryLifecyclePolicy", () => {
    const policy = JSON.parse(registryLifecyclePolicy({ keepVersions: 20, untaggedDays: 7 })) as {
        rules: { rulePriority: number; selection: Record<string, unknown>; action: { type: string } }[];
    };

    test("untagged images expire after untaggedDays; the newest keepVersions tagged images stay", () => {
        expect(policy.rules.map((r) => [r.rulePriority, r.selection, r.action])).toEqual([
            [1, { tagStatus: "untagged", countType: "sinceImagePushed", countUnit: "days", countNumber: 7 }, { type: "expire" }],
            [2, { tagStatus: "tagged", tagPatternList: ["*"], countType: "imageCountMoreThan", countNumber: 20 }, { type: "expire" }],
        ]);
    });

    test("as ECR's rules require: unique priorities, one untagged rule, a tag filter on tagged rules, days only with sinceImagePushed", () => {
        expect(new Set(policy.rules.map((r) => r.rulePriority)).size).toBe(policy.rules.length);
        expect(policy.rules.filter((r) => r.selection.tagStatus !== "tagged")).toHaveLength(1);
        for (const rule of policy.rules) {
            const s = rule.selection;
            expect(s.tagStatus === "tagged" ? Boolean(s.tagPatternList ?? s.tagPrefixList) : s.tagPatternList === undefined && s.tagPrefixList === undefined).toBe(true);
            expect(s.countUnit === undefined || s.countType === "sinceImagePushed").toBe(true);
            expect(Number.isInteger(s.countNumber) && (s.countNumber as number) > 0).toBe(true);
            const patterns = (s.tagPatternList ?? []) as string[];
            expect(patterns.every((p) => (p.match(/\*/g) ?? []).length <= 4)).toBe(true);
        }
        // An `any` rule would have to come last; there is none.
        expect(policy.rules.some((r) => r.selection.tagStatus === "any")).toBe(false);
    });

    test("refuses counts ECR refuses", () => {
        expect(() => registryLifecyclePolicy({ keepVersions: 0, untaggedDays: 7 })).toThrow(/keepVersions/);
        expect(() => registryLifecyclePolicy({ keepVersions: 3, untaggedDays: 1.5 })).toThrow(/untaggedDays/);
    });
});

test("registryKeyPolicy: the account administers the key, nobody else is named", () => {
    expect(JSON.parse(registryKeyPolicy({ partition: "aws-cn", accountId: SIMULATED_ACCOUNT }))).toEqual({
        Version: "2012-10-17",
        Statement: [{ Sid: "AccountAdministersTheKey", Effect: "Allow", Principal: { AWS: `arn:aws-cn:iam::${SIMULATED_ACCOUNT}:root` }, Action: "kms:*", Resource: "*" }],
    });
});

describe("registryPushPolicy, simulated", () => {
    const identity = [{ document: registryPushPolicy(REPO), where: "push role policy" }];
    const may = (action: string, resource: string) =>
        simulateRequest({ principal: ROLE, action, resource, context: { "aws:PrincipalArn": ROLE } }, identity, undefined);

    test("the role pushes to this repository", async () => {
        for (const action of PUSH_ACTIONS) {
            expect([action, await may(action, REPO)]).toEqual([action, "Allowed"]);
        }
    });

    test("gets a registry token, whose action has no resource-level permissions", async () => {
        await expect(may("ecr:GetAuthorizationToken", "*")).resolves.toBe("Allowed");
    });

    test("pushes to no other repository, and deletes nothing, changes no policy", async () => {
        for (const action of PUSH_ACTIONS) {
            expect([action, await may(action, OTHER_REPO)]).toEqual([action, "ImplicitlyDenied"]);
        }
        for (const action of ["ecr:BatchDeleteImage", "ecr:SetRepositoryPolicy", "ecr:DeleteRepository", "ecr:PutLifecyclePolicy", "ecr:CreateRepository"]) {
            expect([action, await may(action, REPO)]).toEqual([action, "ImplicitlyDenied"]);
        }
    });
});

/**
 * The trust, evaluated as STS evaluates a web identity request: the Federated principal and every condition, each key
 * present in the token. The IAM simulator (test/helpers/iamSimulator.ts) does not know the generic `<issuer>:sub` and
 * `<issuer>:aud` keys (iam-data lists only GitHub's custom claims for sts) and would ignore them, so this evaluates
 * StringEquals and StringLike itself.
 */
function trustAdmits(trust: string, token: { provider: string; aud: string; sub: string }): boolean {
    const doc = JSON.parse(trust) as {
        Statement: { Effect: string; Principal: { Federated: string }; Action: string; Condition: Record<string, Record<string, string | string[]>> }[];
    };
    const claims: Record<string, string> = {
        "token.actions.githubusercontent.com:aud": token.aud,
        "token.actions.githubusercontent.com:sub": token.sub,
    };
    const glob = (pattern: string) => new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".")}$`);
    return doc.Statement.some(
        (s) =>
            s.Effect === "Allow" &&
            s.Action === "sts:AssumeRoleWithWebIdentity" &&
            s.Principal.Federated === token.provider &&
            Object.entries(s.Condition).every(([operator, keys]) =>
                Object.entries(keys).every(([key, values]) => {
                    const value = claims[key];
                    if (value === undefined) {
                        throw new Error(`the trust tests ${key}, which a GitHub token has no value for here`);
                    }
                    const list = Array.isArray(values) ? values : [values];
                    switch (operator) {
                        case "StringEquals":
                            return list.includes(value);
                        case "StringLike":
                            return list.some((p) => glob(p).test(value));
                        default:
                            throw new Error(`operator ${operator} is not evaluated here`);
                    }
                }),
            ),
    );
}

describe("githubPushTrustPolicy", () => {
    const push = (ref: string, environment: string): GithubPushConfig => ({ repository: "ml-team/pipelines", ref, environment });
    const admits = (config: GithubPushConfig, sub: string, aud = "sts.amazonaws.com", provider = PROVIDER) =>
        trustAdmits(githubPushTrustPolicy({ providerArn: PROVIDER, push: config }), { provider, aud, sub });

    test("the documented shape: GitHub's provider, AssumeRoleWithWebIdentity, aud and sub", () => {
        expect(JSON.parse(githubPushTrustPolicy({ providerArn: PROVIDER, push: push("refs/heads/main", "") }))).toEqual({
            Version: "2012-10-17",
            Statement: [
                {
                    Effect: "Allow",
                    Principal: { Federated: PROVIDER },
                    Action: "sts:AssumeRoleWithWebIdentity",
                    Condition: {
                        StringEquals: {
                            "token.actions.githubusercontent.com:aud": "sts.amazonaws.com",
                            "token.actions.githubusercontent.com:sub": "repo:ml-team/pipelines:ref:refs/heads/main",
                        },
                    },
                },
            ],
        });
    });

    test("with a ref: that ref of the repository, no other ref, repository, fork, audience or provider", () => {
        const config = push("refs/heads/main", "");
        expect(admits(config, "repo:ml-team/pipelines:ref:refs/heads/main")).toBe(true);
        expect(admits(config, "repo:ml-team/pipelines:ref:refs/heads/feature")).toBe(false);
        expect(admits(config, "repo:ml-team/pipelines:pull_request")).toBe(false);
        expect(admits(config, "repo:ml-team/pipelines:environment:production")).toBe(false);
        expect(admits(config, "repo:someone/pipelines:ref:refs/heads/main")).toBe(false);
        expect(admits(config, "repo:ml-team/pipelines-fork:ref:refs/heads/main")).toBe(false);
        expect(admits(config, "repo:ml-team/pipelines:ref:refs/heads/main", "https://github.com/ml-team")).toBe(false);
        expect(admits(config, "repo:ml-team/pipelines:ref:refs/heads/main", "sts.amazonaws.com", `arn:aws:iam::${SIMULATED_ACCOUNT}:oidc-provider/gitlab.com`)).toBe(false);
    });

    test("with an environment: jobs of that environment only (GitHub's subject then names no ref)", () => {
        const config = push("", "production");
        expect(githubSubject(config)).toEqual({ operator: "StringEquals", value: "repo:ml-team/pipelines:environment:production" });
        expect(admits(config, "repo:ml-team/pipelines:environment:production")).toBe(true);
        expect(admits(config, "repo:ml-team/pipelines:environment:staging")).toBe(false);
        expect(admits(config, "repo:ml-team/pipelines:ref:refs/heads/main")).toBe(false);
        expect(admits(config, "repo:someone/pipelines:environment:production")).toBe(false);
        // Both set: the environment decides, since the token's subject carries only it.
        expect(githubSubject(push("refs/heads/main", "production")).value).toBe("repo:ml-team/pipelines:environment:production");
    });

    test("with neither: any workflow of the repository, still no other repository or fork", () => {
        const config = push("", "");
        expect(githubSubject(config)).toEqual({ operator: "StringLike", value: "repo:ml-team/pipelines:*" });
        expect(admits(config, "repo:ml-team/pipelines:ref:refs/heads/feature")).toBe(true);
        expect(admits(config, "repo:ml-team/pipelines:pull_request")).toBe(true);
        expect(admits(config, "repo:ml-team/pipelines-fork:ref:refs/heads/main")).toBe(false);
        expect(admits(config, "repo:fork-owner/pipelines:ref:refs/heads/main")).toBe(false);
        expect(admits(config, "repo:ml-team/pipelines:ref:refs/heads/main", "sigstore")).toBe(false);
    });

    test("refuses a repository that is not owner/repo (a wildcard would widen the trust)", () => {
        expect(() => githubSubject({ repository: "ml-team/*", ref: "", environment: "" })).toThrow(/owner\/repo/);
        expect(() => githubSubject({ repository: "ml-team", ref: "", environment: "" })).toThrow(/owner\/repo/);
    });
});
