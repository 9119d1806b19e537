import * as fs from "fs";
import { parse } from "yaml";
import { TRUST_POLICY_MAX, trustPolicySize } from "../../components/config/aws";
import { ISOLATION_OUTPUTS, SHARED_WORKER_OUTPUTS } from "../../components/contract/outputs";
import type { Plan } from "../../lib/plan/runPlan";
import { dataLocationBucket, ISOLATED_DOMAINS, isolatedStackFile, isolatedStorage } from "../helpers/isolationPlan";
import { describeProjectIsolation } from "../helpers/isolationSuite";
import { mapOutput, ofType, planStack, runPlanCommand, stackFileConfig } from "../helpers/plan";
import { iamRoleSimulatedAllows } from "../helpers/iamSimulator";
import { iamRoleAllows, iamRoleName, iamRolePolicies, StorageRequest } from "../helpers/storageAccess";

/**
 * AWS (Pulumi.eks.yaml with projectIsolation on for projects x and y): project x's task role has no access to
 * project y's data and lists exactly within its own prefixes, judged from the RolePolicy documents and bucket
 * policies the plan registers by an IAM policy simulator (@cloud-copilot/iam-simulate), which the hand-written
 * evaluator must agree with on every request.
 */

const STACK = "eks-isolation";
const stackFile = isolatedStackFile("eks");
let plan: Plan;
beforeAll(async () => {
    plan = await planStack(STACK, stackFile);
});

const access = (roleArn: string) => async (request: StorageRequest) => {
    const role = iamRoleName(plan, roleArn);
    const simulated = await iamRoleSimulatedAllows(plan, role, request);
    const handWritten = iamRoleAllows(plan, role, request);
    if (simulated !== handWritten) {
        throw new Error(`the IAM simulator (${simulated}) and the hand-written evaluator (${handWritten}) disagree on ${JSON.stringify(request)} for ${role}`);
    }
    return simulated;
};

test("the stack file is Pulumi.eks.yaml's config with isolation on for x and y", () => {
    const doc = parse(fs.readFileSync(stackFile, "utf8")) as { config: Record<string, unknown> };
    expect(doc.config).toEqual({
        ...stackFileConfig("eks"),
        "flyte:projectIsolation": true,
        "flyte:flyteProjects": ["x", "y"],
        "flyte:flyteDomains": [...ISOLATED_DOMAINS],
    });
});

test("exports each project's role and data location, and no shared worker role", () => {
    for (const key of ISOLATION_OUTPUTS) {
        expect(Object.keys(mapOutput(plan, key)).sort()).toEqual(["x", "y"]);
    }
    for (const key of SHARED_WORKER_OUTPUTS) {
        expect(plan.outputs[key]).toBeUndefined();
    }
});

describeProjectIsolation("AWS with projectIsolation (Pulumi.eks.yaml + x, y)", () => {
    const workers = mapOutput(plan, "projectWorkerServiceAccounts");
    return {
        ...isolatedStorage(plan, "s3"),
        worker: (project) => access(workers[project]),
        backends: { backend: access(String(plan.outputs.backendServiceAccount)) },
    };
});

describe("AWS roles behind the verdicts", () => {
    test("each project's role trusts exactly the default service account of its own namespaces", () => {
        const workers = mapOutput(plan, "projectWorkerServiceAccounts");
        for (const [project, arn] of Object.entries(workers)) {
            const role = ofType(plan, "aws:iam/role:Role").find((r) => r.inputs.name === iamRoleName(plan, arn));
            const trust = JSON.parse(String(role?.inputs.assumeRolePolicy)) as {
                Statement: { Action: string; Condition: { StringEquals: Record<string, string | string[]> } }[];
            };
            expect(trust.Statement).toHaveLength(1);
            expect(trust.Statement[0].Action).toBe("sts:AssumeRoleWithWebIdentity");
            const conditions = trust.Statement[0].Condition.StringEquals;
            const subjects = Object.entries(conditions).filter(([k]) => k.endsWith(":sub"));
            expect(subjects).toHaveLength(1);
            expect([subjects[0][1]].flat().sort()).toEqual(ISOLATED_DOMAINS.map((d) => `system:serviceaccount:${project}-${d}:default`).sort());
            expect(Object.entries(conditions).filter(([k]) => k.endsWith(":aud")).map(([, v]) => v)).toEqual(["sts.amazonaws.com"]);
        }
    });

    test("each project's trust policy stays within IAM's cap and within what config validation estimated", () => {
        for (const [project, arn] of Object.entries(mapOutput(plan, "projectWorkerServiceAccounts"))) {
            const role = ofType(plan, "aws:iam/role:Role").find((r) => r.inputs.name === iamRoleName(plan, arn));
            const compact = JSON.stringify(JSON.parse(String(role?.inputs.assumeRolePolicy)));
            const estimate = trustPolicySize(ISOLATED_DOMAINS.map((d) => ({ namespace: `${project}-${d}`, name: "default" })));
            expect(compact.length).toBeLessThanOrEqual(estimate);
            expect(estimate).toBeLessThanOrEqual(TRUST_POLICY_MAX);
        }
    });

    test("each project's role has one inline policy and nothing attached", () => {
        for (const arn of Object.values(mapOutput(plan, "projectWorkerServiceAccounts"))) {
            expect(iamRolePolicies(plan, iamRoleName(plan, arn))).toHaveLength(1);
        }
        const roleNames = Object.values(mapOutput(plan, "projectWorkerServiceAccounts")).map((arn) => iamRoleName(plan, arn));
        const attachments = ofType(plan, "aws:iam/rolePolicyAttachment:RolePolicyAttachment").filter((a) => roleNames.includes(String(a.inputs.role)));
        expect(attachments).toEqual([]);
    });

    test("every bucket refuses plain HTTP, the one thing its policy says", () => {
        const buckets = [plan.outputs.metadataBucket, plan.outputs.userDataBucket, ...Object.values(mapOutput(plan, "projectDataLocations")).map((l) => dataLocationBucket(l, "s3"))];
        for (const bucket of buckets) {
            const policies = ofType(plan, "aws:s3/bucketPolicy:BucketPolicy").filter((p) => p.inputs.bucket === bucket);
            expect(policies).toHaveLength(1);
            const doc = JSON.parse(String(policies[0].inputs.policy)) as { Statement: { Effect: string; Condition: unknown }[] };
            expect(doc.Statement.map((s) => [s.Effect, s.Condition])).toEqual([["Deny", { Bool: { "aws:SecureTransport": "false" } }]]);
        }
    });

    test("npm run plan with the same stack file exports the same project locations", async () => {
        // The command in this process, given this file's plan (the program runs once per test file).
        const result = await runPlanCommand(["--stack", STACK, "--stack-file", stackFile, "--json"], () => Promise.resolve(plan));
        expect(result.status).toBe(0);
        const printed = JSON.parse(result.stdout) as { outputs: Record<string, unknown> };
        expect(printed.outputs.projectDataLocations).toEqual(plan.outputs.projectDataLocations);
    });
});
