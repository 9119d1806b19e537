import { AwsPlatform } from "../../../components/aws/awsPlatform";
import { awsNames, registryNames } from "../../../components/aws/names";
import { flyteWorkloads } from "../../../components/contract/identities";
import { commonPlatformArgs, type FlytePlatform } from "../../../components/contract/platform";
import { MOCK_AWS_ACCOUNT, mockEcrRepositoryUrl } from "../../../lib/plan/mocks";
import type { Plan } from "../../../lib/plan/runPlan";
import { runComponents } from "../../helpers/components";
import { awsStackConfig } from "../../helpers/config";
import { byName, ofType } from "../../helpers/plan";

/**
 * How AwsPlatform wires the task image registry (components/aws/taskImageRegistry.ts is tested on its own): with
 * `registry` the repository and, with a GitHub repository, CI's push role, stated in extraOutputs; the nodes pull
 * with AmazonEC2ContainerRegistryPullOnly; without `registry` nothing of it exists.
 */

const REGISTRY_TYPES = [
    "flyte:aws:TaskImageRegistry",
    "aws:ecr/repository:Repository",
    "aws:ecr/lifecyclePolicy:LifecyclePolicy",
];
const NAMES = registryNames({ pulumiProject: "flyte", stack: "test" });

function planPlatform(overrides: Record<string, string>): Promise<Plan> {
    const config = awsStackConfig(overrides);
    return runComponents(() => {
        const platform: FlytePlatform = new AwsPlatform("aws", { ...commonPlatformArgs(config, flyteWorkloads(config.flyte)), config: config.aws });
        return { extraOutputKeys: Object.keys(platform.extraOutputs ?? {}).sort(), ...platform.extraOutputs };
    });
}

describe("with a registry and GitHub push", () => {
    let plan: Plan;
    beforeAll(async () => {
        plan = await planPlatform({ "flyte:registry": "true", "flyte:ciGithubRepository": "ml-team/pipelines", "flyte:ciGithubEnvironment": "production" });
    });

    test("the repository and CI's push role, stated as registryUrl and ciPushIdentity", () => {
        expect(byName(plan, "aws:ecr/repository:Repository", "aws-registry-repository").inputs.name).toBe(NAMES.repository);
        expect(plan.outputs.extraOutputKeys).toEqual(["ciPushIdentity", "registryUrl"]);
        expect(plan.outputs.ciPushIdentity).toBe(`arn:aws:iam::${MOCK_AWS_ACCOUNT}:role/${NAMES.ciPushRole}`);
        expect(plan.outputs.registryUrl).toBe(mockEcrRepositoryUrl(NAMES.repository));
        const trust = JSON.parse(String(byName(plan, "aws:iam/role:Role", "aws-registry-ci-push").inputs.assumeRolePolicy)) as {
            Statement: { Condition: { StringEquals: Record<string, string> } }[];
        };
        expect(trust.Statement[0].Condition.StringEquals["token.actions.githubusercontent.com:sub"]).toBe("repo:ml-team/pipelines:environment:production");
    });

    test("the nodes pull with AmazonEC2ContainerRegistryPullOnly, which covers every repository of the account", () => {
        const nodeRole = awsNames({ pulumiProject: "flyte", stack: "test" }).nodeRole;
        const attached = ofType(plan, "aws:iam/rolePolicyAttachment:RolePolicyAttachment").filter((a) => a.inputs.role === nodeRole);
        expect(attached.map((a) => a.inputs.policyArn)).toContain("arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryPullOnly");
    });
});

describe("with a registry, no GitHub push", () => {
    test("registryUrl only; no OIDC provider for GitHub, no push role", async () => {
        const plan = await planPlatform({ "flyte:registry": "true" });
        expect(plan.outputs.extraOutputKeys).toEqual(["registryUrl"]);
        expect(ofType(plan, "aws:iam/openIdConnectProvider:OpenIdConnectProvider").map((p) => p.inputs.url)).not.toContain("https://token.actions.githubusercontent.com");
        expect(ofType(plan, "aws:iam/role:Role").map((r) => r.inputs.name)).not.toContain(NAMES.ciPushRole);
    });
});

describe("without a registry", () => {
    test("nothing of it exists and the platform states no extra outputs", async () => {
        const plan = await planPlatform({});
        expect(REGISTRY_TYPES.filter((type) => ofType(plan, type).length > 0)).toEqual([]);
        expect(ofType(plan, "aws:kms/key:Key").map((k) => k.name)).not.toContain("aws-registry-key");
        expect(ofType(plan, "aws:kms/alias:Alias").map((a) => a.inputs.name)).not.toContain(NAMES.keyAlias);
        expect(ofType(plan, "aws:iam/role:Role").map((r) => r.inputs.name)).not.toContain(NAMES.ciPushRole);
        expect(ofType(plan, "aws:iam/openIdConnectProvider:OpenIdConnectProvider").map((p) => p.inputs.url)).not.toContain("https://token.actions.githubusercontent.com");
        expect(plan.outputs.extraOutputKeys).toEqual([]);
    });
});
