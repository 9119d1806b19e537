import * as pulumi from "@pulumi/pulumi";
import type { AwsControlPlaneOutput, DataPlaneOutput, GcpControlPlaneOutput, ResolvedDataPlane } from "../../../components/contract/multiCluster";
import {
    checkDataPlanes,
    checkDataPlaneJoin,
    controlPlaneOutput,
    dataPlaneFlyteConfig,
    dataPlaneOutput,
    publishedControlPlane,
    readControlPlane,
    readDataPlanes,
    StackReferenceError,
} from "../../../components/flyte/stackReferences";
import { parse } from "../../helpers/config";

/** Stack references answer from this table, as the Pulumi service answers for deployed (or empty) stacks. */
const STACKS: Record<string, { outputs: Record<string, unknown>; secretOutputNames: string[] }> = {};
const warnings: string[] = [];

pulumi.runtime.setMocks(
    {
        newResource: (args) => {
            if (args.type === "pulumi:pulumi:StackReference") {
                const name = String(args.inputs.name);
                const stack = STACKS[name] ?? { outputs: {}, secretOutputNames: [] };
                return { id: name, state: { name, ...stack } };
            }
            return { id: `${args.name}-id`, state: args.inputs };
        },
        call: (args) => args.inputs,
    },
    "flyte",
    "test",
    false,
);
const warn = jest.spyOn(pulumi.log, "warn").mockImplementation(async (message: string) => {
    warnings.push(message);
});

const flyte = parse({ "flyte:flavor": "core", "flyte:flyteProjects": '["ml","etl"]', "flyte:flyteDomains": '["dev:Development","prod"]', "flyte:namespaceTemplate": "{{ project }}" }).flyte;

const CONTROL: GcpControlPlaneOutput = publishedControlPlane({
    flyte,
    network: { cloud: "gcp", gcpProject: "acme", region: "europe-west1", network: "projects/acme/global/networks/flyte", clientRanges: ["10.0.0.0/20", "10.16.0.0/14"], networkRanges: ["10.0.0.0/20", "10.16.0.0/14", "10.20.0.0/20"], adminGlobalAccess: false },
    admin: { endpoint: "10.0.0.10:8089", insecure: true },
    datacatalog: { endpoint: "10.0.0.11:89", insecure: true },
    metadataBucket: "meta",
    userDataBucket: "data",
    projectBuckets: {},
    identities: { flyteadmin: "admin@acme.iam.gserviceaccount.com", worker: "worker@acme.iam.gserviceaccount.com", datacatalog: "dc@x" },
});

const DATA: DataPlaneOutput = {
    cloud: "gcp",
    apiEndpoint: "https://10.40.0.2",
    caCertificate: "-----BEGIN CERTIFICATE-----\nx\n-----END CERTIFICATE-----\n",
    adminServiceAccount: "flyte/flyteadmin-remote",
    tokenGeneration: 2,
    podRange: "10.44.0.0/14",
};

/** A plain JSON round trip, as a stack output travels. */
const json = <T>(value: T): unknown => JSON.parse(JSON.stringify(value));

afterAll(() => warn.mockRestore());

describe("what the stacks publish, read back", () => {
    test("the control plane's output reads back as it was published", () => {
        expect(controlPlaneOutput("gke-control", json(CONTROL))).toEqual(CONTROL);
        expect(CONTROL).toMatchObject({
            identities: { flyteadmin: "admin@acme.iam.gserviceaccount.com", worker: "worker@acme.iam.gserviceaccount.com", projectWorkers: {} },
            projects: ["ml", "etl"],
            domains: ["dev", "prod"],
            domainNames: { dev: "Development", prod: "prod" },
            namespaceTemplate: "{{ project }}",
        });
        expect(CONTROL).not.toHaveProperty("propellerClientId");
    });

    test("a data plane's output reads back as it was published", () => {
        expect(dataPlaneOutput({ name: "gpu", stack: "gke-gpu" }, json(DATA))).toEqual(DATA);
        expect(dataPlaneOutput({ name: "gpu", stack: "gke-gpu" }, json({ ...DATA, rawDataBucket: "gpu-data" }))).toEqual({ ...DATA, rawDataBucket: "gpu-data" });
    });

    test.each([
        ["not an object", "x", "control plane gke-control, output controlPlane is not an object: is gke-control a control plane (flyte:clusterRole controlPlane)?"],
        ["an unknown cloud", { ...CONTROL, cloud: "azure" }, 'control plane gke-control, output controlPlane: cloud is "azure", expected "gcp" or "aws"'],
        ["aws without its VPC", { ...CONTROL, cloud: "aws" }, "control plane gke-control, output controlPlane: awsAccountId is missing, expected a non-empty string"],
        ["a missing field", { ...CONTROL, metadataBucket: undefined }, "control plane gke-control, output controlPlane: metadataBucket is missing, expected a non-empty string"],
        ["a nested field of the wrong type", { ...CONTROL, admin: { endpoint: "x:1", insecure: "yes" } }, 'control plane gke-control, output controlPlane: admin.insecure is "yes", expected true or false'],
    ])("a control plane output with %s is one line naming it", (_what, value, message) => {
        expect(() => controlPlaneOutput("gke-control", json(value))).toThrow(new StackReferenceError(message));
    });

    test.each([
        ["an endpoint without https", { ...DATA, apiEndpoint: "10.40.0.2" }, 'data plane gpu (stack gke-gpu), output dataPlane: apiEndpoint is "10.40.0.2", expected https://<host>'],
        ["no token generation", { ...DATA, tokenGeneration: 0 }, "data plane gpu (stack gke-gpu), output dataPlane: tokenGeneration is 0, expected a positive whole number"],
    ])("a data plane output with %s is one line naming it", (_what, value, message) => {
        expect(() => dataPlaneOutput({ name: "gpu", stack: "gke-gpu" }, json(value))).toThrow(new StackReferenceError(message));
    });
});

describe("a data plane's config from its control plane", () => {
    const own = parse({ "flyte:flavor": "core" }).flyte;

    test("projects, domains, namespaces, Flyte's namespace and chart are the control plane's", () => {
        const config = dataPlaneFlyteConfig(own, { ...CONTROL, flyteNamespace: "flyte-cp", chartVersion: "v1.16.7" });
        expect(config).toMatchObject({
            flavor: "core",
            projects: ["ml", "etl"],
            domains: ["dev", "prod"],
            namespace: "flyte-cp",
            namespaceTemplate: "{{ project }}",
            chartVersion: "v1.16.7",
            projectNamespaces: [
                { project: "ml", domain: "dev", namespace: "ml" },
                { project: "ml", domain: "prod", namespace: "ml" },
                { project: "etl", domain: "dev", namespace: "etl" },
                { project: "etl", domain: "prod", namespace: "etl" },
            ],
        });
    });

    const join = (overrides: Partial<GcpControlPlaneOutput>, rawDataBucket = false, region = "europe-west1") => () =>
        checkDataPlaneJoin({ stack: "gke-control", controlPlane: { ...CONTROL, ...overrides }, config: { role: "dataPlane", controlPlaneStack: "gke-control", rawDataBucket, tokenGeneration: 1 }, region });

    test("a data plane in the control plane's region joins; elsewhere only with global access", () => {
        expect(join({})).not.toThrow();
        expect(join({ adminGlobalAccess: true }, false, "us-central1")).not.toThrow();
        expect(join({}, false, "us-central1")).toThrow(
            "control plane gke-control is in europe-west1 and its flyteadmin endpoint answers only there, this data plane is in us-central1: set flyte:loadBalancerGlobalAccess true (or flyte:dnsName) on the control plane, or put the data plane in europe-west1",
        );
    });

    test("no raw-data bucket of its own under the control plane's project isolation", () => {
        expect(join({ projectIsolation: true }, true)).toThrow(/^flyte:dataPlaneRawBucket is true but control plane gke-control has projectIsolation/);
        expect(join({ projectIsolation: true }, false)).not.toThrow();
    });
});

describe("reading the other stacks", () => {
    test("a control plane without outputs yet ends the data plane's run with one line", async () => {
        await expect(readControlPlane("acme/flyte/nowhere")).rejects.toThrow(
            new StackReferenceError("flyte:controlPlaneStack acme/flyte/nowhere has no output controlPlane yet: run pulumi up on the control plane first (README: the order of first deployment)"),
        );
    });

    test("a control plane with sign-in hands over flytepropeller's client secret, as a secret", async () => {
        STACKS["acme/flyte/cp"] = {
            outputs: { controlPlane: { ...CONTROL, propellerClientId: "flytepropeller" }, controlPlaneClientSecret: "s3cret" },
            secretOutputNames: ["controlPlaneClientSecret"],
        };
        const resolved = await readControlPlane("acme/flyte/cp");
        expect(resolved.output.propellerClientId).toBe("flytepropeller");
        expect(resolved.clientSecret).toBeDefined();
        const secret = resolved.clientSecret as pulumi.Output<string>;
        expect(await pulumi.isSecret(secret)).toBe(true);
        expect(await new Promise((resolve) => secret.apply(resolve))).toBe("s3cret");
    });

    test("a signing-in control plane without the secret output is one line", async () => {
        STACKS["acme/flyte/cp-half"] = { outputs: { controlPlane: { ...CONTROL, propellerClientId: "flytepropeller" } }, secretOutputNames: [] };
        await expect(readControlPlane("acme/flyte/cp-half")).rejects.toThrow(
            "control plane acme/flyte/cp-half signs clients in but has no secret output controlPlaneClientSecret: run pulumi up on the control plane",
        );
    });

    test("data planes without outputs are left out with a warning; the others come with their token as a secret", async () => {
        STACKS["gke-gpu"] = { outputs: { dataPlane: DATA, dataPlaneToken: "tok" }, secretOutputNames: ["dataPlaneToken"] };
        STACKS["gke-half"] = { outputs: { dataPlane: DATA }, secretOutputNames: [] };
        const resolved = await readDataPlanes([
            { name: "gpu", stack: "gke-gpu" },
            { name: "new", stack: "gke-new" },
            { name: "half", stack: "gke-half" },
        ]);
        expect(resolved.map((d) => d.ref.name)).toEqual(["gpu"]);
        expect(resolved[0].output).toEqual(DATA);
        expect(await pulumi.isSecret(resolved[0].token)).toBe(true);
        expect(warnings).toEqual([
            "data plane new (stack gke-new) has no outputs dataPlane and dataPlaneToken yet: run pulumi up there, then here again; until then no execution goes to it",
            "data plane half (stack gke-half) has no outputs dataPlane and dataPlaneToken yet: run pulumi up there, then here again; until then no execution goes to it",
        ]);
    });
});

// ---- On AWS ----

const AWS_CONTROL: AwsControlPlaneOutput = publishedControlPlane({
    flyte,
    network: {
        cloud: "aws",
        awsAccountId: "123456789012",
        region: "eu-central-1",
        adminGlobalAccess: false,
        vpcId: "vpc-0c0ffee0c0ffee000",
        vpcCidr: "10.0.0.0/16",
        internetGatewayId: "igw-0c0ffee0c0ffee000",
        clusterSecurityGroupId: "sg-0c0ffee0c0ffee000",
        clientRanges: ["10.0.0.0/16"],
        networkRanges: ["10.0.0.0/16", "172.20.0.0/16"],
    },
    admin: { endpoint: "internal-flyte-eks-control-0123456789.eu-central-1.elb.amazonaws.com:81", insecure: true },
    datacatalog: { endpoint: "internal-flyte-eks-control-9876543210.eu-central-1.elb.amazonaws.com:89", insecure: true },
    metadataBucket: "flyte-eks-control-123456789012-eu-central-1-metadata",
    userDataBucket: "flyte-eks-control-123456789012-eu-central-1-userdata",
    projectBuckets: {},
    identities: { flyteadmin: "arn:aws:iam::123456789012:role/flyte-eks-control-flyte-admin", worker: "arn:aws:iam::123456789012:role/flyte-eks-control-flyte-worker" },
});

const ISSUER = "oidc.eks.eu-central-1.amazonaws.com/id/0123456789ABCDEF0123456789ABCDEF";
const AWS_DATA: DataPlaneOutput = {
    cloud: "aws",
    oidcProviderArn: `arn:aws:iam::123456789012:oidc-provider/${ISSUER}`,
    oidcIssuer: ISSUER,
    apiEndpoint: "https://0123456789ABCDEF0123456789ABCDEF.gr7.eu-central-1.eks.amazonaws.com",
    caCertificate: "-----BEGIN CERTIFICATE-----\nx\n-----END CERTIFICATE-----\n",
    adminServiceAccount: "flyte/flyteadmin-remote",
    tokenGeneration: 1,
    podRange: "10.1.0.0/16",
};

describe("on aws: what the stacks publish, read back", () => {
    test("the control plane's output reads back as it was published: its account, VPC, gateway and cluster security group", () => {
        expect(controlPlaneOutput("eks-control", json(AWS_CONTROL))).toEqual(AWS_CONTROL);
        expect(AWS_CONTROL).toMatchObject({
            cloud: "aws",
            awsAccountId: "123456789012",
            vpcId: "vpc-0c0ffee0c0ffee000",
        vpcCidr: "10.0.0.0/16",
            identities: { flyteadmin: "arn:aws:iam::123456789012:role/flyte-eks-control-flyte-admin", projectWorkers: {} },
        });
        expect(AWS_CONTROL).not.toHaveProperty("gcpProject");
    });

    test.each([
        ["awsAccountId", "a non-empty string"],
        ["region", "a non-empty string"],
        ["adminGlobalAccess", "true or false"],
        ["vpcId", "a non-empty string"],
        ["internetGatewayId", "a non-empty string"],
        ["clusterSecurityGroupId", "a non-empty string"],
        ["clientRanges", "a list of strings"],
        ["networkRanges", "a list of strings"],
    ])("a control plane output without %s is one line naming it", (field, expected) => {
        const value: Record<string, unknown> = { ...AWS_CONTROL };
        delete value[field];
        const message = `control plane eks-control, output controlPlane: ${field} is missing, expected ${expected}`;
        expect(() => controlPlaneOutput("eks-control", json(value))).toThrow(new StackReferenceError(message));
        expect(message).not.toContain("\n");
    });

    test("a data plane's output reads back with its OIDC provider and issuer, with and without a bucket of its own", () => {
        const ref = { name: "batch", stack: "eks-batch" };
        expect(dataPlaneOutput(ref, json(AWS_DATA))).toEqual(AWS_DATA);
        expect(dataPlaneOutput(ref, json({ ...AWS_DATA, rawDataBucket: "batch-data" }))).toEqual({ ...AWS_DATA, rawDataBucket: "batch-data" });
    });

    const where = "data plane batch (stack eks-batch), output dataPlane";
    test.each([
        ["no OIDC provider", { ...AWS_DATA, oidcProviderArn: undefined }, `${where}: oidcProviderArn is missing, expected a non-empty string`],
        ["no issuer", { ...AWS_DATA, oidcIssuer: "" }, `${where}: oidcIssuer is "", expected a non-empty string`],
        [
            "an issuer with its scheme",
            { ...AWS_DATA, oidcIssuer: `https://${ISSUER}`, oidcProviderArn: `arn:aws:iam::123456789012:oidc-provider/https://${ISSUER}` },
            `${where}: oidcProviderArn arn:aws:iam::123456789012:oidc-provider/https://${ISSUER} is not the IAM OIDC provider of issuer https://${ISSUER}`,
        ],
        [
            "the provider of another issuer",
            { ...AWS_DATA, oidcProviderArn: "arn:aws:iam::123456789012:oidc-provider/oidc.eks.eu-central-1.amazonaws.com/id/FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF" },
            `${where}: oidcProviderArn arn:aws:iam::123456789012:oidc-provider/oidc.eks.eu-central-1.amazonaws.com/id/FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF is not the IAM OIDC provider of issuer ${ISSUER}`,
        ],
        [
            "an issuer the provider's only ends with",
            { ...AWS_DATA, oidcIssuer: "id/0123456789ABCDEF0123456789ABCDEF" },
            `${where}: oidcProviderArn arn:aws:iam::123456789012:oidc-provider/${ISSUER} is not the IAM OIDC provider of issuer id/0123456789ABCDEF0123456789ABCDEF`,
        ],
    ])("a data plane output with %s is one line naming it", (_what, value, message) => {
        expect(() => dataPlaneOutput({ name: "batch", stack: "eks-batch" }, json(value))).toThrow(new StackReferenceError(message));
        expect(message).not.toContain("\n");
    });

    test("a gcp data plane's output carries no OIDC fields, whatever it sends", () => {
        const read = dataPlaneOutput({ name: "gpu", stack: "gke-gpu" }, json({ ...AWS_DATA, cloud: "gcp" }));
        expect(read).toEqual({ ...DATA, apiEndpoint: AWS_DATA.apiEndpoint, tokenGeneration: 1, podRange: "10.1.0.0/16" });
    });
});

describe("checkDataPlanes: every stack on the control plane's cloud, each data plane's range its own", () => {
    const resolved = (name: string, output: DataPlaneOutput): ResolvedDataPlane => ({ ref: { name, stack: `stack-${name}` }, output, token: pulumi.secret("t") });

    test("data planes of the control plane's cloud are taken, and none at all", () => {
        expect(() => checkDataPlanes("aws", [resolved("batch", AWS_DATA), resolved("gpu", { ...AWS_DATA, podRange: "10.2.0.0/16" })])).not.toThrow();
        expect(() => checkDataPlanes("gcp", [resolved("gpu", DATA)])).not.toThrow();
        expect(() => checkDataPlanes("aws", [])).not.toThrow();
    });

    test("one of another cloud is one line naming it", () => {
        const message =
            "data plane gpu (stack stack-gpu) is on gcp and this control plane on aws: every stack of a multi-cluster deployment is on one cloud; remove it from flyte:dataPlanes";
        expect(() => checkDataPlanes("aws", [resolved("batch", AWS_DATA), resolved("gpu", DATA)])).toThrow(new StackReferenceError(message));
        expect(() => checkDataPlanes("gcp", [resolved("batch", AWS_DATA)])).toThrow(
            "data plane batch (stack stack-batch) is on aws and this control plane on gcp: every stack of a multi-cluster deployment is on one cloud; remove it from flyte:dataPlanes",
        );
        expect(message).not.toContain("\n");
    });
});

describe("checkDataPlanes: an AWS data plane's OIDC provider is in the control plane's account", () => {
    const resolved = (oidcProviderArn: string): ResolvedDataPlane => ({ ref: { name: "batch", stack: "eks-batch" }, output: { ...AWS_DATA, oidcProviderArn }, token: pulumi.secret("t") });

    test("the control plane's own account: taken", () => {
        expect(() => checkDataPlanes("aws", [resolved(AWS_DATA.oidcProviderArn)], "123456789012")).not.toThrow();
    });

    test("another account: one line naming the provider and the account", () => {
        const arn = AWS_DATA.oidcProviderArn.replace("123456789012", "210987654321");
        expect(() => checkDataPlanes("aws", [resolved(arn)], "123456789012")).toThrow(
            new StackReferenceError(
                `data plane batch (stack eks-batch) publishes the OIDC provider ${arn}, not one of this control plane's account 123456789012: every stack of a multi-cluster deployment on AWS is in one account`,
            ),
        );
    });
});

describe("checkDataPlanes: overlapping ranges", () => {
    const resolved = (name: string, podRange: string): ResolvedDataPlane => ({ ref: { name, stack: `eks-${name}` }, output: { ...AWS_DATA, podRange }, token: pulumi.secret("t") });

    test.each([
        ["the same block", "10.1.0.0/16", "10.1.0.0/16"],
        ["a block inside another", "10.1.0.0/16", "10.1.128.0/20"],
        ["a block around another", "10.1.128.0/20", "10.1.0.0/16"],
    ])("%s: one line naming both data planes and ranges", (_what, first, second) => {
        const message = `data plane spot (stack eks-spot) uses ${second}, which overlaps ${first} of data plane batch (stack eks-batch): give one of them ranges of its own and pulumi up it, or remove it from flyte:dataPlanes`;
        expect(() => checkDataPlanes("aws", [resolved("batch", first), resolved("gpu", "10.3.0.0/16"), resolved("spot", second)])).toThrow(new StackReferenceError(message));
    });

    test("adjacent blocks are apart", () => {
        expect(() => checkDataPlanes("aws", [resolved("batch", "10.1.0.0/16"), resolved("spot", "10.2.0.0/16")])).not.toThrow();
    });

    test("a range that is no CIDR is one line", () => {
        expect(() => checkDataPlanes("aws", [resolved("batch", "10.1.0.0")])).toThrow(
            new StackReferenceError('data plane batch (stack eks-batch), output dataPlane: podRange is "10.1.0.0", expected an IPv4 CIDR'),
        );
    });
});

describe("checkDataPlaneJoin on aws", () => {
    const join = (overrides: Partial<AwsControlPlaneOutput>, rawDataBucket: boolean, region: string) => () =>
        checkDataPlaneJoin({
            stack: "eks-control",
            controlPlane: { ...AWS_CONTROL, ...overrides },
            config: { role: "dataPlane", controlPlaneStack: "eks-control", rawDataBucket, tokenGeneration: 1 },
            region,
        });

    test("leaves the region to the AWS checks (awsDataPlaneProblems): no refusal here, though flyteadmin answers only in its region", () => {
        expect(AWS_CONTROL.adminGlobalAccess).toBe(false);
        expect(join({}, false, "us-east-1")).not.toThrow();
        expect(join({}, false, "eu-central-1")).not.toThrow();
    });

    test("still refuses a bucket of its own under the control plane's project isolation", () => {
        expect(join({ projectIsolation: true }, true, "eu-central-1")).toThrow(/^flyte:dataPlaneRawBucket is true but control plane eks-control has projectIsolation/);
    });
});
