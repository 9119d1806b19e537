import * as aws from "@pulumi/aws";
import { FlyteRoles } from "../../../components/aws/flyteRoles";
import { flyteWorkloads } from "../../../components/contract/identities";
import { awsNames } from "../../../components/aws/names";
import { s3ReadWritePolicy } from "../../../components/contract/s3Access";
import type { RecordedResource } from "../../../lib/plan/monitor";
import type { Plan } from "../../../lib/plan/runPlan";
import { childrenOf, component, runComponents } from "../../helpers/components";
import { awsStackConfig } from "../../helpers/config";
import { byName, ofType } from "../../helpers/plan";

const ISSUER = "https://oidc.eks.eu-central-1.amazonaws.com/id/0123456789ABCDEF0123456789ABCDEF";
const ISSUER_HOST = "oidc.eks.eu-central-1.amazonaws.com/id/0123456789ABCDEF0123456789ABCDEF";
const PROVIDER_ARN = `arn:aws:iam::123456789012:oidc-provider/${ISSUER_HOST}`;
const METADATA_ARN = "arn:aws:s3:::flyte-test-123456789012-eu-central-1-metadata";
const USERDATA_ARN = "arn:aws:s3:::flyte-test-123456789012-eu-central-1-userdata";
const ROLE = "aws:iam/role:Role";

let plan: Plan;

beforeAll(async () => {
    const config = awsStackConfig({ "flyte:flyteProjects": '["flytesnacks","analytics"]', "flyte:flyteDomains": '["dev","prod"]' });
    plan = await runComponents(() => {
        const metadata = new aws.s3.Bucket("metadata", { bucket: "flyte-test-123456789012-eu-central-1-metadata" });
        const userData = new aws.s3.Bucket("userdata", { bucket: "flyte-test-123456789012-eu-central-1-userdata" });
        const names = awsNames({ pulumiProject: "flyte", stack: "test" });
        const roleNames: Record<string, string> = { backend: names.backendRole, worker: names.workerRole };
        const roles = new FlyteRoles("roles", {
            roles: flyteWorkloads(config.flyte).identities.map((request) => ({ request, roleName: roleNames[request.key] })),
            oidcProviderArn: PROVIDER_ARN,
            oidcIssuerUrl: ISSUER,
            bucketArns: { metadata: metadata.arn, userData: userData.arn, projects: {} },
            tags: { app: "flyte" },
        });
        return { backend: roles.roles.backend.arn, worker: roles.roles.worker.arn };
    });
});

function trust(role: RecordedResource): unknown {
    return JSON.parse(String(role.inputs.assumeRolePolicy)) as unknown;
}

function irsaTrust(subject: string | string[]): unknown {
    return {
        Version: "2012-10-17",
        Statement: [
            {
                Effect: "Allow",
                Principal: { Federated: PROVIDER_ARN },
                Action: "sts:AssumeRoleWithWebIdentity",
                Condition: { StringEquals: { [`${ISSUER_HOST}:aud`]: "sts.amazonaws.com", [`${ISSUER_HOST}:sub`]: subject } },
            },
        ],
    };
}

test("two roles, named per stack, owned by the component", () => {
    const roles = ofType(plan, ROLE);
    expect(roles.map((r) => r.inputs.name).sort()).toEqual(["flyte-test-flyte-backend", "flyte-test-flyte-worker"]);
    const owner = component(plan, "flyte:aws:FlyteRoles");
    for (const role of roles) {
        expect(role.parent).toBe(owner.urn);
        expect(role.inputs.tags).toEqual({ app: "flyte" });
    }
    expect(plan.outputs).toEqual({
        backend: "arn:aws:iam::123456789012:role/flyte-test-flyte-backend",
        worker: "arn:aws:iam::123456789012:role/flyte-test-flyte-worker",
    });
});

test("the backend role trusts exactly flyte:flyte-binary of this cluster, for the STS audience", () => {
    expect(trust(byName(plan, ROLE, "roles-backend"))).toEqual(irsaTrust("system:serviceaccount:flyte:flyte-binary"));
});

test("the worker role trusts exactly the default account of each project-domain namespace", () => {
    expect(trust(byName(plan, ROLE, "roles-worker"))).toEqual(
        irsaTrust([
            "system:serviceaccount:analytics-dev:default",
            "system:serviceaccount:analytics-prod:default",
            "system:serviceaccount:flytesnacks-dev:default",
            "system:serviceaccount:flytesnacks-prod:default",
        ]),
    );
});

test("no wildcard subject and no StringLike in either trust policy", () => {
    for (const role of ofType(plan, ROLE)) {
        const text = String(role.inputs.assumeRolePolicy);
        expect(text).not.toContain("*");
        expect(text).not.toContain("StringLike");
    }
});

test("each role has exactly one inline policy: read and write on Flyte's two buckets", () => {
    const policies = ofType(plan, "aws:iam/rolePolicy:RolePolicy");
    expect(policies.map((p) => p.inputs.role).sort()).toEqual(["flyte-test-flyte-backend", "flyte-test-flyte-worker"]);
    const expected = s3ReadWritePolicy([METADATA_ARN, USERDATA_ARN]);
    for (const policy of policies) {
        expect(policy.inputs.name).toBe("flyte-buckets");
        expect(policy.inputs.policy).toBe(expected);
    }
    expect(JSON.parse(expected)).toMatchObject({
        Statement: [{ Resource: [METADATA_ARN, USERDATA_ARN] }, { Resource: [`${METADATA_ARN}/*`, `${USERDATA_ARN}/*`] }],
    });
});

test("the inline policies wait for the buckets and their roles", () => {
    for (const [policyName, roleName] of [
        ["roles-backend-s3", "roles-backend"],
        ["roles-worker-s3", "roles-worker"],
    ] as const) {
        const policy = byName(plan, "aws:iam/rolePolicy:RolePolicy", policyName);
        expect(policy.dependencies).toEqual(
            expect.arrayContaining([
                byName(plan, ROLE, roleName).urn,
                byName(plan, "aws:s3/bucket:Bucket", "metadata").urn,
                byName(plan, "aws:s3/bucket:Bucket", "userdata").urn,
            ]),
        );
    }
});

test("no managed policies, no other grants", () => {
    expect(ofType(plan, "aws:iam/rolePolicyAttachment:RolePolicyAttachment")).toEqual([]);
    expect(ofType(plan, "aws:iam/policy:Policy")).toEqual([]);
    expect(ofType(plan, "aws:iam/policyAttachment:PolicyAttachment")).toEqual([]);
    expect(childrenOf(plan, component(plan, "flyte:aws:FlyteRoles")).map((r) => r.type).sort()).toEqual([
        "aws:iam/role:Role",
        "aws:iam/role:Role",
        "aws:iam/rolePolicy:RolePolicy",
        "aws:iam/rolePolicy:RolePolicy",
    ]);
});
