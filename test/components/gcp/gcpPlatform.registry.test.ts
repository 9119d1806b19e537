import type { GcpStackConfig, RegistryConfig } from "../../../components/contract/config";
import { flyteWorkloads } from "../../../components/contract/identities";
import { commonPlatformArgs } from "../../../components/contract/platform";
import { GcpPlatform } from "../../../components/gcp/gcpPlatform";
import { gcpNames } from "../../../components/gcp/names";
import { githubAttributeCondition } from "../../../components/gcp/taskImageRegistry";
import { mockProjectNumber } from "../../../lib/plan/mocks";
import type { RecordedResource } from "../../../lib/plan/monitor";
import type { Plan } from "../../../lib/plan/runPlan";
import { component, runComponents } from "../../helpers/components";
import { gcpStackConfig } from "../../helpers/config";
import { ofType, only } from "../../helpers/plan";

/**
 * GcpPlatform with a registry for task images: nothing of it without one (no API, repository, pool or grant, no
 * extra outputs); with one, the Artifact Registry API and TaskImageRegistry under the platform, the node service
 * account the only reader, with push from GitHub the STS API, the CI account the only writer and the registry's
 * outputs in extraOutputs. No grant at project level, and every other grant as without a registry.
 */

const stack = gcpStackConfig();
const PROJECT = stack.gcp.project;
const REGION = stack.gcp.region;
const names = gcpNames({ pulumiProject: "flyte", stack: "test", gcpProject: PROJECT });
const REPO = "acme/flyte-tasks";
const GITHUB: RegistryConfig = { keepVersions: 10, untaggedDays: 3, githubPush: { repository: REPO, ref: "refs/heads/main", environment: "" } };

function planPlatform(config: GcpStackConfig, registry: RegistryConfig | undefined): Promise<Plan> {
    return runComponents(() => {
        const platform = new GcpPlatform("gcp", { ...commonPlatformArgs(config, flyteWorkloads(config.flyte)), config: config.gcp, registry });
        return {
            extraOutputs: platform.extraOutputs ?? "none",
            nodeServiceAccount: platform.gke.nodeServiceAccount.email,
            identities: platform.identity.identities,
            releaseDependencies: platform.releaseDependencies.map((r) => r.urn),
        };
    });
}

const services = (plan: Plan) => ofType(plan, "gcp:projects/service:Service").map((s) => String(s.inputs.service));
const REGISTRY_TYPES = [
    "flyte:gcp:TaskImageRegistry",
    "gcp:artifactregistry/repository:Repository",
    "gcp:artifactregistry/repositoryIamMember:RepositoryIamMember",
    "gcp:iam/workloadIdentityPool:WorkloadIdentityPool",
    "gcp:iam/workloadIdentityPoolProvider:WorkloadIdentityPoolProvider",
];

/** Every IAM grant of the plan, whatever it binds on. */
function iamGrants(plan: Plan): RecordedResource[] {
    return plan.resources.filter((r) => /iam(member|binding|policy)$/i.test(r.type));
}

const describeGrant = (r: RecordedResource) => `${r.type.split(":").pop()} ${String(r.inputs.role)} ${String(r.inputs.member)}`;

let without: Plan;
beforeAll(async () => {
    without = await planPlatform(stack, undefined);
});

test("without a registry: no Artifact Registry or STS API, no repository, pool or CI account, no extra outputs", () => {
    expect(services(without)).not.toContain("artifactregistry.googleapis.com");
    expect(services(without)).not.toContain("sts.googleapis.com");
    for (const type of REGISTRY_TYPES) {
        expect([type, ofType(without, type)]).toEqual([type, []]);
    }
    expect(ofType(without, "gcp:serviceaccount/account:Account").map((a) => a.inputs.accountId)).not.toContain(names.ciPushServiceAccount);
    expect(iamGrants(without).filter((g) => /artifactregistry|workloadIdentityPools/.test(JSON.stringify(g.inputs)))).toEqual([]);
    expect(without.outputs.extraOutputs).toBe("none");
});

describe("a registry without push from GitHub", () => {
    let plan: Plan;
    beforeAll(async () => {
        plan = await planPlatform(stack, { keepVersions: 20, untaggedDays: 7 });
    });

    test("the Artifact Registry API, not STS; the repository under the platform, in the stack's region", () => {
        expect(services(plan)).toContain("artifactregistry.googleapis.com");
        expect(services(plan)).not.toContain("sts.googleapis.com");
        expect(component(plan, "flyte:gcp:TaskImageRegistry").parent).toBe(component(plan, "flyte:gcp:GcpPlatform").urn);
        expect(only(plan, "gcp:artifactregistry/repository:Repository").inputs).toMatchObject({
            project: PROJECT,
            location: REGION,
            repositoryId: names.taskImageRepository,
            format: "DOCKER",
        });
        expect(ofType(plan, "gcp:iam/workloadIdentityPool:WorkloadIdentityPool")).toEqual([]);
    });

    test("the cluster's node service account is the only reader, of this repository only", () => {
        const nodes = `serviceAccount:${String(plan.outputs.nodeServiceAccount)}`;
        const added = iamGrants(plan).filter((g) => !iamGrants(without).some((w) => w.urn === g.urn));
        expect(added.map(describeGrant)).toEqual([`RepositoryIamMember roles/artifactregistry.reader ${nodes}`]);
        expect(added[0].inputs.repository).toBe(names.taskImageRepository);
    });

    test("extraOutputs: the registry's address only", () => {
        expect(plan.outputs.extraOutputs).toEqual({ registryUrl: `${REGION}-docker.pkg.dev/${PROJECT}/${names.taskImageRepository}` });
    });
});

describe("a registry with push from GitHub's main branch", () => {
    let plan: Plan;
    const ciEmail = `${names.ciPushServiceAccount}@${PROJECT}.iam.gserviceaccount.com`;
    const poolName = `projects/${mockProjectNumber(PROJECT)}/locations/global/workloadIdentityPools/${names.githubPool}`;
    beforeAll(async () => {
        plan = await planPlatform(stack, GITHUB);
    });

    test("the Artifact Registry and STS APIs; the provider admits the repository's main branch only", () => {
        expect(services(plan)).toEqual(expect.arrayContaining(["artifactregistry.googleapis.com", "sts.googleapis.com"]));
        expect(only(plan, "gcp:iam/workloadIdentityPoolProvider:WorkloadIdentityPoolProvider").inputs.attributeCondition).toBe(
            githubAttributeCondition(GITHUB.githubPush ?? { repository: "", ref: "", environment: "" }),
        );
    });

    test("exactly three new grants: nodes read, CI writes this repository, the repository's workflows impersonate CI", () => {
        const nodes = `serviceAccount:${String(plan.outputs.nodeServiceAccount)}`;
        const added = iamGrants(plan).filter((g) => !iamGrants(without).some((w) => w.urn === g.urn));
        expect(added.map(describeGrant).sort()).toEqual(
            [
                `RepositoryIamMember roles/artifactregistry.reader ${nodes}`,
                `RepositoryIamMember roles/artifactregistry.writer serviceAccount:${ciEmail}`,
                `IAMMember roles/iam.workloadIdentityUser principalSet://iam.googleapis.com/${poolName}/attribute.repository/${REPO}`,
            ].sort(),
        );
        // Flyte's own identities (backend, task pods) get nothing on the registry.
        const identities = Object.values(plan.outputs.identities as Record<string, string>).map((e) => `serviceAccount:${e}`);
        expect(added.filter((g) => identities.includes(String(g.inputs.member)))).toEqual([]);
    });

    test("nothing at project level, and every grant of the stack without a registry unchanged", () => {
        const projectIam = (p: Plan) => iamGrants(p).filter((g) => g.type.startsWith("gcp:projects/")).map(describeGrant).sort();
        expect(projectIam(plan)).toEqual(projectIam(without));
        const before = (p: Plan) =>
            iamGrants(p)
                .filter((g) => iamGrants(without).some((w) => w.urn === g.urn))
                .map((g) => `${g.urn} ${describeGrant(g)}`)
                .sort();
        expect(before(plan)).toEqual(before(without));
        expect(iamGrants(plan).filter((g) => String(g.inputs.role).startsWith("roles/artifactregistry.") && !g.type.startsWith("gcp:artifactregistry/"))).toEqual([]);
    });

    test("extraOutputs: the registry's address, the CI account's email and the provider's full name", () => {
        expect(plan.outputs.extraOutputs).toEqual({
            registryUrl: `${REGION}-docker.pkg.dev/${PROJECT}/${names.taskImageRepository}`,
            ciPushIdentity: ciEmail,
            ciWorkloadIdentityProvider: `${poolName}/providers/${names.githubProvider}`,
        });
    });

    test("Flyte's release waits for nothing of the registry", () => {
        expect(plan.outputs.releaseDependencies).toEqual(without.outputs.releaseDependencies);
    });
});
