import { registryNames } from "../../../components/aws/names";
import { ecrRepositoryArn, registryLifecyclePolicy, registryPushPolicy } from "../../../components/aws/registryPolicies";
import { TaskImageRegistry, TaskImageRegistryArgs } from "../../../components/aws/taskImageRegistry";
import { MOCK_AWS_ACCOUNT } from "../../../lib/plan/mocks";
import type { Plan } from "../../../lib/plan/runPlan";
import { childrenOf, component, runComponents } from "../../helpers/components";
import { byName, ofType } from "../../helpers/plan";

/** TaskImageRegistry under the plan's mocks: the repository's settings, its key, lifecycle and the CI push role. */

const NAMES = registryNames({ pulumiProject: "flyte", stack: "test" });
const TAGS = { "flyte-stack": "test" };

function args(overrides: Partial<TaskImageRegistryArgs> = {}): TaskImageRegistryArgs {
    return {
        names: NAMES,
        region: "eu-central-1",
        accountId: MOCK_AWS_ACCOUNT,
        config: { keepVersions: 20, untaggedDays: 7, githubPush: { repository: "ml-team/pipelines", ref: "refs/heads/main", environment: "" } },
        deletionProtection: true,
        forceDelete: false,
        tags: TAGS,
        ...overrides,
    };
}

function plan(a: TaskImageRegistryArgs): Promise<Plan> {
    return runComponents(() => {
        const registry = new TaskImageRegistry("registry", a);
        return { repositoryUrl: registry.repositoryUrl, pushRoleArn: registry.pushRoleArn };
    });
}

describe("with GitHub push", () => {
    let p: Plan;
    beforeAll(async () => {
        p = await plan(args());
    });

    test("an immutable, scanned repository encrypted with its own rotating key, both protected", () => {
        const repo = byName(p, "aws:ecr/repository:Repository", "registry-repository");
        const key = byName(p, "aws:kms/key:Key", "registry-key");
        expect(repo.inputs).toMatchObject({
            name: NAMES.repository,
            imageTagMutability: "IMMUTABLE",
            imageScanningConfiguration: { scanOnPush: true },
            encryptionConfigurations: [{ encryptionType: "KMS", kmsKey: expect.stringMatching(/^arn:aws:kms:/) as unknown }],
            forceDelete: false,
            tags: TAGS,
        });
        expect(key.inputs).toMatchObject({ enableKeyRotation: true });
        expect(JSON.parse(String(key.inputs.policy))).toMatchObject({ Statement: [{ Principal: { AWS: `arn:aws:iam::${MOCK_AWS_ACCOUNT}:root` } }] });
        expect([repo.protect, key.protect]).toEqual([true, true]);
        expect(byName(p, "aws:kms/alias:Alias", "registry-key").inputs.name).toBe(NAMES.keyAlias);
    });

    test("the lifecycle policy of the configured counts, on this repository", () => {
        const lifecycle = byName(p, "aws:ecr/lifecyclePolicy:LifecyclePolicy", "registry-lifecycle");
        expect(lifecycle.inputs.repository).toBe(NAMES.repository);
        expect(lifecycle.inputs.policy).toBe(registryLifecyclePolicy({ keepVersions: 20, untaggedDays: 7 }));
    });

    test("GitHub's OIDC provider without thumbprints, and a push role trusting it for the repository's main branch", () => {
        const provider = byName(p, "aws:iam/openIdConnectProvider:OpenIdConnectProvider", "registry-github");
        expect(provider.inputs).toMatchObject({ url: "https://token.actions.githubusercontent.com", clientIdLists: ["sts.amazonaws.com"] });
        expect(provider.inputs.thumbprintLists).toBeUndefined();
        const role = byName(p, "aws:iam/role:Role", "registry-ci-push");
        expect(role.inputs.name).toBe(NAMES.ciPushRole);
        const trust = JSON.parse(String(role.inputs.assumeRolePolicy)) as { Statement: { Principal: unknown; Condition: unknown }[] };
        expect(trust.Statement[0].Principal).toEqual({ Federated: `arn:aws:iam::${MOCK_AWS_ACCOUNT}:oidc-provider/token.actions.githubusercontent.com` });
        expect(trust.Statement[0].Condition).toEqual({
            StringEquals: {
                "token.actions.githubusercontent.com:aud": "sts.amazonaws.com",
                "token.actions.githubusercontent.com:sub": "repo:ml-team/pipelines:ref:refs/heads/main",
            },
        });
        expect(p.outputs.pushRoleArn).toBe(`arn:aws:iam::${MOCK_AWS_ACCOUNT}:role/${NAMES.ciPushRole}`);
    });

    test("the push role's one policy grants push to this repository only", () => {
        const policies = ofType(p, "aws:iam/rolePolicy:RolePolicy");
        expect(policies.map((r) => [r.inputs.role, r.inputs.name])).toEqual([[NAMES.ciPushRole, "push-task-images"]]);
        const arn = ecrRepositoryArn({ partition: "aws", region: "eu-central-1", accountId: MOCK_AWS_ACCOUNT, repositoryName: NAMES.repository });
        expect(policies[0].inputs.policy).toBe(registryPushPolicy(arn));
    });

    test("everything is a child of the component", () => {
        const owner = component(p, "flyte:aws:TaskImageRegistry");
        expect(childrenOf(p, owner).map((r) => r.type).sort()).toEqual(
            [
                "aws:ecr/lifecyclePolicy:LifecyclePolicy",
                "aws:ecr/repository:Repository",
                "aws:iam/openIdConnectProvider:OpenIdConnectProvider",
                "aws:iam/role:Role",
                "aws:iam/rolePolicy:RolePolicy",
                "aws:kms/alias:Alias",
                "aws:kms/key:Key",
            ].sort(),
        );
    });
});

describe("without GitHub push, unprotected, force delete", () => {
    let p: Plan;
    beforeAll(async () => {
        p = await plan(args({ config: { keepVersions: 3, untaggedDays: 1 }, deletionProtection: false, forceDelete: true }));
    });

    test("no provider, role or policy; the repository deletes its images with it", () => {
        expect(ofType(p, "aws:iam/openIdConnectProvider:OpenIdConnectProvider")).toEqual([]);
        expect(ofType(p, "aws:iam/role:Role")).toEqual([]);
        expect(ofType(p, "aws:iam/rolePolicy:RolePolicy")).toEqual([]);
        expect(p.outputs.pushRoleArn).toBeUndefined();
        const repo = byName(p, "aws:ecr/repository:Repository", "registry-repository");
        expect(repo.inputs.forceDelete).toBe(true);
        expect(repo.protect).toBe(false);
        expect(byName(p, "aws:kms/key:Key", "registry-key").protect).toBe(false);
    });
});
