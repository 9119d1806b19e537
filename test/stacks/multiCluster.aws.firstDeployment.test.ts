/**
 * The first deployment of a multi-cluster Flyte on AWS (README "Order of the first deployment" and "On AWS: one VPC,
 * one account, trust across clusters"), in this process:
 *
 * - the control plane eks-control before any of its data planes has outputs: it plans (its stack references reading
 *   stacks that were never deployed), warns once per data plane, and declares what it can without them; its task roles
 *   trust only its own cluster until the data planes are registered; what it publishes for them is what it publishes
 *   once they are (eks-control's shared plan), so the data planes deployed in between need no second `pulumi up`;
 * - the data plane eks-batch before its control plane, and against a control plane it cannot join (another region,
 *   another account, a block its VPC cannot take): each ends before anything is declared, with one line saying why.
 *
 * What every cloud's first deployment must do: firstControlPlaneSuite (test/helpers/multiClusterFirstDeployment.ts);
 * the GKE counterparts: multiCluster.firstDeployment.test.ts and multiCluster.dataPlaneFirst.test.ts.
 */
import { MOCK_AWS_ACCOUNT } from "../../lib/plan/mocks";
import type { RecordedResource } from "../../lib/plan/monitor";
import { type ReferencedStack, referencedStack } from "../../lib/plan/references";
import type { Plan } from "../../lib/plan/runPlan";
import type { Json } from "../../lib/plan/wire";
import { webIdentityTrust } from "../helpers/aws";
import { listedDataPlanes, planOidcProvider, roleWithArn } from "../helpers/eksMultiCluster";
import { at, recordAt, stringAt } from "../helpers/json";
import { beforeAllFirstControlPlane, firstControlPlaneSuite } from "../helpers/multiClusterFirstDeployment";
import { type FreshPlanOptions, mapOutput, planStackAfresh } from "../helpers/plan";
import { beforeAllPlans } from "../helpers/sharedPlans";
import { readStackSettings } from "../helpers/stackSettings";

const STACK = "eks-control";
const DATA_PLANES = listedDataPlanes(STACK);
const DATA_PLANE = "eks-batch";
/** A /18 inside the control plane's VPC CIDR (the data plane's own default, 10.0.0.0/16, config validation refuses first). */
const INSIDE_VPC_CIDR = "10.0.64.0/18";

const registered = beforeAllPlans([STACK, ...DATA_PLANES.map((d) => d.stack)]);
const firstDeployment = beforeAllFirstControlPlane(STACK);
const { first } = firstDeployment;

/** The roles of Flyte's identities (flyteadmin, datacatalog, flytescheduler, each project's tasks), by identity key. */
const identityRoles = (plan: Plan): [string, RecordedResource][] => Object.entries(mapOutput(plan, "identities")).map(([key, arn]) => [key, roleWithArn(plan, arn)]);

describe("the control plane before its data planes", () => {
    firstControlPlaneSuite({
        ...firstDeployment,
        dataPlanes: DATA_PLANES,
        registered: () => registered(STACK),
        datacatalog: () => {
            // The control plane's own clients: its VPC.
            expect(at(first().outputs, "controlPlane", "clientRanges")).toEqual([readStackSettings(STACK).string("awsVpcCidr")]);
        },
    });

    test("every role trusts only its own cluster's OIDC provider; registering the data planes adds one statement per data plane to the task roles alone", () => {
        const own = planOidcProvider(first());
        const firstRoles = identityRoles(first());
        expect(firstRoles.map(([key]) => key).sort()).toEqual(identityRoles(registered(STACK)).map(([key]) => key).sort());
        for (const [key, role] of firstRoles) {
            const statements = webIdentityTrust(role.inputs.assumeRolePolicy, `${key} (first deployment)`);
            expect([key, statements.map((s) => s.federated)]).toEqual([key, [own.oidcProviderArn]]);
            const later = webIdentityTrust(roleWithArn(registered(STACK), mapOutput(first(), "identities")[key]).inputs.assumeRolePolicy, `${key} (registered)`);
            // The same cluster's provider in both plans: a first `pulumi up` and the next one create one cluster.
            expect(later[0]).toEqual(statements[0]);
            const dataPlaneProviders = key.startsWith("worker") ? DATA_PLANES.map(({ stack }) => String(at(registered(stack).outputs, "dataPlane", "oidcProviderArn"))) : [];
            expect([key, later.slice(1).map((s) => s.federated)]).toEqual([key, key.startsWith("worker") ? dataPlaneProviders : []]);
        }
    });
});

describe(`the data plane ${DATA_PLANE} before its control plane, or against one it cannot join`, () => {
    const controlPlaneStack = readStackSettings(DATA_PLANE).string("controlPlaneStack");
    /** What a StackReference to the control plane reads after its first `pulumi up`, its `controlPlane` output edited. */
    const controlPlaneWith = (edit: Readonly<Record<string, Json>>): ReferencedStack => {
        const reference = referencedStack(first());
        const output = reference.outputs.controlPlane;
        if (typeof output !== "object" || output === null || Array.isArray(output)) {
            throw new Error(`${STACK}'s controlPlane output is not an object`);
        }
        return { ...reference, outputs: { ...reference.outputs, controlPlane: { ...output, ...edit } } };
    };
    /** The plan's failure, or undefined if it planned. */
    const failure = (options: FreshPlanOptions): Promise<string | undefined> =>
        planStackAfresh(DATA_PLANE, options).then(
            () => undefined,
            (err: unknown) => (err instanceof Error ? err.message : String(err)),
        );
    const cpOutput = () => recordAt(first().outputs, "controlPlane");

    test("against the control plane's first outputs, it plans what its shared plan holds", async () => {
        expect(controlPlaneStack).toBe(STACK);
        const plan = await planStackAfresh(DATA_PLANE, { references: { [controlPlaneStack]: referencedStack(first()) } });
        expect(JSON.stringify(plan)).toBe(JSON.stringify(registered(DATA_PLANE)));
    });

    test("without the control plane's outputs: one line naming the control plane and the order of deployment", async () => {
        expect(await failure({ references: {} })).toBe(
            `flyte:controlPlaneStack ${STACK} has no output controlPlane yet: run pulumi up on the control plane first (README: the order of first deployment)`,
        );
    });

    test("a control plane in another region: one line, its VPC is regional", async () => {
        const region = readStackSettings(DATA_PLANE).provider("aws:region");
        expect(cpOutput().region).toBe(region);
        expect(await failure({ references: { [controlPlaneStack]: controlPlaneWith({ region: "us-east-1" }) } })).toBe(
            `invalid config aws:region = "${region}": the control plane's region us-east-1 (stack ${STACK}): an AWS data plane's subnets join the control plane's VPC, which is regional`,
        );
    });

    test("a control plane in another account: one line, only the VPC's owner adds blocks to it", async () => {
        expect(cpOutput().awsAccountId).toBe(MOCK_AWS_ACCOUNT);
        expect(await failure({ references: { [controlPlaneStack]: controlPlaneWith({ awsAccountId: "210987654321" }) } })).toBe(
            `invalid config flyte:controlPlaneStack = "${STACK}": a control plane in this stack's AWS account ${MOCK_AWS_ACCOUNT}: stack ${STACK} is in account 210987654321, and only the owner of its VPC can add this data plane's CIDR block to it (every stack of a multi-cluster deployment on AWS is in one account)`,
        );
    });

    test("a block overlapping the control plane's VPC CIDR, or its cluster's service range: one line naming the range", async () => {
        const references = { [controlPlaneStack]: referencedStack(first()) };
        const [vpcCidr, serviceCidr] = (cpOutput().networkRanges as Json[]).map(String);
        expect(vpcCidr).toBe(readStackSettings(STACK).string("awsVpcCidr"));
        for (const [block, range] of [
            [INSIDE_VPC_CIDR, vpcCidr],
            [serviceCidr, serviceCidr],
        ]) {
            expect(await failure({ references, config: { "flyte:awsVpcCidr": block } })).toBe(
                `invalid config flyte:awsVpcCidr = "${block}": must not overlap the control plane's range ${range} (stack ${STACK}): data planes join its VPC`,
            );
        }
    });

    test("a block from a private range the control plane's VPC cannot take: one line naming what it takes", async () => {
        const vpcCidr = stringAt(cpOutput(), "clientRanges", 0);
        expect(await failure({ references: { [controlPlaneStack]: referencedStack(first()) }, config: { "flyte:awsVpcCidr": "192.168.0.0/16" } })).toBe(
            `invalid config flyte:awsVpcCidr = "192.168.0.0/16": a block in the rest of 10.0.0.0/8, 100.64.0.0/10 or a publicly routable range: AWS refuses to associate one from 192.168.0.0/16 with a VPC whose primary CIDR is ${vpcCidr}, as the control plane's is (stack ${STACK})`,
        );
    });
});
